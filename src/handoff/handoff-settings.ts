import { z } from 'zod';
import { ErrorCodes, KefuError } from '../errors/index.js';

const slaSchema = z
  .object({
    first_response_seconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .default(120),
    resolution_seconds: z
      .number()
      .int()
      .min(1)
      .max(90 * 86_400)
      .default(1800),
  })
  .strict();

export const queueSettingsSchema = z
  .object({
    name: z.string().min(1).max(60),
    /** An agent needs every one of these skills to take the queue's conversations; none = everyone. */
    skills: z.array(z.string().min(1).max(60)).default([]),
    assignment: z.enum(['least_busy', 'round_robin', 'manual']).default('least_busy'),
    /** Turn intents routed into this queue. */
    intents: z.array(z.string().min(1).max(100)).default([]),
    /** Words that, found in the turn's hand-over reason, route into this queue. */
    reasons: z.array(z.string().min(1).max(100)).default([]),
    sla: slaSchema.default({ first_response_seconds: 120, resolution_seconds: 1800 }),
  })
  .strict();

/** The optional `handoff:` section of tenant.yaml (docs/handoff.md). */
export const handoffSettingsSchema = z
  .object({
    default_queue: z.string().min(1).max(60).optional(),
    queues: z.array(queueSettingsSchema).max(100).default([]),
    context: z
      .object({
        orders: z
          .object({
            table: z.string().min(1).max(100),
            contact_column: z.string().min(1).max(100),
            order_by: z.string().min(1).max(100).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((value, context) => {
    const names = value.queues.map((queue) => queue.name);
    names.forEach((name, index) => {
      // Point at the second definition: that is the line to delete or rename.
      if (names.indexOf(name) !== index) {
        const message = `queue ${name} is defined twice`;
        context.addIssue({ code: 'custom', path: ['queues', index, 'name'], message });
      }
    });
    if (value.default_queue && value.queues.length > 0 && !names.includes(value.default_queue)) {
      context.addIssue({
        code: 'custom',
        path: ['default_queue'],
        message: `default_queue ${value.default_queue} is not one of the queues`,
      });
    }
  });

export type QueueSettings = z.infer<typeof queueSettingsSchema>;

export interface HandoffSettings {
  queues: QueueSettings[];
  defaultQueue: string;
  orders: { table: string; contactColumn: string; orderBy: string | null };
}

export const DEFAULT_QUEUE_NAME = '通用';

export type HandoffSection = z.output<typeof handoffSettingsSchema>;

/**
 * The tenant's hand-off settings with defaults: one queue for everyone when nothing is
 * configured. A section that is set but invalid throws with the field path: falling back to the
 * default queue would quietly send every hand-over to agents without the skills it needs.
 */
export function resolveHandoffSettings(raw: unknown): HandoffSettings {
  const parsed = handoffSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      path: ['handoff', ...issue.path].join('.'),
      message: issue.message,
    }));
    throw new KefuError(
      ErrorCodes.configInvalid,
      `invalid hand-off settings: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
      { category: 'system', details: { problems } },
    );
  }
  const value = parsed.data;
  const queues =
    value.queues.length > 0
      ? value.queues
      : [queueSettingsSchema.parse({ name: value.default_queue ?? DEFAULT_QUEUE_NAME })];
  const defaultQueue = value.default_queue ?? queues[queues.length - 1].name;
  const orders = value.context?.orders;
  return {
    queues,
    defaultQueue,
    orders: orders
      ? { table: orders.table, contactColumn: orders.contact_column, orderBy: orders.order_by ?? null }
      : { table: 'orders', contactColumn: 'contact_phone', orderBy: 'ordered_at' },
  };
}

/** The queue a turn goes to: by intent, else by a word in the hand-over reason, else the default. */
export function pickQueue(
  settings: HandoffSettings,
  turn: { intent: string | null; reason: string | null },
): QueueSettings {
  const byIntent = turn.intent ? settings.queues.find((queue) => queue.intents.includes(turn.intent!)) : undefined;
  if (byIntent) return byIntent;
  const reason = (turn.reason ?? '').toLowerCase();
  const byReason = reason
    ? settings.queues.find((queue) => queue.reasons.some((word) => reason.includes(word.toLowerCase())))
    : undefined;
  return byReason ?? settings.queues.find((queue) => queue.name === settings.defaultQueue) ?? settings.queues[0];
}

/** Whether an agent with `skills` may take a queue's conversations. */
export function agentFitsQueue(skills: readonly string[], queue: QueueSettings): boolean {
  return queue.skills.every((skill) => skills.includes(skill));
}

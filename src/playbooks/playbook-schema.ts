import { z } from 'zod';

const stepId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'step ids are lower-case letters, digits, - and _');
const template = z.string();

const quickReply = z
  .object({
    label: z.string().min(1).max(60),
    goto: stepId.optional(),
    intent: z.string().min(1).optional(),
    text: z.string().min(1).optional(),
    when: z.string().optional(),
  })
  .strict()
  .refine(
    (reply) => [reply.goto, reply.intent, reply.text].filter((value) => value !== undefined).length <= 1,
    'use at most one of goto, intent, text',
  );

const base = { id: stepId, next: stepId.optional() };

const connectorStep = z
  .object({
    ...base,
    kind: z.literal('connector'),
    table: z.string().min(1),
    where: z
      .record(
        z.string(),
        z.union([template, z.number(), z.object({ in: z.array(z.union([z.string(), z.number()])) }).strict()]),
      )
      .optional(),
    order_by: z
      .object({ column: z.string().min(1), direction: z.enum(['asc', 'desc']).default('asc') })
      .strict()
      .optional(),
    pick: z.enum(['first', 'all']).default('first'),
    save_as: z.string().min(1),
    on_empty: stepId.optional(),
  })
  .strict();

const computeStep = z
  .object({
    ...base,
    kind: z.literal('compute'),
    tool: z.string().min(1),
    input: z.record(z.string(), z.unknown()).default({}),
    save_as: z.string().min(1),
    on_error: stepId.optional(),
  })
  .strict();

const branchStep = z
  .object({
    ...base,
    kind: z.literal('branch'),
    cases: z.array(z.object({ when: z.string().min(1), next: stepId }).strict()).min(1),
    else: stepId,
  })
  .strict();

const askStep = z
  .object({
    ...base,
    kind: z.literal('ask'),
    slot: z.string().min(1),
    prompt: template.optional(),
    quick_replies: z.array(quickReply).optional(),
    max_attempts: z.number().int().min(1).max(10).default(2),
    on_fail: stepId.optional(),
  })
  .strict();

const answerStep = z
  .object({
    ...base,
    kind: z.literal('answer'),
    text: template.min(1),
    quick_replies: z.array(quickReply).optional(),
    emit: z
      .object({ event: z.string().regex(/^[a-z0-9_.-]+$/), data: z.record(z.string(), z.unknown()).default({}) })
      .strict()
      .optional(),
    end: z.boolean().default(false),
  })
  .strict();

const handoffStep = z
  .object({
    id: stepId,
    kind: z.literal('handoff'),
    reason: z.string().min(1),
    text: template.min(1),
    note: template.optional(),
  })
  .strict();

export const playbookStepSchema = z.discriminatedUnion('kind', [
  connectorStep,
  computeStep,
  branchStep,
  askStep,
  answerStep,
  handoffStep,
]);

export const playbookSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
    intent: z.string().min(1).optional(),
    description: z.string().optional(),
    slots: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z_][a-z0-9_]*$/),
            entity: z.enum(['order_no', 'amount', 'number', 'phone', 'date', 'card_last4', 'email', 'text']),
            pattern: z.string().optional(),
            values: z.array(z.union([z.number(), z.string()])).optional(),
            optional: z.boolean().default(false),
            prompt: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    steps: z.array(playbookStepSchema).min(1),
  })
  .strict();

export type Playbook = z.infer<typeof playbookSchema>;
export type PlaybookStep = z.infer<typeof playbookStepSchema>;
export type PlaybookSlot = Playbook['slots'][number];
export type QuickReply = z.infer<typeof quickReply>;

export interface PlaybookProblem {
  path: string;
  message: string;
}

/**
 * Validates a playbook definition: the schema, then what a schema cannot see — unique step ids,
 * every referenced step exists, asks name declared slots, slot patterns compile, known tools.
 */
export function validatePlaybook(
  definition: unknown,
  knownTools: ReadonlySet<string>,
): { playbook: Playbook | null; problems: PlaybookProblem[] } {
  const parsed = playbookSchema.safeParse(definition);
  if (!parsed.success) {
    return {
      playbook: null,
      problems: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    };
  }
  const playbook = parsed.data;
  const problems: PlaybookProblem[] = [];
  const ids = new Set<string>();
  playbook.steps.forEach((step, index) => {
    if (ids.has(step.id)) problems.push({ path: `steps.${index}.id`, message: `step id "${step.id}" is used twice` });
    ids.add(step.id);
  });
  const slots = new Set(playbook.slots.map((slot) => slot.name));
  playbook.slots.forEach((slot, index) => {
    if (slot.pattern === undefined) return;
    try {
      new RegExp(slot.pattern);
    } catch {
      problems.push({ path: `slots.${index}.pattern`, message: `not a valid regular expression: ${slot.pattern}` });
    }
  });
  const reference = (path: string, id: string | undefined) => {
    if (id !== undefined && !ids.has(id)) problems.push({ path, message: `no step "${id}" in this playbook` });
  };
  playbook.steps.forEach((step, index) => {
    const at = `steps.${index}`;
    if (step.kind !== 'handoff') reference(`${at}.next`, step.next);
    if (step.kind === 'connector') reference(`${at}.on_empty`, step.on_empty);
    if (step.kind === 'compute') {
      reference(`${at}.on_error`, step.on_error);
      if (!knownTools.has(step.tool))
        problems.push({
          path: `${at}.tool`,
          message: `unknown tool "${step.tool}" (known: ${[...knownTools].join(', ')})`,
        });
    }
    if (step.kind === 'branch') {
      step.cases.forEach((entry, caseIndex) => reference(`${at}.cases.${caseIndex}.next`, entry.next));
      reference(`${at}.else`, step.else);
    }
    if (step.kind === 'ask') {
      reference(`${at}.on_fail`, step.on_fail);
      if (!slots.has(step.slot))
        problems.push({ path: `${at}.slot`, message: `slot "${step.slot}" is not declared in slots` });
    }
    if (step.kind === 'ask' || step.kind === 'answer') {
      step.quick_replies?.forEach((reply, replyIndex) =>
        reference(`${at}.quick_replies.${replyIndex}.goto`, reply.goto),
      );
    }
  });
  return { playbook: problems.length === 0 ? playbook : null, problems };
}

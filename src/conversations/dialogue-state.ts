import { z } from 'zod';
import type { DialogueState } from '../engine/run-turn.js';
import type { Db } from '../store/database.js';

const slotValue = z.union([z.string(), z.number()]);

const playbookRunStateSchema = z.object({
  playbook: z.string(),
  waitingAt: z.string().nullable(),
  slots: z.record(z.string(), slotValue),
  variables: z.record(z.string(), z.unknown()),
  attempts: z.record(z.string(), z.number()),
  offered: z.array(
    z.object({
      label: z.string(),
      goto: z.string().optional(),
      intent: z.string().optional(),
      text: z.string().optional(),
    }),
  ),
});

/**
 * The dialogue state as stored, format 1. Rows written before the format was recorded carry no
 * `format` and are read as format 1. The object is loose: a field the engine adds later passes
 * through unchecked rather than being stripped, so a newer node never loses an older one's state.
 */
const dialogueStateV1 = z.looseObject({
  format: z.literal(1).optional(),
  lastIntent: z.string().nullable().optional(),
  turns: z.number().int().nonnegative().optional(),
  playbook: playbookRunStateSchema.nullable().optional(),
  memory: z.record(z.string(), slotValue).optional(),
  clarify: z
    .array(z.object({ label: z.string(), intent: z.string() }))
    .nullable()
    .optional(),
});

export const DIALOGUE_STATE_FORMAT = 1;

export type DialogueStateRead = { state: DialogueState; problem: string | null };

/**
 * Parses the state column. A state that does not parse starts the dialogue afresh, and the reason
 * is returned so the turn's trace shows it: refusing to answer would strand the conversation.
 */
export function parseDialogueState(json: unknown): DialogueStateRead {
  const parsed = dialogueStateV1.safeParse(json ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'state';
    return { state: {}, problem: `stored dialogue state was invalid at ${where}; started afresh` };
  }
  const { format: _format, ...state } = parsed.data;
  return { state: state as DialogueState, problem: null };
}

/** The JSON written to the state column, tagged with its format. */
export function serializeDialogueState(state: DialogueState): string {
  return JSON.stringify({ ...state, format: DIALOGUE_STATE_FORMAT });
}

/** A conversation's dialogue state and the version a compare-and-set write must match. */
export interface VersionedDialogueState extends DialogueStateRead {
  version: number;
}

export async function readDialogueState(
  db: Db,
  tenantId: string,
  conversationId: string,
): Promise<VersionedDialogueState> {
  const row = await db
    .selectFrom('conversations')
    .select(['state', 'state_version'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return { ...parseDialogueState(row.state), version: row.state_version };
}

import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';
import { findFirstHandoffEvent, findLatestHandoff, insertHandoffEvent } from './handoffs-repository.js';

export interface CsatRating {
  score: number;
  comment: string | null;
  handoffId: string;
  recordedAt: string;
  /** True when this answer is an earlier rating, not the one just given. */
  duplicate: boolean;
}

/**
 * The customer's rating (1–5) of the conversation's latest hand-off, kept as a `csat` event of
 * that hand-off (next to its resolution code and handle time). One rating per hand-off: a repeat
 * gets the first back with `duplicate: true`. The caller checked that the conversation is the
 * contact's. 409 CS_CSAT_UNAVAILABLE when no person ever had the conversation.
 */
export async function recordCsat(
  db: Db,
  input: { tenantId: string; conversationId: string; score: number; comment: string | null },
): Promise<{ rating: CsatRating; created: boolean }> {
  const handoff = await findLatestHandoff(db, input.tenantId, input.conversationId);
  // Still in the queue: nobody has helped yet, so there is nothing to rate (the card comes after).
  if (!handoff || handoff.status === 'waiting') {
    throw new KefuError(ErrorCodes.csatUnavailable, 'nothing to rate yet: no person has handled this conversation', {
      status: 409,
    });
  }
  const answer = (row: { details: unknown; created_at: Date | string }, duplicate: boolean): CsatRating => {
    const details = (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as {
      score: number;
      comment?: string | null;
    };
    return {
      score: details.score,
      comment: details.comment ?? null,
      handoffId: handoff.id,
      recordedAt: new Date(row.created_at).toISOString(),
      duplicate,
    };
  };
  const first = await findFirstHandoffEvent(db, input.tenantId, handoff.id, 'csat');
  if (first) return { rating: answer(first, true), created: false };
  const comment = input.comment?.trim() || null;
  await insertHandoffEvent(db, handoff, 'csat', 'contact', { score: input.score, comment });
  // Two tabs rating at once: the earliest row is the rating; the other answers as a repeat.
  const stored = (await findFirstHandoffEvent(db, input.tenantId, handoff.id, 'csat'))!;
  const mine = answer(stored, false);
  return mine.score === input.score
    ? { rating: mine, created: true }
    : { rating: { ...mine, duplicate: true }, created: false };
}

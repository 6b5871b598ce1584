import { randomUUID } from 'node:crypto';
import type { ColumnType, Kysely } from 'kysely';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { ChatModel } from '../llm/index.js';
import type { Db } from '../store/database.js';
import {
  generatePhrasings,
  type PhrasingGenerationOptions,
  type PhrasingGenerationResult,
} from './phrasing-generation.js';

// Row type of the table created by src/store/migrations/20261213-0310-faq-phrasing-suggestions.ts.
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type PhrasingStatus = 'pending' | 'flagged' | 'approved' | 'rejected';

export interface FaqPhrasingSuggestionsTable {
  id: string;
  tenant_id: string;
  faq_id: string;
  text: string;
  kind: string;
  status: PhrasingStatus;
  collides_with: string | null;
  collision_confidence: number | null;
  model: string;
  created_at: Timestamp;
  decided_at: NullableTimestamp;
  decided_by: string | null;
}

/** A queued phrasing as the API shows it. */
export interface PhrasingSuggestion {
  id: string;
  faqId: string;
  text: string;
  kind: string;
  status: PhrasingStatus;
  collidesWith: string | null;
  collisionConfidence: number | null;
  model: string;
  createdAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
}

function tables(db: Db) {
  return (db as unknown as Kysely<object>).withTables<{ faq_phrasing_suggestions: FaqPhrasingSuggestionsTable }>();
}

/**
 * Stores generated phrasings for review (pending or flagged). A phrasing already queued for the
 * same entry (whatever its status) is not queued again. Returns how many rows were added.
 */
export async function queuePhrasings(
  db: Db,
  tenantId: string,
  result: Pick<PhrasingGenerationResult, 'phrasings' | 'model'>,
): Promise<{ pending: number; flagged: number }> {
  if (result.phrasings.length === 0) return { pending: 0, flagged: 0 };
  const inserted = await tables(db)
    .insertInto('faq_phrasing_suggestions')
    .values(
      result.phrasings.map((phrasing) => ({
        id: randomUUID(),
        tenant_id: tenantId,
        faq_id: phrasing.faqId,
        text: phrasing.text,
        kind: phrasing.kind,
        status: phrasing.status,
        collides_with: phrasing.collidesWith,
        collision_confidence: phrasing.collisionConfidence,
        model: result.model,
      })),
    )
    .onConflict((conflict) => conflict.columns(['tenant_id', 'faq_id', 'text']).doNothing())
    .returning('status')
    .execute();
  return {
    pending: inserted.filter((row) => row.status === 'pending').length,
    flagged: inserted.filter((row) => row.status === 'flagged').length,
  };
}

/**
 * Generates phrasings for the tenant's FAQ entries (those of its pack, `faq_entries`) with the
 * model, checks them for collisions and queues them for approval. Nothing becomes live.
 */
export async function generateAndQueuePhrasings(
  db: Db,
  tenantId: string,
  model: ChatModel,
  options: PhrasingGenerationOptions & { faqIds?: readonly string[] } = {},
): Promise<PhrasingGenerationResult & { queued: { pending: number; flagged: number } }> {
  const rows = await db
    .selectFrom('faq_entries')
    .select(['external_id', 'question', 'alternatives', 'answer'])
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .execute();
  const entries = rows.map((row) => ({
    id: row.external_id,
    question: row.question,
    alternatives: row.alternatives,
    answer: row.answer,
  }));
  const wanted = options.faqIds ? new Set(options.faqIds) : null;
  // Every entry takes part in the collision check; only the wanted ones are sent to the model.
  const { faqIds: _faqIds, ...generation } = options;
  const result = await generatePhrasings(model, entries, { ...generation, ...(wanted ? { only: wanted } : {}) });
  const queued = await queuePhrasings(db, tenantId, result);
  return { ...result, queued };
}

/** The tenant's queued phrasings, newest first, optionally of one status. */
export async function listPhrasings(
  db: Db,
  tenantId: string,
  options: { status?: PhrasingStatus; faqId?: string; limit?: number } = {},
): Promise<PhrasingSuggestion[]> {
  let query = tables(db)
    .selectFrom('faq_phrasing_suggestions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(Math.min(500, Math.max(1, options.limit ?? 100)));
  if (options.status) query = query.where('status', '=', options.status);
  if (options.faqId) query = query.where('faq_id', '=', options.faqId);
  return (await query.execute()).map(toSuggestion);
}

/**
 * A person's decision on a queued phrasing. Approving appends it to the entry's alternatives (the
 * runtime reloads when the caller bumps the tenant); a flagged phrasing may be approved too (a
 * person overrides the collision check). Decided phrasings cannot be decided again. Tenant-scoped:
 * another tenant's id is not found.
 */
export async function decidePhrasing(
  db: Db,
  tenantId: string,
  id: string,
  decision: 'approve' | 'reject',
  actor: string,
): Promise<PhrasingSuggestion> {
  return db.transaction().execute(async (trx) => {
    const row = await tables(trx)
      .selectFrom('faq_phrasing_suggestions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new KefuError(ErrorCodes.phrasingNotFound, 'phrasing not found', { status: 404 });
    if (row.status === 'approved' || row.status === 'rejected')
      throw new KefuError(ErrorCodes.phrasingAlreadyDecided, `the phrasing was already ${row.status}`, {
        status: 409,
      });
    if (decision === 'approve') {
      const entry = await trx
        .selectFrom('faq_entries')
        .select(['id', 'alternatives'])
        .where('tenant_id', '=', tenantId)
        .where('external_id', '=', row.faq_id)
        .forUpdate()
        .executeTakeFirst();
      if (!entry)
        throw new KefuError(
          ErrorCodes.phrasingFaqMissing,
          `FAQ entry ${row.faq_id} is no longer in the tenant's pack`,
          {
            status: 409,
          },
        );
      if (!entry.alternatives.includes(row.text)) {
        await trx
          .updateTable('faq_entries')
          .set({ alternatives: JSON.stringify([...entry.alternatives, row.text]), updated_at: new Date() })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', entry.id)
          .execute();
      }
      // Running servers notice the newer updated_at and reload the tenant's matcher.
      await trx.updateTable('tenants').set({ updated_at: new Date() }).where('id', '=', tenantId).execute();
    }
    const decided = await tables(trx)
      .updateTable('faq_phrasing_suggestions')
      .set({ status: decision === 'approve' ? 'approved' : 'rejected', decided_at: new Date(), decided_by: actor })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSuggestion(decided);
  });
}

function toSuggestion(row: {
  id: string;
  faq_id: string;
  text: string;
  kind: string;
  status: PhrasingStatus;
  collides_with: string | null;
  collision_confidence: number | null;
  model: string;
  created_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
}): PhrasingSuggestion {
  return {
    id: row.id,
    faqId: row.faq_id,
    text: row.text,
    kind: row.kind,
    status: row.status,
    collidesWith: row.collides_with,
    collisionConfidence: row.collision_confidence === null ? null : Number(row.collision_confidence),
    model: row.model,
    createdAt: new Date(row.created_at),
    decidedAt: row.decided_at ? new Date(row.decided_at) : null,
    decidedBy: row.decided_by,
  };
}

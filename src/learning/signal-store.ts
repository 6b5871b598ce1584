import { randomUUID } from 'node:crypto';
import type { ColumnType } from 'kysely';
import { syncedFaqRows } from '../engine/tenant-runtime.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';

/** What a signal says (migration 20261211-0400). */
export type SignalKind = 'suggestion_click' | 'thumbs' | 'resolution' | 'outcome';
export type SignalActor = 'contact' | 'agent' | 'system';

/** Outcomes of a conversation, as the issue lists them. */
export const OUTCOMES = ['resolved_by_bot', 'resolved_by_agent', 'abandoned', 'reopened', 'converted'] as const;

export interface LearningSignalsTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  trace_id: string | null;
  kind: SignalKind;
  value: string;
  actor: SignalActor;
  actor_id: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface LearningDatabase {
  learning_signals: LearningSignalsTable;
}

export interface SignalInput {
  conversationId: string;
  /** The turn trace the signal is about (required for clicks and thumbs). */
  traceId?: string | null;
  kind: SignalKind;
  /** The FAQ id picked or tagged, 'up'/'down', an outcome, or 'new' for a resolution with no FAQ. */
  value: string;
  actor: SignalActor;
  actorId?: string | null;
  details?: Record<string, unknown>;
}

export interface StoredSignal {
  id: string;
  conversationId: string;
  traceId: string | null;
  kind: SignalKind;
  value: string;
  actor: SignalActor;
  actorId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
  /** The turn it is about, from its trace (null for conversation-level signals). */
  turn: { route: string; tier: string; intent: string | null; confidence: number; text: string | null } | null;
}

function checkValue(kind: SignalKind, value: string): void {
  const ok =
    kind === 'thumbs'
      ? value === 'up' || value === 'down'
      : kind === 'outcome'
        ? (OUTCOMES as readonly string[]).includes(value)
        : value.trim().length > 0 && value.length <= 200;
  if (!ok)
    throw new KefuError(ErrorCodes.validation, `"${value}" is not a valid value for a ${kind} signal`, {
      status: 400,
    });
}

/**
 * Stores one signal for a tenant. The conversation (and the trace, when given) must belong to the
 * tenant, and a click must name an FAQ entry of the tenant; a repeated thumbs on one turn by the
 * same actor replaces the earlier one (a customer changes their mind).
 */
export async function recordSignal(db: Db, tenantId: string, input: SignalInput): Promise<StoredSignal> {
  checkValue(input.kind, input.value);
  return db.transaction().execute(async (trx) => {
    const conversation = await trx
      .selectFrom('conversations')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', input.conversationId)
      .executeTakeFirst();
    if (!conversation) throw new KefuError(ErrorCodes.conversationNotFound, 'conversation not found', { status: 404 });
    const traceId = input.traceId ?? null;
    if ((input.kind === 'thumbs' || input.kind === 'suggestion_click') && traceId === null)
      throw new KefuError(ErrorCodes.validation, `a ${input.kind} signal needs the turn (traceId) it is about`, {
        status: 400,
      });
    if (traceId !== null) {
      const trace = await trx
        .selectFrom('turn_traces')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('conversation_id', '=', input.conversationId)
        .where('id', '=', traceId)
        .executeTakeFirst();
      if (!trace) throw new KefuError(ErrorCodes.notFound, 'turn not found in this conversation', { status: 404 });
    }
    if (input.kind === 'suggestion_click' || (input.kind === 'resolution' && input.value !== 'new')) {
      const faq = await trx
        .selectFrom('faq_entries')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('external_id', '=', input.value)
        .executeTakeFirst();
      // Entries of uploaded FAQ sheets are offered as suggestions too (the runtime's syncedFaqRows).
      const inSheet =
        !faq &&
        (await syncedFaqRows(trx as unknown as Db, tenantId, new Set())).some((row) => row.external_id === input.value);
      if (!faq && !inSheet)
        throw new KefuError(ErrorCodes.notFound, `FAQ entry "${input.value}" not found`, { status: 404 });
    }
    if (input.kind === 'thumbs' && traceId !== null)
      await trx
        .deleteFrom('learning_signals')
        .where('tenant_id', '=', tenantId)
        .where('trace_id', '=', traceId)
        .where('kind', '=', 'thumbs')
        .where('actor', '=', input.actor)
        .execute();
    const id = randomUUID();
    await trx
      .insertInto('learning_signals')
      .values({
        id,
        tenant_id: tenantId,
        conversation_id: input.conversationId,
        trace_id: traceId,
        kind: input.kind,
        value: input.value,
        actor: input.actor,
        actor_id: input.actorId ?? null,
        details: JSON.stringify(input.details ?? {}),
      })
      .execute();
    const [stored] = await listSignals(trx as unknown as Db, tenantId, { id });
    return stored!;
  });
}

/** A tenant's signals, newest first, each joined to its turn trace and the customer's message. */
export async function listSignals(
  db: Db,
  tenantId: string,
  filter: { id?: string; kind?: SignalKind; conversationId?: string; traceId?: string; limit?: number } = {},
): Promise<StoredSignal[]> {
  let query = db
    .selectFrom('learning_signals as s')
    .leftJoin('turn_traces as t', (join) =>
      join.onRef('t.id', '=', 's.trace_id').onRef('t.tenant_id', '=', 's.tenant_id'),
    )
    .leftJoin('messages as m', (join) =>
      join.onRef('m.id', '=', 't.inbound_message_id').onRef('m.tenant_id', '=', 's.tenant_id'),
    )
    .select([
      's.id',
      's.conversation_id',
      's.trace_id',
      's.kind',
      's.value',
      's.actor',
      's.actor_id',
      's.details',
      's.created_at',
      't.route',
      't.tier',
      't.intent',
      't.confidence',
      'm.text',
    ])
    .where('s.tenant_id', '=', tenantId);
  if (filter.id) query = query.where('s.id', '=', filter.id);
  if (filter.kind) query = query.where('s.kind', '=', filter.kind);
  if (filter.conversationId) query = query.where('s.conversation_id', '=', filter.conversationId);
  if (filter.traceId) query = query.where('s.trace_id', '=', filter.traceId);
  const rows = await query
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id')
    .limit(Math.max(1, Math.min(filter.limit ?? 100, 1000)))
    .execute();
  return rows.map((row) => ({
    id: row.id,
    conversationId: row.conversation_id,
    traceId: row.trace_id,
    kind: row.kind,
    value: row.value,
    actor: row.actor,
    actorId: row.actor_id,
    details: (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>,
    createdAt: new Date(row.created_at).toISOString(),
    turn:
      row.route === null || row.route === undefined
        ? null
        : {
            route: row.route,
            tier: row.tier!,
            intent: row.intent ?? null,
            confidence: row.confidence!,
            text: row.text ?? null,
          },
  }));
}

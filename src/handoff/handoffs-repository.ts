import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { lockConversation } from '../conversations/index.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';
import type { AgentPrincipal } from './agents.js';
import type { QueueSettings } from './handoff-settings.js';
import type { HandoffRow } from './handoff-tables.js';

// The handoffs table and its events: plain functions that take `db` or a transaction first, so
// the services above them compose their own transactions. Every function is scoped by tenant.

export type { HandoffRow };

/** What a handoff's live update names; enough to publish `handoff.updated`. */
export type HandoffKey = Pick<HandoffRow, 'id' | 'tenant_id' | 'conversation_id'>;

export interface OpenHandoff {
  tenantId: string;
  conversationId: string;
  reason: string;
  requestedBy: HandoffRow['requested_by'];
  route: 'human' | 'assist';
  intent: string | null;
  turnId: string | null;
  /** Ahead of everyone waiting in its queue (a customer in crisis): queued as if long ago. */
  urgent?: boolean;
}

/** How far back an urgent handoff's place in line is set, so it is first and urgent ones stay in order. */
const URGENT_HEAD_START_MS = 10 * 365 * 24 * 3600 * 1000;

export async function findHandoff(db: Db, tenantId: string, handoffId: string): Promise<HandoffRow | undefined> {
  return db
    .selectFrom('handoffs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', handoffId)
    .executeTakeFirst();
}

/** The open handoff of a conversation, else the latest one. */
export async function findCurrentHandoff(
  db: Db,
  tenantId: string,
  conversationId: string,
): Promise<HandoffRow | undefined> {
  return db
    .selectFrom('handoffs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .orderBy(sql`case when status in ('waiting','assigned') then 0 else 1 end`)
    .orderBy('requested_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The conversation's most recently requested handoff, open or not. */
export async function findLatestHandoff(
  db: Db,
  tenantId: string,
  conversationId: string,
): Promise<HandoffRow | undefined> {
  return db
    .selectFrom('handoffs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .orderBy('requested_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The conversation's waiting or assigned handoff (at most one, enforced by an index). */
export async function findOpenHandoff(
  trx: Db,
  tenantId: string,
  conversationId: string,
): Promise<HandoffRow | undefined> {
  return trx
    .selectFrom('handoffs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .where('status', 'in', ['waiting', 'assigned'])
    .executeTakeFirst();
}

/** Locks and returns the open handoff the agent holds; 404 / 409 otherwise. */
export async function lockHeldHandoff(trx: Db, principal: AgentPrincipal, conversationId: string): Promise<HandoffRow> {
  // Lock the conversation row first (as a turn does, then the handoff): messages of one
  // conversation then commit in seq order, which streams rely on to have no gaps.
  await lockConversation(trx, principal.tenantId, conversationId);
  const open = await trx
    .selectFrom('handoffs')
    .selectAll()
    .where('tenant_id', '=', principal.tenantId)
    .where('conversation_id', '=', conversationId)
    .where('status', 'in', ['waiting', 'assigned'])
    .forUpdate()
    .executeTakeFirst();
  if (!open)
    throw new KefuError(ErrorCodes.handoffNotOpen, 'this conversation is not handed over to a person', { status: 409 });
  if (open.status !== 'assigned' || open.agent_id !== principal.agentId) {
    throw new KefuError(ErrorCodes.handoffNotAssignee, 'this conversation is not assigned to you; accept it first', {
      status: 409,
    });
  }
  return open;
}

/**
 * Opens a waiting handoff in `queue` with its SLA clocks started; undefined when the
 * conversation already has an open one (one open handoff per conversation, enforced by the index).
 */
export async function insertOpenHandoff(
  trx: Db,
  queue: QueueSettings,
  open: OpenHandoff,
): Promise<HandoffRow | undefined> {
  const now = new Date();
  return trx
    .insertInto('handoffs')
    .values({
      id: randomUUID(),
      tenant_id: open.tenantId,
      conversation_id: open.conversationId,
      queue: queue.name,
      status: 'waiting',
      reason: open.reason,
      requested_by: open.requestedBy,
      route: open.route,
      intent: open.intent,
      turn_id: open.turnId,
      requested_at: now,
      queued_at: open.urgent ? new Date(now.getTime() - URGENT_HEAD_START_MS) : now,
      first_response_due_at: new Date(now.getTime() + queue.sla.first_response_seconds * 1000),
      resolution_due_at: new Date(now.getTime() + queue.sla.resolution_seconds * 1000),
    })
    .onConflict((conflict) =>
      conflict.columns(['tenant_id', 'conversation_id']).where('status', 'in', ['waiting', 'assigned']).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

/** The audit trail of a handoff (requested, assigned, transferred, sla.breached, csat, …). */
export async function insertHandoffEvent(
  trx: Db,
  handoff: HandoffKey,
  kind: string,
  actor: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await trx
    .insertInto('handoff_events')
    .values({
      id: randomUUID(),
      tenant_id: handoff.tenant_id,
      handoff_id: handoff.id,
      conversation_id: handoff.conversation_id,
      kind,
      actor,
      details: JSON.stringify(details),
    })
    .execute();
}

/** The first event of `kind` a handoff recorded, if any. */
export async function findFirstHandoffEvent(db: Db, tenantId: string, handoffId: string, kind: string) {
  return db
    .selectFrom('handoff_events')
    .select(['details', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('handoff_id', '=', handoffId)
    .where('kind', '=', kind)
    .orderBy('created_at')
    .executeTakeFirst();
}

/** Who holds the conversation, written next to the handoff so the conversation list agrees with it. */
export async function setConversationHolder(
  trx: Db,
  tenantId: string,
  conversationId: string,
  holder: {
    status?: 'open' | 'pending' | 'resolved';
    assigneeKind?: 'agent' | 'bot' | 'none';
    assigneeId: string | null;
  },
  now = new Date(),
): Promise<void> {
  await trx
    .updateTable('conversations')
    .set({
      ...(holder.status ? { status: holder.status } : {}),
      ...(holder.assigneeKind ? { assignee_kind: holder.assigneeKind } : {}),
      assignee_id: holder.assigneeId,
      updated_at: now,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', conversationId)
    .execute();
}

// ── the line ─────────────────────────────────────────────────────────────────────────────────

/** Waiting handoffs in `queues`, oldest first. */
export async function listWaiting(
  db: Db,
  tenantId: string,
  queues: readonly string[],
  limit = 200,
): Promise<HandoffRow[]> {
  if (queues.length === 0) return [];
  return db
    .selectFrom('handoffs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'waiting')
    .where('queue', 'in', [...queues])
    .orderBy('queued_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function listAssignedTo(db: Db, tenantId: string, agentId: string): Promise<HandoffRow[]> {
  return db
    .selectFrom('handoffs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('agent_id', '=', agentId)
    .where('status', '=', 'assigned')
    .orderBy('assigned_at')
    .execute();
}

export async function countWaitingByQueue(db: Db, tenantId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('handoffs')
    .select(['queue', sql<string>`count(*)`.as('count')])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'waiting')
    .groupBy('queue')
    .execute();
  return new Map(rows.map((row) => [row.queue, Number(row.count)]));
}

/** 1 = next in line: how many of the queue's waiting handoffs were queued before this one, plus one. */
export async function placeInLine(
  db: Db,
  row: Pick<HandoffRow, 'id' | 'tenant_id' | 'queue' | 'queued_at'>,
): Promise<number> {
  const ahead = await db
    .selectFrom('handoffs')
    .select(sql<string>`count(*)`.as('count'))
    .where('tenant_id', '=', row.tenant_id)
    .where('queue', '=', row.queue)
    .where('status', '=', 'waiting')
    .where((eb) =>
      eb.or([
        eb('queued_at', '<', row.queued_at),
        eb.and([eb('queued_at', '=', row.queued_at), eb('id', '<', row.id)]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(ahead.count) + 1;
}

/** The ids of a queue's waiting handoffs in line order. */
export async function waitingLine(db: Db, tenantId: string, queue: string): Promise<string[]> {
  const rows = await db
    .selectFrom('handoffs')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('queue', '=', queue)
    .where('status', '=', 'waiting')
    .orderBy('queued_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}

export async function nextWaiting(db: Db, tenantId: string, queue: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('handoffs')
    .select(['id'])
    .where('tenant_id', '=', tenantId)
    .where('queue', '=', queue)
    .where('status', '=', 'waiting')
    .orderBy('queued_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

/** Handle times (assigned → finished, seconds) of a queue's latest `limit` finished handoffs, ascending. */
export async function recentHandleSeconds(db: Db, tenantId: string, queue: string, limit: number): Promise<number[]> {
  const finished = await db
    .selectFrom('handoffs')
    .select(['assigned_at', 'closed_at'])
    .where('tenant_id', '=', tenantId)
    .where('queue', '=', queue)
    .where('status', 'in', ['closed', 'returned'])
    .where('assigned_at', 'is not', null)
    .where('closed_at', 'is not', null)
    .orderBy('closed_at', 'desc')
    .limit(limit)
    .execute();
  return finished
    .map((row) => Math.max(0, (row.closed_at!.getTime() - row.assigned_at!.getTime()) / 1000))
    .sort((a, b) => a - b);
}

/** When each agent was last given a conversation (in `queue` only, when named), epoch ms. */
export async function lastAssignedAt(
  db: Db,
  tenantId: string,
  agentIds: readonly string[],
  queue: string | null,
): Promise<Map<string, number>> {
  if (agentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('handoffs')
    .select(['agent_id', sql<Date>`max(assigned_at)`.as('at')])
    .where('tenant_id', '=', tenantId)
    .where('agent_id', 'in', [...agentIds])
    .where('assigned_at', 'is not', null)
    .$if(queue !== null, (query) => query.where('queue', '=', queue!))
    .groupBy('agent_id')
    .execute();
  return new Map(rows.filter((row) => row.agent_id !== null).map((row) => [row.agent_id!, new Date(row.at).getTime()]));
}

export async function tenantsWithWaiting(db: Db, limit = 1000): Promise<string[]> {
  const rows = await db
    .selectFrom('handoffs')
    .select('tenant_id')
    .distinct()
    .where('status', '=', 'waiting')
    .limit(limit)
    .execute();
  return rows.map((row) => row.tenant_id);
}

// ── changes of state ─────────────────────────────────────────────────────────────────────────

/**
 * Conditional: only a waiting handoff (nobody holds it) can be assigned, so of two nodes or two
 * agents racing exactly one wins. Undefined for the loser. The conversation follows.
 */
export async function assignHandoff(
  trx: Db,
  tenantId: string,
  handoffId: string,
  agentId: string,
  event: { actor: string; kind: 'assigned' | 'accepted' },
): Promise<HandoffRow | undefined> {
  const now = new Date();
  const row = await trx
    .updateTable('handoffs')
    .set({ status: 'assigned', agent_id: agentId, assigned_at: now, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', handoffId)
    .where('status', '=', 'waiting')
    .where('agent_id', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!row) return undefined;
  await setConversationHolder(
    trx,
    tenantId,
    row.conversation_id,
    { status: 'open', assigneeKind: 'agent', assigneeId: agentId },
    now,
  );
  await insertHandoffEvent(trx, row, event.kind, event.actor, { agentId });
  return row;
}

/** Hands an assigned handoff to another agent (the caller checked their capacity). */
export async function reassignHandoff(
  trx: Db,
  handoff: HandoffRow,
  agentId: string,
  now = new Date(),
): Promise<HandoffRow> {
  const updated = await trx
    .updateTable('handoffs')
    .set({ agent_id: agentId, assigned_at: now, updated_at: now })
    .where('id', '=', handoff.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await setConversationHolder(trx, handoff.tenant_id, handoff.conversation_id, { assigneeId: agentId }, now);
  return updated;
}

/** Back into a queue, keeping its place by the original request time. */
export async function requeueHandoff(
  trx: Db,
  handoff: HandoffRow,
  queue: string,
  now = new Date(),
): Promise<HandoffRow> {
  const updated = await trx
    .updateTable('handoffs')
    .set({
      status: 'waiting',
      agent_id: null,
      assigned_at: null,
      queue,
      queued_at: handoff.requested_at,
      updated_at: now,
    })
    .where('id', '=', handoff.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await setConversationHolder(
    trx,
    handoff.tenant_id,
    handoff.conversation_id,
    { status: 'pending', assigneeKind: 'none', assigneeId: null },
    now,
  );
  return updated;
}

/** Ends a handoff: `closed` resolves the conversation, `returned` gives it back to the bot. */
export async function finishHandoff(
  trx: Db,
  handoff: HandoffRow,
  end: { status: 'closed' | 'returned'; resolutionCode: string | null; note: string | null },
  now = new Date(),
): Promise<HandoffRow> {
  const updated = await trx
    .updateTable('handoffs')
    .set({
      status: end.status,
      closed_at: now,
      resolution_code: end.resolutionCode,
      resolution_note: end.note?.slice(0, 2000) ?? null,
      updated_at: now,
    })
    .where('id', '=', handoff.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await setConversationHolder(
    trx,
    handoff.tenant_id,
    handoff.conversation_id,
    { status: end.status === 'closed' ? 'resolved' : 'open', assigneeKind: 'bot', assigneeId: null },
    now,
  );
  return updated;
}

/** After a public agent message: the first one stops the first-response SLA clock. */
export async function markFirstResponse(trx: Db, handoff: HandoffRow): Promise<void> {
  const now = new Date();
  await trx
    .updateTable('conversations')
    .set({ last_message_at: now, updated_at: now })
    .where('tenant_id', '=', handoff.tenant_id)
    .where('id', '=', handoff.conversation_id)
    .execute();
  if (handoff.first_response_at) return;
  await trx
    .updateTable('handoffs')
    .set({ first_response_at: now, updated_at: now })
    .where('id', '=', handoff.id)
    .where('first_response_at', 'is', null)
    .execute();
}

// ── clocks ───────────────────────────────────────────────────────────────────────────────────

/**
 * Marks open handoffs whose `kind` clock ran out at `now`, each once: the update is conditional
 * on the breach not being recorded yet, so several nodes checking at once report it once.
 */
export async function markSlaBreaches(db: Db, kind: 'first_response' | 'resolution', now: Date): Promise<HandoffRow[]> {
  const first = kind === 'first_response';
  return db
    .updateTable('handoffs')
    .set(first ? { first_response_breached_at: now } : { resolution_breached_at: now })
    .where('status', 'in', ['waiting', 'assigned'])
    .where(first ? 'first_response_at' : 'closed_at', 'is', null)
    .where(first ? 'first_response_due_at' : 'resolution_due_at', '<', now)
    .where(first ? 'first_response_breached_at' : 'resolution_breached_at', 'is', null)
    .returningAll()
    .execute();
}

/** Assigned handoffs whose agent is disabled, went offline before `cutoff`, or was last seen before it. */
export async function findStaleAssignments(db: Db, cutoff: Date, limit = 1000) {
  return db
    .selectFrom('handoffs')
    .innerJoin('agents', (join) =>
      join.onRef('agents.id', '=', 'handoffs.agent_id').onRef('agents.tenant_id', '=', 'handoffs.tenant_id'),
    )
    .select(['handoffs.id', 'handoffs.tenant_id', 'handoffs.agent_id'])
    .where('handoffs.status', '=', 'assigned')
    .where((eb) =>
      eb.or([
        eb('agents.disabled_at', 'is not', null),
        eb.and([eb('agents.presence', '=', 'offline'), eb('agents.presence_changed_at', '<', cutoff)]),
        eb('agents.last_seen_at', 'is', null),
        eb('agents.last_seen_at', '<', cutoff),
      ]),
    )
    .limit(limit)
    .execute();
}

/** Conditional on the same agent still holding it; undefined when someone else changed it first. */
export async function reclaimHandoff(
  trx: Db,
  entry: { id: string; tenant_id: string; agent_id: string | null },
  now: Date,
): Promise<HandoffRow | undefined> {
  const updated = await trx
    .updateTable('handoffs')
    .set((eb) => ({
      status: 'waiting',
      agent_id: null,
      assigned_at: null,
      queued_at: eb.ref('requested_at'),
      updated_at: now,
    }))
    .where('tenant_id', '=', entry.tenant_id)
    .where('id', '=', entry.id)
    .where('status', '=', 'assigned')
    .$if(entry.agent_id !== null, (query) => query.where('agent_id', '=', entry.agent_id!))
    .returningAll()
    .executeTakeFirst();
  if (!updated) return undefined;
  await setConversationHolder(
    trx,
    entry.tenant_id,
    updated.conversation_id,
    { status: 'pending', assigneeKind: 'none', assigneeId: null },
    now,
  );
  return updated;
}

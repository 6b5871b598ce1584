import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { EventBus } from '../bus/index.js';
import { toConversation, toMessage, validateMessageText, type Conversation, type Message, type RoutedTurn } from '../conversations/index.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { applyStyleGuide } from '../engine/style-guard.js';
import type { TenantRuntimeCache } from '../engine/tenant-runtime.js';
import type { ChatModel } from '../llm/index.js';
import type { Db } from '../store/database.js';
import { buildContextPanel, type ContextPanel } from './context-panel.js';
import type { MessagePart, MessageRow } from '../store/schema.js';
import { activeCounts, touchAgent, type AgentPrincipal } from './agents.js';
import { editDistance } from './edit-distance.js';
import type { DraftRow, HandoffRow, Presence } from './handoff-tables.js';
import { agentFitsQueue, pickQueue, resolveHandoffSettings, type HandoffSettings, type QueueSettings } from './handoff-settings.js';

export const RESOLUTION_CODES = ['resolved', 'refunded', 'replaced', 'escalated', 'no_response', 'duplicate', 'other'] as const;
export type ResolutionCode = (typeof RESOLUTION_CODES)[number];

/** Handle time assumed while a queue has fewer than this many finished handoffs. */
const DEFAULT_HANDLE_SECONDS = 300;
const MIN_HANDLE_SAMPLES = 5;
const HANDLE_SAMPLES = 50;

export interface HandoffView {
  id: string;
  conversationId: string;
  queue: string;
  status: HandoffRow['status'];
  reason: string;
  requestedBy: HandoffRow['requested_by'];
  route: HandoffRow['route'];
  intent: string | null;
  agentId: string | null;
  agentName: string | null;
  requestedAt: string;
  assignedAt: string | null;
  firstResponseAt: string | null;
  closedAt: string | null;
  resolutionCode: string | null;
  firstResponseDueAt: string;
  resolutionDueAt: string;
  firstResponseBreachedAt: string | null;
  resolutionBreachedAt: string | null;
  /** 1 = next in line; null unless waiting. */
  position: number | null;
  /** Estimated seconds until an agent takes it; null when not waiting or nobody of the queue is online. */
  etaSeconds: number | null;
}

export interface DraftView {
  id: string;
  conversationId: string;
  turnId: string | null;
  text: string;
  status: DraftRow['status'];
  finalText: string | null;
  editDistance: number | null;
  agentId: string | null;
  decidedAt: string | null;
  createdAt: string;
}

export interface QueueStats {
  name: string;
  skills: string[];
  assignment: QueueSettings['assignment'];
  waiting: number;
  agentsOnline: number;
  slots: number;
  medianHandleSeconds: number;
  /** ETA of the next customer in line; null when nobody of the queue is online. */
  etaSeconds: number | null;
  sla: { firstResponseSeconds: number; resolutionSeconds: number };
}


export interface HandoffServiceDeps {
  db: Db;
  bus: EventBus;
  runtimes: TenantRuntimeCache;
  /** The LLM tier, when configured: the context panel's summary is then written by it. */
  llm?: { model: ChatModel; timeoutMs: number };
  maxMessageChars: number;
  reclaimAfterMs: number;
  checkIntervalMs: number;
  onError?: (error: unknown, what: string) => void;
}

function notFound(): KefuError {
  // The same answer whether the conversation does not exist or belongs to another tenant.
  return new KefuError(ErrorCodes.conversationNotFound, 'conversation not found', { status: 404 });
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function toDraftView(row: DraftRow): DraftView {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    turnId: row.turn_id,
    text: row.text,
    status: row.status,
    finalText: row.final_text,
    editDistance: row.edit_distance,
    agentId: row.agent_id,
    decidedAt: iso(row.decided_at),
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Queues, assignment, agent actions, assist drafts, SLA timers and reclaims (docs/handoff.md).
 * Every method takes the tenant (or an agent principal, which carries it); live updates are
 * published on the bus after each commit, never delivered in memory.
 */
export class HandoffService {
  readonly #statsCache = new Map<string, { at: number; stats: Omit<QueueStats, 'waiting' | 'etaSeconds'> }>();
  readonly #settingsCache = new Map<string, { at: number; settings: HandoffSettings }>();
  #timer: NodeJS.Timeout | null = null;
  #checking: Promise<unknown> | null = null;

  constructor(private readonly deps: HandoffServiceDeps) {}

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────

  /** Starts the periodic checker (SLA breaches, reclaims, waiting assignments); unref'd. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#checking) return;
      this.#checking = this.runChecks()
        .catch((error) => this.deps.onError?.(error, 'hand-off checks failed'))
        .finally(() => {
          this.#checking = null;
        });
    }, this.deps.checkIntervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#checking;
  }

  // ── settings and stats ───────────────────────────────────────────────────────────────────

  /** Pass the transaction when inside one: PGlite has a single connection. */
  async settings(tenantId: string, executor: Db = this.deps.db): Promise<HandoffSettings> {
    const cached = this.#settingsCache.get(tenantId);
    if (cached && Date.now() - cached.at < 5000) return cached.settings;
    const row = await executor.selectFrom('tenants').select(['settings']).where('id', '=', tenantId).executeTakeFirst();
    const settings = resolveHandoffSettings((row?.settings as Record<string, unknown> | undefined)?.handoff);
    this.#settingsCache.set(tenantId, { at: Date.now(), settings });
    return settings;
  }

  #invalidate(tenantId: string): void {
    for (const key of this.#statsCache.keys()) if (key.startsWith(`${tenantId}/`)) this.#statsCache.delete(key);
  }

  /** Median handle time, agents online and their slots for one queue (cached for 2 s). */
  async #queueBase(tenantId: string, queue: QueueSettings): Promise<Omit<QueueStats, 'waiting' | 'etaSeconds'>> {
    const key = `${tenantId}/${queue.name}`;
    const cached = this.#statsCache.get(key);
    if (cached && Date.now() - cached.at < 2000) return cached.stats;
    const { db } = this.deps;
    const finished = await db
      .selectFrom('handoffs')
      .select(['assigned_at', 'closed_at'])
      .where('tenant_id', '=', tenantId)
      .where('queue', '=', queue.name)
      .where('status', 'in', ['closed', 'returned'])
      .where('assigned_at', 'is not', null)
      .where('closed_at', 'is not', null)
      .orderBy('closed_at', 'desc')
      .limit(HANDLE_SAMPLES)
      .execute();
    const durations = finished.map((row) => Math.max(0, (row.closed_at!.getTime() - row.assigned_at!.getTime()) / 1000)).sort((a, b) => a - b);
    const medianHandleSeconds =
      durations.length < MIN_HANDLE_SAMPLES
        ? DEFAULT_HANDLE_SECONDS
        : durations.length % 2 === 1
          ? durations[(durations.length - 1) / 2]!
          : (durations[durations.length / 2 - 1]! + durations[durations.length / 2]!) / 2;
    const online = (await this.#availableAgents(tenantId)).filter((agent) => agentFitsQueue(agent.skills, queue));
    const stats = {
      name: queue.name,
      skills: queue.skills,
      assignment: queue.assignment,
      agentsOnline: online.length,
      slots: online.reduce((sum, agent) => sum + agent.max_concurrent, 0),
      medianHandleSeconds: Math.round(medianHandleSeconds),
      sla: { firstResponseSeconds: queue.sla.first_response_seconds, resolutionSeconds: queue.sla.resolution_seconds },
    };
    this.#statsCache.set(key, { at: Date.now(), stats });
    return stats;
  }

  /** ETA = median handle time × position ÷ slots of the queue's online agents (docs/handoff.md). */
  #eta(base: { slots: number; medianHandleSeconds: number }, position: number): number | null {
    if (base.slots === 0) return null;
    return Math.round((base.medianHandleSeconds * position) / base.slots);
  }

  async queueStats(tenantId: string): Promise<QueueStats[]> {
    const settings = await this.settings(tenantId);
    const waiting = await this.deps.db
      .selectFrom('handoffs')
      .select(['queue', sql<string>`count(*)`.as('count')])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'waiting')
      .groupBy('queue')
      .execute();
    const counts = new Map(waiting.map((row) => [row.queue, Number(row.count)]));
    const result: QueueStats[] = [];
    for (const queue of settings.queues) {
      const base = await this.#queueBase(tenantId, queue);
      result.push({ ...base, waiting: counts.get(queue.name) ?? 0, etaSeconds: this.#eta(base, 1) });
    }
    return result;
  }

  /** Enabled agents who are online, whose console was seen recently, with their open chat counts. */
  async #availableAgents(tenantId: string) {
    const cutoff = new Date(Date.now() - this.deps.reclaimAfterMs);
    const rows = await this.deps.db
      .selectFrom('agents')
      .select(['id', 'name', 'skills', 'max_concurrent'])
      .where('tenant_id', '=', tenantId)
      .where('disabled_at', 'is', null)
      .where('presence', '=', 'online')
      .where('last_seen_at', '>', cutoff)
      .orderBy('id')
      .execute();
    return rows;
  }

  // ── views ────────────────────────────────────────────────────────────────────────────────

  async #views(tenantId: string, rows: HandoffRow[]): Promise<HandoffView[]> {
    if (rows.length === 0) return [];
    const { db } = this.deps;
    const agentIds = [...new Set(rows.map((row) => row.agent_id).filter((id): id is string => id !== null))];
    const names = new Map(
      agentIds.length === 0
        ? []
        : (await db.selectFrom('agents').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', agentIds).execute()).map((row) => [row.id, row.name]),
    );
    const settings = await this.settings(tenantId);
    // Places in line: one ordered read per queue with waiting rows (not one count per row).
    const positions = new Map<string, number>();
    const waitingQueues = [...new Set(rows.filter((row) => row.status === 'waiting').map((row) => row.queue))];
    if (waitingQueues.length === 1 && rows.length === 1) {
      const row = rows[0]!;
      const ahead = await db
        .selectFrom('handoffs')
        .select(sql<string>`count(*)`.as('count'))
        .where('tenant_id', '=', tenantId)
        .where('queue', '=', row.queue)
        .where('status', '=', 'waiting')
        .where((eb) => eb.or([eb('queued_at', '<', row.queued_at), eb.and([eb('queued_at', '=', row.queued_at), eb('id', '<', row.id)])]))
        .executeTakeFirstOrThrow();
      positions.set(row.id, Number(ahead.count) + 1);
    } else {
      for (const queue of waitingQueues) {
        const line = await db.selectFrom('handoffs').select('id').where('tenant_id', '=', tenantId).where('queue', '=', queue).where('status', '=', 'waiting').orderBy('queued_at').orderBy('id').execute();
        line.forEach((entry, index) => positions.set(entry.id, index + 1));
      }
    }
    const views: HandoffView[] = [];
    for (const row of rows) {
      let position: number | null = null;
      let etaSeconds: number | null = null;
      if (row.status === 'waiting') {
        position = positions.get(row.id) ?? 1;
        const queue = settings.queues.find((entry) => entry.name === row.queue) ?? settings.queues[0]!;
        etaSeconds = this.#eta(await this.#queueBase(tenantId, queue), position);
      }
      views.push({
        id: row.id,
        conversationId: row.conversation_id,
        queue: row.queue,
        status: row.status,
        reason: row.reason,
        requestedBy: row.requested_by,
        route: row.route,
        intent: row.intent,
        agentId: row.agent_id,
        agentName: row.agent_id ? (names.get(row.agent_id) ?? null) : null,
        requestedAt: row.requested_at.toISOString(),
        assignedAt: iso(row.assigned_at),
        firstResponseAt: iso(row.first_response_at),
        closedAt: iso(row.closed_at),
        resolutionCode: row.resolution_code,
        firstResponseDueAt: row.first_response_due_at.toISOString(),
        resolutionDueAt: row.resolution_due_at.toISOString(),
        firstResponseBreachedAt: iso(row.first_response_breached_at),
        resolutionBreachedAt: iso(row.resolution_breached_at),
        position,
        etaSeconds,
      });
    }
    return views;
  }

  async handoffView(tenantId: string, handoffId: string): Promise<HandoffView | null> {
    const row = await this.deps.db.selectFrom('handoffs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', handoffId).executeTakeFirst();
    return row ? ((await this.#views(tenantId, [row]))[0] ?? null) : null;
  }

  /** The open handoff of a conversation, else the latest one, else null. */
  async currentHandoff(tenantId: string, conversationId: string): Promise<HandoffView | null> {
    const row = await this.deps.db
      .selectFrom('handoffs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .orderBy(sql`case when status in ('waiting','assigned') then 0 else 1 end`)
      .orderBy('requested_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? ((await this.#views(tenantId, [row]))[0] ?? null) : null;
  }

  /** Waiting conversations in the queues the agent is skilled for (or one queue), oldest first. */
  async waitingFor(principal: AgentPrincipal, queueName?: string): Promise<HandoffView[]> {
    const settings = await this.settings(principal.tenantId);
    const agent = await this.deps.db.selectFrom('agents').select(['skills']).where('tenant_id', '=', principal.tenantId).where('id', '=', principal.agentId).executeTakeFirstOrThrow();
    if (queueName !== undefined && !settings.queues.some((queue) => queue.name === queueName)) {
      throw new KefuError(ErrorCodes.queueNotFound, 'queue not found', { status: 404 });
    }
    const queues = settings.queues.filter((queue) => (queueName === undefined ? agentFitsQueue(agent.skills, queue) : queue.name === queueName)).map((queue) => queue.name);
    if (queues.length === 0) return [];
    const rows = await this.deps.db
      .selectFrom('handoffs')
      .selectAll()
      .where('tenant_id', '=', principal.tenantId)
      .where('status', '=', 'waiting')
      .where('queue', 'in', queues)
      .orderBy('queued_at')
      .orderBy('id')
      .limit(200)
      .execute();
    return this.#views(principal.tenantId, rows);
  }

  async assignedTo(principal: AgentPrincipal): Promise<HandoffView[]> {
    const rows = await this.deps.db
      .selectFrom('handoffs')
      .selectAll()
      .where('tenant_id', '=', principal.tenantId)
      .where('agent_id', '=', principal.agentId)
      .where('status', '=', 'assigned')
      .orderBy('assigned_at')
      .execute();
    return this.#views(principal.tenantId, rows);
  }

  async drafts(tenantId: string, conversationId: string): Promise<DraftView[]> {
    const rows = await this.deps.db.selectFrom('drafts').selectAll().where('tenant_id', '=', tenantId).where('conversation_id', '=', conversationId).orderBy('created_at').execute();
    return rows.map(toDraftView);
  }

  async reads(tenantId: string, conversationId: string): Promise<{ contact: string | null; agent: string | null }> {
    const rows = await this.deps.db
      .selectFrom('conversation_reads')
      .select(['reader_kind', sql<string>`max(last_read_seq)`.as('seq')])
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .groupBy('reader_kind')
      .execute();
    const of = (kind: string) => rows.find((row) => row.reader_kind === kind)?.seq;
    return { contact: of('contact') ? String(of('contact')) : null, agent: of('agent') ? String(of('agent')) : null };
  }

  /** The latest public message of each conversation (one query). */
  async lastPublicMessages(tenantId: string, conversationIds: string[]): Promise<Map<string, Message>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.deps.db
      .selectFrom('messages')
      .selectAll()
      .distinctOn('conversation_id')
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', 'in', conversationIds)
      .where('visibility', '=', 'public')
      .orderBy('conversation_id')
      .orderBy('seq', 'desc')
      .execute();
    return new Map(rows.map((row) => [row.conversation_id, toMessage(row)]));
  }

  /** Conversations by id, in one query. */
  async conversationsById(tenantId: string, conversationIds: string[]): Promise<Map<string, Conversation>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.deps.db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', conversationIds).execute();
    return new Map(rows.map((row) => [row.id, toConversation(row)]));
  }

  /** Last `limit` messages of a conversation, public and internal, oldest first. */
  async recentMessages(tenantId: string, conversationId: string, limit = 200): Promise<Message[]> {
    const rows = await this.deps.db
      .selectFrom('messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map(toMessage);
  }

  /** The console's context panel for one conversation (docs/handoff.md). */
  async contextPanel(tenantId: string, conversationId: string): Promise<ContextPanel> {
    await this.requireConversation(tenantId, conversationId);
    const handoff = await this.currentHandoff(tenantId, conversationId);
    return buildContextPanel({ db: this.deps.db, runtimes: this.deps.runtimes, ...(this.deps.llm ? { llm: this.deps.llm } : {}) }, tenantId, conversationId, await this.settings(tenantId), handoff);
  }

  async requireConversation(tenantId: string, conversationId: string) {
    const row = await this.deps.db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', conversationId).executeTakeFirst();
    if (!row) throw notFound();
    return row;
  }

  // ── requests from turns ──────────────────────────────────────────────────────────────────

  /**
   * Inside the turn's last transaction: queues the conversation (unless a handoff is already
   * open) and keeps an assist draft. Returns what to run after the commit (events, assignment).
   */
  async onTurnRouted(trx: Db, turn: RoutedTurn): Promise<() => Promise<void>> {
    const settings = await this.settings(turn.tenantId, trx);
    const queue = pickQueue(settings, { intent: turn.intent, reason: turn.reason });
    const created = await this.#insertOpenHandoff(trx, queue, {
      tenantId: turn.tenantId,
      conversationId: turn.conversationId,
      reason: (turn.reason ?? turn.route).slice(0, 1000),
      requestedBy: turn.requestedBy ?? 'bot',
      route: turn.route,
      intent: turn.intent,
      turnId: turn.turnId,
    });
    if (created) await this.#event(trx, created, 'requested', turn.requestedBy ?? 'bot', { reason: created.reason, intent: turn.intent });
    const draft = turn.draft
      ? await trx
          .insertInto('drafts')
          .values({
            id: randomUUID(),
            tenant_id: turn.tenantId,
            conversation_id: turn.conversationId,
            turn_id: turn.turnId,
            message_id: turn.draft.messageId,
            text: turn.draft.text,
            parts: JSON.stringify(turn.draft.parts),
            status: 'pending',
          })
          .returningAll()
          .executeTakeFirstOrThrow()
      : null;
    return async () => {
      if (created) {
        this.#invalidate(turn.tenantId);
        await this.#publishHandoff(created);
      }
      if (draft) await this.deps.bus.publish({ type: 'draft.updated', tenantId: turn.tenantId, conversationId: turn.conversationId, draftId: draft.id, status: draft.status });
      if (created) await this.assignWaiting(turn.tenantId);
    };
  }

  async #event(trx: Db, handoff: Pick<HandoffRow, 'id' | 'tenant_id' | 'conversation_id'>, kind: string, actor: string, details: Record<string, unknown> = {}): Promise<void> {
    await trx
      .insertInto('handoff_events')
      .values({ id: randomUUID(), tenant_id: handoff.tenant_id, handoff_id: handoff.id, conversation_id: handoff.conversation_id, kind, actor, details: JSON.stringify(details) })
      .execute();
  }

  async #publishHandoff(row: Pick<HandoffRow, 'id' | 'tenant_id' | 'conversation_id' | 'queue' | 'status' | 'agent_id'>): Promise<void> {
    await this.deps.bus.publish({
      type: 'handoff.updated',
      tenantId: row.tenant_id,
      conversationId: row.conversation_id,
      handoffId: row.id,
      queue: row.queue,
      status: row.status,
      agentId: row.agent_id,
    });
  }

  // ── assignment ───────────────────────────────────────────────────────────────────────────

  /** Assigns waiting conversations, oldest first, to skilled online agents with capacity. */
  async assignWaiting(tenantId: string): Promise<number> {
    const settings = await this.settings(tenantId);
    let assigned = 0;
    for (const queue of settings.queues) {
      if (queue.assignment === 'manual') continue;
      for (let attempt = 0; attempt < 200; attempt += 1) {
        const next = await this.deps.db
          .selectFrom('handoffs')
          .select(['id'])
          .where('tenant_id', '=', tenantId)
          .where('queue', '=', queue.name)
          .where('status', '=', 'waiting')
          .orderBy('queued_at')
          .orderBy('id')
          .limit(1)
          .executeTakeFirst();
        if (!next) break;
        const agentId = await this.#pickAgent(tenantId, queue);
        if (!agentId) break;
        const row = await this.deps.db.transaction().execute(async (trx) => {
          // Lock the agent: two nodes assigning at once never push an agent over capacity.
          const agent = await trx.selectFrom('agents').select(['max_concurrent']).where('tenant_id', '=', tenantId).where('id', '=', agentId).forUpdate().executeTakeFirstOrThrow();
          const active = (await activeCounts(trx, tenantId, [agentId])).get(agentId) ?? 0;
          if (active >= agent.max_concurrent) return null;
          return this.#assignIn(trx, tenantId, next.id, agentId, 'system', 'assigned');
        });
        if (!row) continue;
        assigned += 1;
        this.#invalidate(tenantId);
        await this.#publishHandoff(row);
      }
    }
    return assigned;
  }

  async #pickAgent(tenantId: string, queue: QueueSettings): Promise<string | null> {
    const candidates = (await this.#availableAgents(tenantId)).filter((agent) => agentFitsQueue(agent.skills, queue));
    if (candidates.length === 0) return null;
    const ids = candidates.map((agent) => agent.id);
    const counts = await activeCounts(this.deps.db, tenantId, ids);
    // When each candidate was last given a conversation (in this queue, for round-robin).
    const last = await this.deps.db
      .selectFrom('handoffs')
      .select(['agent_id', sql<Date>`max(assigned_at)`.as('at')])
      .where('tenant_id', '=', tenantId)
      .where('agent_id', 'in', ids)
      .where('assigned_at', 'is not', null)
      .$if(queue.assignment === 'round_robin', (query) => query.where('queue', '=', queue.name))
      .groupBy('agent_id')
      .execute();
    const lastAt = new Map(last.map((row) => [row.agent_id, new Date(row.at).getTime()]));
    const free = candidates.filter((agent) => (counts.get(agent.id) ?? 0) < agent.max_concurrent);
    if (free.length === 0) return null;
    free.sort((a, b) => {
      if (queue.assignment === 'least_busy') {
        const load = (counts.get(a.id) ?? 0) - (counts.get(b.id) ?? 0);
        if (load !== 0) return load;
      }
      const since = (lastAt.get(a.id) ?? 0) - (lastAt.get(b.id) ?? 0);
      return since !== 0 ? since : a.id.localeCompare(b.id);
    });
    return free[0]!.id;
  }

  /** Conditional: only a waiting handoff (nobody holds it) can be assigned. */
  async #assignIn(trx: Db, tenantId: string, handoffId: string, agentId: string, actor: string, kind: 'assigned' | 'accepted'): Promise<HandoffRow | null> {
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
    if (!row) return null;
    await trx
      .updateTable('conversations')
      .set({ status: 'open', assignee_kind: 'agent', assignee_id: agentId, updated_at: now })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', row.conversation_id)
      .execute();
    await this.#event(trx, row, kind, actor, { agentId });
    return row;
  }

  // ── agent actions ────────────────────────────────────────────────────────────────────────

  /**
   * Takes a conversation. Exactly one of two agents accepting at once wins (a conditional
   * update); the other gets 409 CS_HANDOFF_ALREADY_ACCEPTED. Idempotent for the assignee.
   */
  async accept(principal: AgentPrincipal, conversationId: string): Promise<HandoffView> {
    const { tenantId, agentId } = principal;
    await this.requireConversation(tenantId, conversationId);
    const taken = () => new KefuError(ErrorCodes.handoffAlreadyAccepted, 'another agent has already taken this conversation', { status: 409 });
    const result = await this.deps.db.transaction().execute(async (trx) => {
      const agent = await trx.selectFrom('agents').select(['max_concurrent']).where('tenant_id', '=', tenantId).where('id', '=', agentId).forUpdate().executeTakeFirstOrThrow();
      const open = await trx
        .selectFrom('handoffs')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('conversation_id', '=', conversationId)
        .where('status', 'in', ['waiting', 'assigned'])
        .executeTakeFirst();
      if (open?.status === 'assigned') {
        if (open.agent_id === agentId) return { row: open, changed: false };
        throw taken();
      }
      const active = (await activeCounts(trx, tenantId, [agentId])).get(agentId) ?? 0;
      if (active >= agent.max_concurrent) {
        throw new KefuError(ErrorCodes.agentAtCapacity, `you already hold ${active} conversations (your limit is ${agent.max_concurrent})`, { status: 409 });
      }
      if (open) {
        const row = await this.#assignIn(trx, tenantId, open.id, agentId, `agent:${agentId}`, 'accepted');
        if (!row) throw taken();
        return { row, changed: true };
      }
      // Still with the bot: the agent takes over (a handoff requested by the agent).
      const settings = await this.settings(tenantId, trx);
      const queue = settings.queues.find((entry) => entry.name === settings.defaultQueue) ?? settings.queues[0]!;
      const inserted = await this.#insertOpenHandoff(trx, queue, {
        tenantId,
        conversationId,
        reason: 'taken over by an agent',
        requestedBy: 'agent',
        route: 'human',
        intent: null,
        turnId: null,
      });
      if (!inserted) throw taken();
      await this.#event(trx, inserted, 'requested', `agent:${agentId}`, { reason: inserted.reason });
      const row = await this.#assignIn(trx, tenantId, inserted.id, agentId, `agent:${agentId}`, 'accepted');
      if (!row) throw taken();
      return { row, changed: true };
    });
    if (result.changed) {
      this.#invalidate(tenantId);
      await this.#publishHandoff(result.row);
    }
    return (await this.#views(tenantId, [result.row]))[0]!;
  }

  /** Locks and returns the open handoff the agent holds; 404 / 409 otherwise. */
  async #held(trx: Db, principal: AgentPrincipal, conversationId: string): Promise<HandoffRow> {
    // Lock the conversation row first (as a turn does, then the handoff): messages of one
    // conversation then commit in seq order, which streams rely on to have no gaps.
    const conversation = await trx.selectFrom('conversations').select(['id']).where('tenant_id', '=', principal.tenantId).where('id', '=', conversationId).forUpdate().executeTakeFirst();
    if (!conversation) throw notFound();
    const open = await trx
      .selectFrom('handoffs')
      .selectAll()
      .where('tenant_id', '=', principal.tenantId)
      .where('conversation_id', '=', conversationId)
      .where('status', 'in', ['waiting', 'assigned'])
      .forUpdate()
      .executeTakeFirst();
    if (!open) throw new KefuError(ErrorCodes.handoffNotOpen, 'this conversation is not handed over to a person', { status: 409 });
    if (open.status !== 'assigned' || open.agent_id !== principal.agentId) {
      throw new KefuError(ErrorCodes.handoffNotAssignee, 'this conversation is not assigned to you; accept it first', { status: 409 });
    }
    return open;
  }

  /**
   * Opens a waiting handoff in `queue` with its SLA clocks started; undefined when the
   * conversation already has an open one (one open handoff per conversation, enforced by the index).
   */
  async #insertOpenHandoff(
    trx: Db,
    queue: QueueSettings,
    open: { tenantId: string; conversationId: string; reason: string; requestedBy: HandoffRow['requested_by']; route: 'human' | 'assist'; intent: string | null; turnId: string | null },
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
        queued_at: now,
        first_response_due_at: new Date(now.getTime() + queue.sla.first_response_seconds * 1000),
        resolution_due_at: new Date(now.getTime() + queue.sla.resolution_seconds * 1000),
      })
      .onConflict((conflict) => conflict.columns(['tenant_id', 'conversation_id']).where('status', 'in', ['waiting', 'assigned']).doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  async #insertAgentMessage(trx: Db, principal: AgentPrincipal, conversationId: string, text: string, visibility: 'public' | 'internal', externalId: string | null) {
    const row = await trx
      .insertInto('messages')
      .values({
        id: randomUUID(),
        tenant_id: principal.tenantId,
        conversation_id: conversationId,
        direction: 'outgoing',
        visibility,
        sender_kind: 'agent',
        sender_id: principal.agentId,
        content: JSON.stringify([{ type: 'text', text }] satisfies MessagePart[]),
        text,
        external_id: externalId,
        turn_id: null,
      })
      .onConflict((conflict) => conflict.columns(['tenant_id', 'conversation_id', 'external_id']).where('external_id', 'is not', null).doNothing())
      .returningAll()
      .executeTakeFirst();
    return row;
  }

  /** After a public agent message: the first one stops the first-response SLA clock. */
  async #markFirstResponse(trx: Db, handoff: HandoffRow): Promise<void> {
    const now = new Date();
    await trx.updateTable('conversations').set({ last_message_at: now, updated_at: now }).where('tenant_id', '=', handoff.tenant_id).where('id', '=', handoff.conversation_id).execute();
    if (handoff.first_response_at) return;
    await trx.updateTable('handoffs').set({ first_response_at: now, updated_at: now }).where('id', '=', handoff.id).where('first_response_at', 'is', null).execute();
  }

  /**
   * An agent's message. Public ones need the agent to hold the conversation; internal notes
   * any agent of the tenant may add. A repeated `clientId` returns the first message.
   */
  async sendMessage(
    principal: AgentPrincipal,
    conversationId: string,
    input: { text: string; clientId?: string; visibility?: 'public' | 'internal' },
  ): Promise<{ message: Message; duplicate: boolean }> {
    const visibility = input.visibility ?? 'public';
    const written = validateMessageText(input.text, this.deps.maxMessageChars);
    // Internal notes are for colleagues; only what the customer sees follows the style guide.
    const text = visibility === 'public' ? await this.#styled(principal.tenantId, written) : written;
    const externalId = input.clientId ? `agent:${principal.agentId}:${input.clientId}` : null;
    const result = await this.deps.db.transaction().execute(async (trx) => {
      let handoff: HandoffRow | null = null;
      if (visibility === 'public') handoff = await this.#held(trx, principal, conversationId);
      else await this.requireConversationIn(trx, principal.tenantId, conversationId);
      const row = await this.#insertAgentMessage(trx, principal, conversationId, text, visibility, externalId);
      if (!row) {
        const existing = await trx
          .selectFrom('messages')
          .selectAll()
          .where('tenant_id', '=', principal.tenantId)
          .where('conversation_id', '=', conversationId)
          .where('external_id', '=', externalId!)
          .executeTakeFirstOrThrow();
        if (existing.text !== text) throw new KefuError(ErrorCodes.idempotencyConflict, 'this clientId was already used for a different message', { status: 409 });
        return { row: existing, duplicate: true, handoff };
      }
      if (handoff) await this.#markFirstResponse(trx, handoff);
      return { row, duplicate: false, handoff };
    });
    const message = toMessage(result.row);
    if (!result.duplicate) {
      await this.deps.bus.publish({ type: 'message.created', tenantId: principal.tenantId, conversationId, messageId: message.id, seq: message.seq });
      if (result.handoff && !result.handoff.first_response_at) await this.#publishHandoff(result.handoff);
    }
    return { message, duplicate: result.duplicate };
  }

  /**
   * The tenant's style guide on what an agent sends (S16): replacements applied, a forbidden
   * phrase that survives them refused with 422. Call outside transactions (it may load the runtime).
   */
  async #styled(tenantId: string, text: string): Promise<string> {
    const runtime = await this.deps.runtimes.get(tenantId);
    const outcome = applyStyleGuide(text, runtime.style);
    if (outcome.violations.length > 0) {
      throw new KefuError(ErrorCodes.styleViolation, `the message uses phrases the style guide forbids: ${outcome.violations.join('、')}`, { status: 422 });
    }
    return outcome.text;
  }

  async requireConversationIn(trx: Db, tenantId: string, conversationId: string): Promise<void> {
    // Locked: a message inserted after this commits in seq order with the conversation's others.
    const row = await trx.selectFrom('conversations').select(['id']).where('tenant_id', '=', tenantId).where('id', '=', conversationId).forUpdate().executeTakeFirst();
    if (!row) throw notFound();
  }

  /** Approve (send as is), edit (send the agent's text; the edit distance is stored) or reject. */
  async decideDraft(
    principal: AgentPrincipal,
    conversationId: string,
    draftId: string,
    decision: { action: 'approve' } | { action: 'edit'; text: string } | { action: 'reject'; reason?: string },
  ): Promise<{ draft: DraftView; message: Message | null }> {
    let finalText: string | null = null;
    if (decision.action === 'edit') finalText = await this.#styled(principal.tenantId, validateMessageText(decision.text, this.deps.maxMessageChars));
    else if (decision.action === 'approve') {
      const pending = await this.deps.db.selectFrom('drafts').select(['text']).where('tenant_id', '=', principal.tenantId).where('conversation_id', '=', conversationId).where('id', '=', draftId).executeTakeFirst();
      if (pending) finalText = await this.#styled(principal.tenantId, pending.text);
    }
    const result = await this.deps.db.transaction().execute(async (trx) => {
      const handoff = await this.#held(trx, principal, conversationId);
      const draft = await trx
        .selectFrom('drafts')
        .selectAll()
        .where('tenant_id', '=', principal.tenantId)
        .where('conversation_id', '=', conversationId)
        .where('id', '=', draftId)
        .forUpdate()
        .executeTakeFirst();
      if (!draft) throw new KefuError(ErrorCodes.draftNotFound, 'draft not found', { status: 404 });
      if (draft.status !== 'pending') throw new KefuError(ErrorCodes.draftAlreadyDecided, `this draft was already ${draft.status}`, { status: 409 });
      const now = new Date();
      if (decision.action === 'reject') {
        const row = await trx
          .updateTable('drafts')
          .set({ status: 'rejected', agent_id: principal.agentId, decided_at: now, reject_reason: decision.reason?.slice(0, 1000) ?? null })
          .where('id', '=', draft.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return { draft: row, message: null, handoff };
      }
      // Approving sends the draft with the style guide's replacements applied.
      const text = finalText ?? draft.text;
      const message = await this.#insertAgentMessage(trx, principal, conversationId, text, 'public', null);
      await this.#markFirstResponse(trx, handoff);
      const row = await trx
        .updateTable('drafts')
        .set({
          status: decision.action === 'approve' ? 'approved' : 'edited',
          final_text: text,
          edit_distance: editDistance(draft.text, text),
          agent_id: principal.agentId,
          decided_at: now,
          sent_message_id: message!.id,
        })
        .where('id', '=', draft.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { draft: row, message: message!, handoff };
    });
    const message = result.message ? toMessage(result.message) : null;
    if (message) await this.deps.bus.publish({ type: 'message.created', tenantId: principal.tenantId, conversationId, messageId: message.id, seq: message.seq });
    await this.deps.bus.publish({ type: 'draft.updated', tenantId: principal.tenantId, conversationId, draftId, status: result.draft.status });
    if (message && !result.handoff.first_response_at) await this.#publishHandoff(result.handoff);
    return { draft: toDraftView(result.draft), message };
  }

  /** To a colleague (`agentId`, who must have capacity) or back into a queue (`queue`). */
  async transfer(principal: AgentPrincipal, conversationId: string, target: { agentId?: string; queue?: string; note?: string }): Promise<HandoffView> {
    const { tenantId } = principal;
    const settings = await this.settings(tenantId);
    if (target.queue !== undefined && !settings.queues.some((queue) => queue.name === target.queue)) {
      throw new KefuError(ErrorCodes.queueNotFound, 'queue not found', { status: 404 });
    }
    // The note is validated first and written in the same transaction, under the conversation
    // lock #held takes, so it commits in seq order with the turns (a live stream never skips it).
    const noteText = target.note ? validateMessageText(target.note, this.deps.maxMessageChars) : null;
    const written: { note?: MessageRow | undefined } = {};
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const handoff = await this.#held(trx, principal, conversationId);
      if (noteText) written.note = await this.#insertAgentMessage(trx, principal, conversationId, noteText, 'internal', null);
      const now = new Date();
      if (target.agentId !== undefined) {
        const colleague = await trx
          .selectFrom('agents')
          .select(['id', 'max_concurrent', 'disabled_at'])
          .where('tenant_id', '=', tenantId)
          .where('id', '=', target.agentId)
          .forUpdate()
          .executeTakeFirst();
        if (!colleague || colleague.disabled_at) throw new KefuError(ErrorCodes.agentNotFound, 'agent not found', { status: 404 });
        if (colleague.id === principal.agentId) return handoff;
        const active = (await activeCounts(trx, tenantId, [colleague.id])).get(colleague.id) ?? 0;
        if (active >= colleague.max_concurrent) throw new KefuError(ErrorCodes.agentAtCapacity, 'that agent has no free capacity', { status: 409 });
        const updated = await trx
          .updateTable('handoffs')
          .set({ agent_id: colleague.id, assigned_at: now, updated_at: now })
          .where('id', '=', handoff.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx.updateTable('conversations').set({ assignee_id: colleague.id, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', conversationId).execute();
        await this.#event(trx, updated, 'transferred', `agent:${principal.agentId}`, { toAgentId: colleague.id, agentId: colleague.id, note: target.note ?? null });
        return updated;
      }
      const updated = await trx
        .updateTable('handoffs')
        .set({ status: 'waiting', agent_id: null, assigned_at: null, queue: target.queue ?? handoff.queue, queued_at: handoff.requested_at, updated_at: now })
        .where('id', '=', handoff.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx.updateTable('conversations').set({ status: 'pending', assignee_kind: 'none', assignee_id: null, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', conversationId).execute();
      await this.#event(trx, updated, 'transferred', `agent:${principal.agentId}`, { toQueue: updated.queue, note: target.note ?? null });
      return updated;
    });
    const message = written.note;
    if (message) await this.deps.bus.publish({ type: 'message.created', tenantId, conversationId, messageId: message.id, seq: String(message.seq) });
    this.#invalidate(tenantId);
    await this.#publishHandoff(row);
    if (row.status === 'waiting') await this.assignWaiting(tenantId);
    return (await this.#views(tenantId, [(await this.#reload(tenantId, row.id))!]))[0]!;
  }

  async #reload(tenantId: string, handoffId: string): Promise<HandoffRow | undefined> {
    return this.deps.db.selectFrom('handoffs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', handoffId).executeTakeFirst();
  }

  /** The bot answers again; the handoff ends as `returned`. */
  async returnToBot(principal: AgentPrincipal, conversationId: string): Promise<HandoffView> {
    return this.#finish(principal, conversationId, 'returned', null, null);
  }

  async close(principal: AgentPrincipal, conversationId: string, resolutionCode: ResolutionCode, note?: string): Promise<HandoffView> {
    return this.#finish(principal, conversationId, 'closed', resolutionCode, note ?? null);
  }

  async #finish(principal: AgentPrincipal, conversationId: string, status: 'closed' | 'returned', code: string | null, note: string | null): Promise<HandoffView> {
    const { tenantId } = principal;
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const handoff = await this.#held(trx, principal, conversationId);
      const now = new Date();
      const updated = await trx
        .updateTable('handoffs')
        .set({ status, closed_at: now, resolution_code: code, resolution_note: note?.slice(0, 2000) ?? null, updated_at: now })
        .where('id', '=', handoff.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('conversations')
        .set({ status: status === 'closed' ? 'resolved' : 'open', assignee_kind: 'bot', assignee_id: null, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', conversationId)
        .execute();
      await this.#event(trx, updated, status, `agent:${principal.agentId}`, { resolutionCode: code });
      return updated;
    });
    this.#invalidate(tenantId);
    await this.#publishHandoff(row);
    await this.deps.bus.publish({ type: 'conversation.updated', tenantId, conversationId, status: status === 'closed' ? 'resolved' : 'open' });
    await this.assignWaiting(tenantId);
    return (await this.#views(tenantId, [row]))[0]!;
  }

  async setPresence(principal: AgentPrincipal, presence: Presence): Promise<void> {
    const now = new Date();
    const previous = await this.deps.db.selectFrom('agents').select(['presence']).where('tenant_id', '=', principal.tenantId).where('id', '=', principal.agentId).executeTakeFirstOrThrow();
    await this.deps.db
      .updateTable('agents')
      .set({ presence, last_seen_at: now, ...(previous.presence === presence ? {} : { presence_changed_at: now }) })
      .where('tenant_id', '=', principal.tenantId)
      .where('id', '=', principal.agentId)
      .execute();
    this.#invalidate(principal.tenantId);
    await this.deps.bus.publish({ type: 'agent.updated', tenantId: principal.tenantId, agentId: principal.agentId, presence });
    if (presence === 'online') await this.assignWaiting(principal.tenantId);
  }

  async touch(principal: AgentPrincipal): Promise<void> {
    await touchAgent(this.deps.db, principal.tenantId, principal.agentId, Math.min(5000, this.deps.reclaimAfterMs / 4));
  }

  /** A read receipt: stored (never moves backwards) and published. */
  async markRead(tenantId: string, conversationId: string, reader: { kind: 'contact' | 'agent'; id: string }, seq: string): Promise<void> {
    await this.requireConversation(tenantId, conversationId);
    await this.deps.db
      .insertInto('conversation_reads')
      .values({ tenant_id: tenantId, conversation_id: conversationId, reader_kind: reader.kind, reader_id: reader.id, last_read_seq: seq, updated_at: new Date() })
      .onConflict((conflict) =>
        conflict.columns(['tenant_id', 'conversation_id', 'reader_kind', 'reader_id']).doUpdateSet({
          last_read_seq: sql`greatest(conversation_reads.last_read_seq, excluded.last_read_seq)`,
          updated_at: new Date(),
        }),
      )
      .execute();
    await this.deps.bus.publish({ type: 'read.updated', tenantId, conversationId, reader, seq });
  }

  async typing(tenantId: string, conversationId: string, actor: { kind: 'contact' | 'agent'; id: string; name?: string }, active: boolean): Promise<void> {
    await this.deps.bus.publish({ type: 'typing.updated', tenantId, conversationId, actor, active });
  }

  /** What the customer's widget shows: null when no handoff was ever opened. */
  async widgetState(tenantId: string, conversationId: string): Promise<{ status: string; queue: string; position: number | null; etaSeconds: number | null; agentName: string | null } | null> {
    const view = await this.currentHandoff(tenantId, conversationId);
    if (!view) return null;
    return { status: view.status, queue: view.queue, position: view.position, etaSeconds: view.etaSeconds, agentName: view.agentName };
  }

  // ── periodic checks ──────────────────────────────────────────────────────────────────────

  /**
   * SLA breaches (each reported once, even with several nodes: a conditional update), reclaims
   * of conversations whose agent is gone, and assignment of whatever is waiting.
   */
  async runChecks(now = new Date()): Promise<{ breaches: number; reclaimed: number; assigned: number }> {
    const { db, bus } = this.deps;
    let breaches = 0;
    for (const kind of ['first_response', 'resolution'] as const) {
      const breached = await db
        .updateTable('handoffs')
        .set(kind === 'first_response' ? { first_response_breached_at: now } : { resolution_breached_at: now })
        .where('status', 'in', ['waiting', 'assigned'])
        .where(kind === 'first_response' ? 'first_response_at' : 'closed_at', 'is', null)
        .where(kind === 'first_response' ? 'first_response_due_at' : 'resolution_due_at', '<', now)
        .where(kind === 'first_response' ? 'first_response_breached_at' : 'resolution_breached_at', 'is', null)
        .returningAll()
        .execute();
      for (const row of breached) {
        await this.#event(db, row, 'sla.breached', 'system', { kind, dueAt: (kind === 'first_response' ? row.first_response_due_at : row.resolution_due_at).toISOString() });
        await bus.publish({ type: 'sla.breached', tenantId: row.tenant_id, conversationId: row.conversation_id, handoffId: row.id, kind });
        breaches += 1;
      }
    }

    const cutoff = new Date(now.getTime() - this.deps.reclaimAfterMs);
    const stale = await db
      .selectFrom('handoffs')
      .innerJoin('agents', (join) => join.onRef('agents.id', '=', 'handoffs.agent_id').onRef('agents.tenant_id', '=', 'handoffs.tenant_id'))
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
      .limit(1000)
      .execute();
    let reclaimed = 0;
    const tenants = new Set<string>();
    for (const entry of stale) {
      const row = await db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('handoffs')
          .set((eb) => ({ status: 'waiting', agent_id: null, assigned_at: null, queued_at: eb.ref('requested_at'), updated_at: now }))
          .where('tenant_id', '=', entry.tenant_id)
          .where('id', '=', entry.id)
          .where('status', '=', 'assigned')
          .where('agent_id', '=', entry.agent_id)
          .returningAll()
          .executeTakeFirst();
        if (!updated) return null;
        await trx
          .updateTable('conversations')
          .set({ status: 'pending', assignee_kind: 'none', assignee_id: null, updated_at: now })
          .where('tenant_id', '=', entry.tenant_id)
          .where('id', '=', updated.conversation_id)
          .execute();
        await this.#event(trx, updated, 'reclaimed', 'system', { fromAgentId: entry.agent_id, afterMs: this.deps.reclaimAfterMs });
        return updated;
      });
      if (!row) continue;
      reclaimed += 1;
      tenants.add(row.tenant_id);
      this.#invalidate(row.tenant_id);
      await this.#publishHandoff(row);
    }

    const waiting = await db.selectFrom('handoffs').select('tenant_id').distinct().where('status', '=', 'waiting').limit(1000).execute();
    for (const row of waiting) tenants.add(row.tenant_id);
    let assigned = 0;
    for (const tenantId of tenants) assigned += await this.assignWaiting(tenantId);
    return { breaches, reclaimed, assigned };
  }
}

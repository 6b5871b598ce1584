import { intentName, storedReasonText } from '../engine/locales.js';
import type { TenantRuntimeCache } from '../engine/tenant-runtime.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';
import type { AgentPrincipal } from './agents.js';
import { agentFitsQueue } from './handoff-settings.js';
import type { HandoffRow } from './handoff-tables.js';
import {
  findCurrentHandoff,
  findHandoff,
  listAssignedTo,
  listWaiting,
  placeInLine,
  waitingLine,
} from './handoffs-repository.js';
import { etaSeconds, type QueueStatistics } from './queue-statistics.js';
import type { HandoffSettingsCache } from './settings-cache.js';

export interface HandoffView {
  id: string;
  conversationId: string;
  queue: string;
  status: HandoffRow['status'];
  /** Why a person is needed, as agents read it (the tenant's locale), never a reason code. */
  reason: string;
  requestedBy: HandoffRow['requested_by'];
  route: HandoffRow['route'];
  intent: string | null;
  /** The intent as people read it: the FAQ's question or the intent's description. */
  intentName: string | null;
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

/** What the customer's widget shows of the hand-off. */
export interface WidgetHandoffState {
  status: string;
  queue: string;
  position: number | null;
  etaSeconds: number | null;
  agentName: string | null;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/**
 * Read side of the hand-off: rows become views with the agent's name, the place in line and the
 * ETA, for the console, its live pushes and the customer's widget.
 */
export class HandoffViews {
  constructor(
    private readonly deps: {
      db: Db;
      settings: HandoffSettingsCache;
      statistics: QueueStatistics;
      /** For the tenant's locale and the names of its intents; without it ids and stored text show as they are. */
      runtimes?: TenantRuntimeCache;
    },
  ) {}

  async of(tenantId: string, rows: readonly HandoffRow[]): Promise<HandoffView[]> {
    if (rows.length === 0) return [];
    const { db } = this.deps;
    const agentIds = [...new Set(rows.map((row) => row.agent_id).filter((id): id is string => id !== null))];
    const names = new Map(
      agentIds.length === 0
        ? []
        : (
            await db
              .selectFrom('agents')
              .select(['id', 'name'])
              .where('tenant_id', '=', tenantId)
              .where('id', 'in', agentIds)
              .execute()
          ).map((row) => [row.id, row.name]),
    );
    const settings = await this.deps.settings.get(tenantId);
    const runtime = this.deps.runtimes ? await this.deps.runtimes.get(tenantId).catch(() => null) : null;
    const locale = runtime?.locale ?? 'zh-CN';
    // Places in line: one ordered read per queue with waiting rows (not one count per row).
    const positions = new Map<string, number>();
    const waitingQueues = [...new Set(rows.filter((row) => row.status === 'waiting').map((row) => row.queue))];
    if (waitingQueues.length === 1 && rows.length === 1) {
      const row = rows[0]!;
      positions.set(row.id, await placeInLine(db, row));
    } else {
      for (const queue of waitingQueues) {
        (await waitingLine(db, tenantId, queue)).forEach((id, index) => positions.set(id, index + 1));
      }
    }
    const views: HandoffView[] = [];
    for (const row of rows) {
      let position: number | null = null;
      let eta: number | null = null;
      if (row.status === 'waiting') {
        position = positions.get(row.id) ?? 1;
        const queue = settings.queues.find((entry) => entry.name === row.queue) ?? settings.queues[0]!;
        eta = etaSeconds(await this.deps.statistics.base(tenantId, queue), position);
      }
      views.push({
        id: row.id,
        conversationId: row.conversation_id,
        queue: row.queue,
        status: row.status,
        reason: storedReasonText(locale, row.reason),
        requestedBy: row.requested_by,
        route: row.route,
        intent: row.intent,
        intentName: intentName(runtime, row.intent),
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
        etaSeconds: eta,
      });
    }
    return views;
  }

  async one(tenantId: string, row: HandoffRow): Promise<HandoffView> {
    return (await this.of(tenantId, [row]))[0]!;
  }

  async byId(tenantId: string, handoffId: string): Promise<HandoffView | null> {
    const row = await findHandoff(this.deps.db, tenantId, handoffId);
    return row ? this.one(tenantId, row) : null;
  }

  /** The open handoff of a conversation, else the latest one, else null. */
  async current(tenantId: string, conversationId: string): Promise<HandoffView | null> {
    const row = await findCurrentHandoff(this.deps.db, tenantId, conversationId);
    return row ? this.one(tenantId, row) : null;
  }

  /** Waiting conversations in the queues the agent is skilled for (or one queue), oldest first. */
  async waitingFor(principal: AgentPrincipal, queueName?: string): Promise<HandoffView[]> {
    const settings = await this.deps.settings.get(principal.tenantId);
    const agent = await this.deps.db
      .selectFrom('agents')
      .select(['skills'])
      .where('tenant_id', '=', principal.tenantId)
      .where('id', '=', principal.agentId)
      .executeTakeFirstOrThrow();
    if (queueName !== undefined && !settings.queues.some((queue) => queue.name === queueName)) {
      throw new KefuError(ErrorCodes.queueNotFound, 'queue not found', { status: 404 });
    }
    const queues = settings.queues
      .filter((queue) => (queueName === undefined ? agentFitsQueue(agent.skills, queue) : queue.name === queueName))
      .map((queue) => queue.name);
    return this.of(principal.tenantId, await listWaiting(this.deps.db, principal.tenantId, queues, 200));
  }

  async assignedTo(principal: AgentPrincipal): Promise<HandoffView[]> {
    return this.of(principal.tenantId, await listAssignedTo(this.deps.db, principal.tenantId, principal.agentId));
  }

  /** What the customer's widget shows: null when no handoff was ever opened. */
  async widgetState(tenantId: string, conversationId: string): Promise<WidgetHandoffState | null> {
    const view = await this.current(tenantId, conversationId);
    if (!view) return null;
    return {
      status: view.status,
      queue: view.queue,
      position: view.position,
      etaSeconds: view.etaSeconds,
      agentName: view.agentName,
    };
  }
}

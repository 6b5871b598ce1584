import type { EventBus } from '../bus/index.js';
import type { RoutedTurn, TurnHandoffHook } from '../conversations/index.js';
import type { TenantRuntimeCache } from '../engine/tenant-runtime.js';
import type { ChatModel } from '../llm/index.js';
import type { Db } from '../store/database.js';
import { AgentMessages } from './agent-messages.js';
import { AutoAssigner } from './auto-assigner.js';
import { loadContextPanel, type ContextPanel } from './context-panel.js';
import { DraftService } from './draft-service.js';
import { HandoffQueue } from './handoff-queue.js';
import { HandoffViews } from './handoff-views.js';
import { PresenceService } from './presence-service.js';
import { QueueStatistics } from './queue-statistics.js';
import { HandoffSettingsCache } from './settings-cache.js';
import { SlaChecker } from './sla-checker.js';

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

/**
 * The hand-off to people (docs/handoff.md), as services with one job each over one repository
 * (handoffs-repository.ts). Every method takes the tenant (or an agent principal, which carries
 * it); live updates are published on the bus after each commit, never delivered in memory.
 */
export interface HandoffService extends TurnHandoffHook {
  /** The tenants' hand-off settings, cached for a few seconds. */
  settings: HandoffSettingsCache;
  /** Per-queue figures: waiting, agents online, median handle time, ETA. */
  statistics: QueueStatistics;
  /** Handoffs as the console and the widget see them (place in line, ETA, agent name). */
  views: HandoffViews;
  /** Queueing, accept, transfer, return to the bot, close. */
  queue: HandoffQueue;
  /** Automatic assignment of waiting conversations to free agents. */
  assigner: AutoAssigner;
  /** Agents' messages and internal notes. */
  messages: AgentMessages;
  /** Assist drafts: listed, approved, edited or rejected. */
  drafts: DraftService;
  /** Presence and heartbeat, read receipts, typing. */
  presence: PresenceService;
  /** SLA breaches, reclaims and retries of assignment, on a timer. */
  sla: SlaChecker;
  /** The console's context panel for one conversation. */
  contextPanel(tenantId: string, conversationId: string): Promise<ContextPanel>;
  /** Starts the periodic checker. */
  start(): void;
  stop(): Promise<void>;
}

/** Builds the hand-off's services and wires them to each other; nothing runs until `start()`. */
export function createHandoffService(deps: HandoffServiceDeps): HandoffService {
  const { db, bus, runtimes, maxMessageChars, reclaimAfterMs } = deps;
  const settings = new HandoffSettingsCache(db);
  const statistics = new QueueStatistics({ db, settings, reclaimAfterMs });
  const views = new HandoffViews({ db, settings, statistics, runtimes });
  const assigner = new AutoAssigner({ db, bus, settings, statistics });
  const queue = new HandoffQueue({ db, bus, settings, statistics, views, assigner, maxMessageChars });
  const messages = new AgentMessages({ db, bus, runtimes, maxMessageChars });
  const drafts = new DraftService({ db, bus, runtimes, maxMessageChars });
  const presence = new PresenceService({ db, bus, statistics, assigner, reclaimAfterMs });
  const sla = new SlaChecker({
    db,
    bus,
    statistics,
    assigner,
    reclaimAfterMs,
    checkIntervalMs: deps.checkIntervalMs,
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
  const llm = deps.llm;
  return {
    settings,
    statistics,
    views,
    queue,
    assigner,
    messages,
    drafts,
    presence,
    sla,
    contextPanel: (tenantId, conversationId) =>
      loadContextPanel({ db, runtimes, ...(llm ? { llm } : {}), settings, views }, tenantId, conversationId),
    /**
     * Inside the turn's last transaction: queues the conversation (unless a handoff is already
     * open) and keeps the turn's assist draft. Returns what to run after the commit.
     */
    async onTurnRouted(trx: Db, turn: RoutedTurn) {
      const created = await queue.request(trx, turn);
      const publishDraft = await drafts.keepTurnDraft(trx, turn);
      return async () => {
        if (created) await queue.announce(created);
        if (publishDraft) await publishDraft();
        if (created) await assigner.assignWaiting(turn.tenantId);
      };
    },
    start: () => sla.start(),
    stop: () => sla.stop(),
  };
}

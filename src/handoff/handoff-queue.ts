import { CRISIS_INTENT } from '../guard/handover/crisis.js';
import type { EventBus } from '../bus/index.js';
import { requireConversation, validateMessageText, type RoutedTurn } from '../conversations/index.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';
import type { MessageRow } from '../store/schema.js';
import { insertAgentMessage } from './agent-messages.js';
import { lockAgentLoad, type AgentPrincipal } from './agents.js';
import type { AutoAssigner } from './auto-assigner.js';
import { pickQueue } from './handoff-settings.js';
import type { HandoffRow } from './handoff-tables.js';
import type { HandoffView, HandoffViews } from './handoff-views.js';
import {
  assignHandoff,
  findHandoff,
  findOpenHandoff,
  finishHandoff,
  insertHandoffEvent,
  insertOpenHandoff,
  lockHeldHandoff,
  reassignHandoff,
  requeueHandoff,
} from './handoffs-repository.js';
import { publishHandoffUpdated } from './publish-handoff.js';
import type { QueueStatistics } from './queue-statistics.js';
import type { HandoffSettingsCache } from './settings-cache.js';

export const RESOLUTION_CODES = [
  'resolved',
  'refunded',
  'replaced',
  'escalated',
  'no_response',
  'duplicate',
  'other',
] as const;
export type ResolutionCode = (typeof RESOLUTION_CODES)[number];

export interface HandoffQueueDeps {
  db: Db;
  bus: EventBus;
  settings: HandoffSettingsCache;
  statistics: QueueStatistics;
  views: HandoffViews;
  assigner: AutoAssigner;
  maxMessageChars: number;
}

/**
 * A handoff's life from the queue to its end: opened by a turn, taken by an agent, passed to a
 * colleague or another queue, given back to the bot or closed. Each change commits, then is
 * published, then whatever waits is offered to the agents who became free.
 */
export class HandoffQueue {
  constructor(private readonly deps: HandoffQueueDeps) {}

  /**
   * Inside the turn's transaction: queues the conversation in the queue its intent or reason
   * picks, unless a handoff is already open. The new handoff, or undefined.
   */
  async request(trx: Db, turn: RoutedTurn): Promise<HandoffRow | undefined> {
    const settings = await this.deps.settings.get(turn.tenantId, trx);
    // Queues are picked by the words of the English reason (refund, fraud …) or of the agent's text.
    const words = [turn.reason, turn.reasonText].filter(Boolean).join(' ') || null;
    const queue = pickQueue(settings, { intent: turn.intent, reason: words });
    const created = await insertOpenHandoff(trx, queue, {
      tenantId: turn.tenantId,
      conversationId: turn.conversationId,
      reason: (turn.reasonText || turn.reason || turn.route).slice(0, 1000),
      requestedBy: turn.requestedBy ?? 'bot',
      route: turn.route,
      intent: turn.intent,
      turnId: turn.turnId,
      urgent: turn.intent === CRISIS_INTENT,
    });
    if (created) {
      await insertHandoffEvent(trx, created, 'requested', turn.requestedBy ?? 'bot', {
        reason: created.reason,
        intent: turn.intent,
      });
    }
    return created;
  }

  /** After the commit of a change: the cached figures are stale and every node should hear of it. */
  async announce(row: HandoffRow): Promise<void> {
    this.deps.statistics.invalidate(row.tenant_id);
    await publishHandoffUpdated(this.deps.bus, row);
  }

  /**
   * Takes a conversation. Exactly one of two agents accepting at once wins (a conditional
   * update); the other gets 409 CS_HANDOFF_ALREADY_ACCEPTED. Idempotent for the assignee.
   */
  async accept(principal: AgentPrincipal, conversationId: string): Promise<HandoffView> {
    const { tenantId, agentId } = principal;
    await requireConversation(this.deps.db, tenantId, conversationId);
    const taken = () =>
      new KefuError(ErrorCodes.handoffAlreadyAccepted, 'another agent has already taken this conversation', {
        status: 409,
      });
    const actor = `agent:${agentId}`;
    const result = await this.deps.db.transaction().execute(async (trx) => {
      const load = await lockAgentLoad(trx, tenantId, agentId);
      if (!load) throw new KefuError(ErrorCodes.agentNotFound, 'agent not found', { status: 404 });
      const open = await findOpenHandoff(trx, tenantId, conversationId);
      if (open?.status === 'assigned') {
        if (open.agent_id === agentId) return { row: open, changed: false };
        throw taken();
      }
      if (load.active >= load.maxConcurrent) {
        throw new KefuError(
          ErrorCodes.agentAtCapacity,
          `you already hold ${load.active} conversations (your limit is ${load.maxConcurrent})`,
          { status: 409 },
        );
      }
      if (open) {
        const row = await assignHandoff(trx, tenantId, open.id, agentId, { actor, kind: 'accepted' });
        if (!row) throw taken();
        return { row, changed: true };
      }
      // Still with the bot: the agent takes over (a handoff requested by the agent).
      const settings = await this.deps.settings.get(tenantId, trx);
      const queue = settings.queues.find((entry) => entry.name === settings.defaultQueue) ?? settings.queues[0]!;
      const inserted = await insertOpenHandoff(trx, queue, {
        tenantId,
        conversationId,
        reason: 'taken over by an agent',
        requestedBy: 'agent',
        route: 'human',
        intent: null,
        turnId: null,
      });
      if (!inserted) throw taken();
      await insertHandoffEvent(trx, inserted, 'requested', actor, { reason: inserted.reason });
      const row = await assignHandoff(trx, tenantId, inserted.id, agentId, { actor, kind: 'accepted' });
      if (!row) throw taken();
      return { row, changed: true };
    });
    if (result.changed) await this.announce(result.row);
    return this.deps.views.one(tenantId, result.row);
  }

  /** To a colleague (`agentId`, who must have capacity) or back into a queue (`queue`). */
  async transfer(
    principal: AgentPrincipal,
    conversationId: string,
    target: { agentId?: string; queue?: string; note?: string },
  ): Promise<HandoffView> {
    const { tenantId } = principal;
    const settings = await this.deps.settings.get(tenantId);
    if (target.queue !== undefined && !settings.queues.some((queue) => queue.name === target.queue)) {
      throw new KefuError(ErrorCodes.queueNotFound, 'queue not found', { status: 404 });
    }
    // The note is validated first and written in the same transaction, under the conversation
    // lock lockHeldHandoff takes, so it commits in seq order with the turns (a live stream never skips it).
    const noteText = target.note ? validateMessageText(target.note, this.deps.maxMessageChars) : null;
    const actor = `agent:${principal.agentId}`;
    const written: { note?: MessageRow | undefined } = {};
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const handoff = await lockHeldHandoff(trx, principal, conversationId);
      if (noteText) written.note = await insertAgentMessage(trx, principal, conversationId, noteText, 'internal', null);
      if (target.agentId !== undefined) {
        const colleague = await lockAgentLoad(trx, tenantId, target.agentId);
        if (!colleague || colleague.disabled)
          throw new KefuError(ErrorCodes.agentNotFound, 'agent not found', { status: 404 });
        if (target.agentId === principal.agentId) return handoff;
        if (colleague.active >= colleague.maxConcurrent) {
          throw new KefuError(ErrorCodes.agentAtCapacity, 'that agent has no free capacity', { status: 409 });
        }
        const updated = await reassignHandoff(trx, handoff, target.agentId);
        await insertHandoffEvent(trx, updated, 'transferred', actor, {
          toAgentId: target.agentId,
          agentId: target.agentId,
          note: target.note ?? null,
        });
        return updated;
      }
      const updated = await requeueHandoff(trx, handoff, target.queue ?? handoff.queue);
      await insertHandoffEvent(trx, updated, 'transferred', actor, {
        toQueue: updated.queue,
        note: target.note ?? null,
      });
      return updated;
    });
    const message = written.note;
    if (message) {
      await this.deps.bus.publish({
        type: 'message.created',
        tenantId,
        conversationId,
        messageId: message.id,
        seq: String(message.seq),
      });
    }
    await this.announce(row);
    if (row.status === 'waiting') await this.deps.assigner.assignWaiting(tenantId);
    // Assignment may already have given it to someone: answer with what it is now.
    return this.deps.views.one(tenantId, (await findHandoff(this.deps.db, tenantId, row.id)) ?? row);
  }

  /** The bot answers again; the handoff ends as `returned`. */
  async returnToBot(principal: AgentPrincipal, conversationId: string): Promise<HandoffView> {
    return this.#finish(principal, conversationId, 'returned', null, null);
  }

  async close(
    principal: AgentPrincipal,
    conversationId: string,
    resolutionCode: ResolutionCode,
    note?: string,
  ): Promise<HandoffView> {
    return this.#finish(principal, conversationId, 'closed', resolutionCode, note ?? null);
  }

  async #finish(
    principal: AgentPrincipal,
    conversationId: string,
    status: 'closed' | 'returned',
    resolutionCode: string | null,
    note: string | null,
  ): Promise<HandoffView> {
    const { tenantId } = principal;
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const handoff = await lockHeldHandoff(trx, principal, conversationId);
      const updated = await finishHandoff(trx, handoff, { status, resolutionCode, note });
      await insertHandoffEvent(trx, updated, status, `agent:${principal.agentId}`, { resolutionCode });
      return updated;
    });
    await this.announce(row);
    await this.deps.bus.publish({
      type: 'conversation.updated',
      tenantId,
      conversationId,
      status: status === 'closed' ? 'resolved' : 'open',
    });
    // The agent has a free slot now.
    await this.deps.assigner.assignWaiting(tenantId);
    return this.deps.views.one(tenantId, row);
  }
}

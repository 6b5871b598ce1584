import type { EventBus } from '../bus/index.js';
import type { DraftBasis, TurnDecision } from '../engine/run-turn.js';
import type { TokenUsage } from '../llm/index.js';
import { appendUsage, type QuotaTracker, type UsageEntry } from '../metering/index.js';
import type { Db } from '../store/database.js';
import type { MessagePart, MessageRow } from '../store/schema.js';
import { serializeDialogueState } from './dialogue-state.js';
import { toMessage, type Message } from './mappers.js';
import { insertMessage } from './messages-repository.js';
import { canTransition } from './status.js';
import { GroupCommit } from './group-commit.js';
import { isBatchable, storeTurnBatch, type BatchableTurn } from './turn-batch.js';
import { traceRow, turnStyleCheckRow, turnUsageOf } from './turn-rows.js';
import { insertCustomerMessage, type CustomerMessageInput } from './store-customer-message.js';

/** What a turn routed to a person tells the hand-off layer. */
export interface RoutedTurn {
  tenantId: string;
  conversationId: string;
  turnId: string | null;
  route: 'human' | 'assist';
  intent: string | null;
  reason: string | null;
  /** The reason as agents read it (the tenant's locale); stored on the handoff when given. */
  reasonText?: string | null;
  requestedBy?: 'bot' | 'system';
  draft: { messageId: string; text: string; parts: MessagePart[]; basis: DraftBasis } | null;
}

/** Called inside the turn's last transaction when it routes to a person; returns the after-commit work. */
export interface TurnHandoffHook {
  onTurnRouted(trx: Db, turn: RoutedTurn): Promise<() => Promise<void>>;
}

/** A decided turn, ready to be stored. */
export interface TurnRecord {
  tenantId: string;
  conversationId: string;
  turnId: string;
  /** The stored customer message this turn answers; null when `inbound` stores it with the turn. */
  inboundMessageId: string | null;
  apiKeyId: string | null;
  decision: TurnDecision;
  /** Tokens of every attempt at this turn (a turn re-run after a lost race spent them all). */
  usage: TokenUsage;
  connectorCalls: number;
  costMicros: number;
  latencyMs: number;
  /**
   * The dialogue-state version the decision was computed from: the state is written only if it is
   * still current. Null leaves the stored state as it is (a hand-over after repeated lost races).
   */
  stateVersion: number | null;
  /** Extra facts for the stored trace (limits applied, attempts, a state that did not parse). */
  traceExtras: Record<string, unknown>;
  /**
   * The customer's message, when it is stored in the same transaction as the turn (the one-commit
   * turn: decided before anything was written, so the message and its answer commit together).
   */
  inbound?: CustomerMessageInput;
}

export type RecordedTurn =
  /**
   * Another turn wrote the dialogue state since this one read it (or, with `inbound`, a person
   * took the conversation over); nothing was stored.
   */
  | { status: 'stale' }
  /** With `inbound`: a message with the same idempotency key is already stored; nothing was stored. */
  | { status: 'duplicate' }
  /** `inbound` is the customer's message when the turn stored it. */
  | { status: 'recorded'; reply: Message; inbound: Message | null };

/** What storing a turn did (before its events are published). */
type StoredTurn =
  | { status: 'stale' }
  | { status: 'duplicate' }
  | {
      status: 'recorded';
      reply: Message;
      inbound: Message | null;
      handOver: boolean;
      afterHandoff: (() => Promise<void>) | null;
      usage: UsageEntry[];
    };

export interface TurnRecorderDeps {
  db: Db;
  bus: EventBus;
  metering?: QuotaTracker;
  handoff?: TurnHandoffHook;
}

/**
 * Stores what a turn decided in one transaction (reply, draft, hand-off note, trace, dialogue
 * state, the turn's ledger rows, the hand-off), then publishes its events after the commit.
 */
export class TurnRecorder {
  /** One-commit turns answered by the bot share transactions under load (see storeTurnBatch). */
  readonly #batches: GroupCommit<BatchableTurn, StoredTurn>;

  constructor(private readonly deps: TurnRecorderDeps) {
    this.#batches = new GroupCommit((turns) => this.#storeBatch(turns));
  }

  async record(turn: TurnRecord): Promise<RecordedTurn> {
    const stored = isBatchable(turn) ? await this.#batches.submit(turn) : await this.storeOne(turn);
    if (stored.status !== 'recorded') return stored;
    const { tenantId, conversationId, turnId, decision } = turn;
    const { bus, metering } = this.deps;
    if (metering) metering.committed(tenantId, stored.usage).catch(() => undefined);
    if (stored.inbound)
      await bus.publish({
        type: 'message.created',
        tenantId,
        conversationId,
        messageId: stored.inbound.id,
        seq: stored.inbound.seq,
      });
    await bus.publish({
      type: 'message.created',
      tenantId,
      conversationId,
      messageId: stored.reply.id,
      seq: stored.reply.seq,
    });
    await bus.publish({ type: 'turn.completed', tenantId, conversationId, turnId, route: decision.route });
    if (stored.handOver)
      await bus.publish({ type: 'conversation.updated', tenantId, conversationId, status: 'pending' });
    if (stored.afterHandoff) await stored.afterHandoff().catch(() => undefined);
    return { status: 'recorded', reply: stored.reply, inbound: stored.inbound };
  }

  /** Stores one turn in a transaction of its own. */
  storeOne(turn: TurnRecord): Promise<StoredTurn> {
    return this.deps.db.transaction().execute((trx) => this.#store(trx, turn));
  }

  async #storeBatch(turns: BatchableTurn[]): Promise<PromiseSettledResult<StoredTurn>[]> {
    if (turns.length > 1) {
      try {
        const outcomes = await this.deps.db.transaction().execute((trx) => storeTurnBatch(trx, turns));
        return outcomes.map((outcome): PromiseSettledResult<StoredTurn> => ({
          status: 'fulfilled',
          value: outcome.status === 'recorded' ? { ...outcome, handOver: false, afterHandoff: null } : outcome,
        }));
      } catch {
        // One turn's row broke the batch (or a deadlock between nodes): each alone, its failure its own.
      }
    }
    const settled: PromiseSettledResult<StoredTurn>[] = [];
    for (const turn of turns) settled.push(...(await Promise.allSettled([this.storeOne(turn)])));
    return settled;
  }

  async #store(trx: Db, turn: TurnRecord): Promise<StoredTurn> {
    const { tenantId, conversationId, turnId, decision } = turn;
    // The row lock first, as every writer of this conversation's messages takes it: messages then
    // commit in seq order, and the version check below cannot interleave with another turn's write.
    const conversation = await trx
      .selectFrom('conversations')
      .select(['status', 'state_version', 'assignee_kind', 'contact_id'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', conversationId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (turn.stateVersion !== null && conversation.state_version !== turn.stateVersion)
      return { status: 'stale' as const };
    // The one-commit turn: the customer's message first, in the same transaction as its answer.
    let inbound: { inbound: MessageRow; usage: UsageEntry[] } | undefined;
    if (turn.inbound) {
      // A person took the conversation over since the turn read it: the bot must stay quiet.
      if (conversation.assignee_kind === 'agent') return { status: 'stale' as const };
      inbound = await insertCustomerMessage(trx, turn.inbound, {
        contactId: conversation.contact_id,
        botAnswers: true,
      });
      if (!inbound) return { status: 'duplicate' as const };
    }
    const inboundMessageId = inbound?.inbound.id ?? turn.inboundMessageId;
    if (!inboundMessageId) throw new Error('a turn is recorded with the message it answers');
    // A message reopens a resolved conversation.
    const status = inbound && conversation.status === 'resolved' ? 'open' : conversation.status;

    const stored: Array<{ messageId: string; text: string }> = [];
    const store = async (
      visibility: 'public' | 'internal',
      senderKind: 'bot' | 'system',
      parts: MessagePart[],
      text: string,
    ) => {
      const row = await insertMessage(trx, {
        tenantId,
        conversationId,
        direction: 'outgoing',
        visibility,
        sender: { kind: senderKind, id: null },
        parts,
        text,
        turnId,
      });
      stored.push({ messageId: row.id, text });
      return row;
    };
    const draft = decision.draft ? await store('internal', 'bot', decision.draft.parts, decision.draft.text) : null;
    if (decision.handoffNote)
      await store('internal', 'system', [{ type: 'text', text: decision.handoffNote }], decision.handoffNote);
    const reply = await store(
      'public',
      decision.route === 'auto' ? 'bot' : 'system',
      decision.reply.parts,
      decision.reply.text,
    );
    const styleCheck = turnStyleCheckRow(turn, decision.trace.guard.outcome === 'draft' && draft ? draft.id : reply.id);
    if (styleCheck) await trx.insertInto('style_checks').values(styleCheck).execute();
    await trx
      .insertInto('turn_traces')
      .values(traceRow(turn, inboundMessageId, reply.id))
      .execute();
    const usage = turnUsageOf(turn, stored);
    if (inbound) usage.unshift(...inbound.usage);
    await appendUsage(trx, tenantId, usage);

    const routed = decision.route !== 'auto';
    const handOver = routed && status !== 'pending' && canTransition(status, 'pending');
    const afterHandoff =
      decision.route !== 'auto' && this.deps.handoff
        ? await this.deps.handoff.onTurnRouted(trx, {
            tenantId,
            conversationId,
            turnId,
            route: decision.route,
            intent: decision.intent,
            reason: decision.handoffReason,
            reasonText: decision.handoffText ?? null,
            draft:
              draft && decision.draft
                ? {
                    messageId: draft.id,
                    text: decision.draft.text,
                    parts: decision.draft.parts,
                    basis: decision.draft.basis,
                  }
                : null,
          })
        : null;

    const now = new Date();
    const updated = await trx
      .updateTable('conversations')
      .set((update) => ({
        last_message_at: now,
        updated_at: now,
        ...(turn.stateVersion !== null
          ? { state: serializeDialogueState(decision.nextState), state_version: update('state_version', '+', 1) }
          : {}),
        ...(handOver
          ? { status: 'pending' as const, assignee_kind: 'none' as const }
          : status !== conversation.status
            ? { status }
            : {}),
      }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', conversationId)
      .$if(turn.stateVersion !== null, (query) => query.where('state_version', '=', turn.stateVersion!))
      .executeTakeFirst();
    // Under the row lock the version cannot have moved; if it somehow did, fail the whole turn
    // rather than store a reply whose state was thrown away.
    if (updated.numUpdatedRows !== 1n) throw new Error('dialogue state changed under the conversation lock');
    return {
      status: 'recorded' as const,
      reply: toMessage(reply),
      inbound: inbound ? toMessage(inbound.inbound) : null,
      handOver,
      afterHandoff,
      usage,
    };
  }
}

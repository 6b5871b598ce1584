import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EventBus } from '../bus/index.js';
import { runTurn, type TurnDecision } from '../engine/run-turn.js';
import type { TurnEmbeddings } from '../engine/semantic-evidence.js';
import type { TenantRuntime } from '../engine/tenant-runtime.js';
import { createDatabaseConnector, createRoutingConnector } from '../playbooks/index.js';
import type { ChatModel, TokenUsage } from '../llm/index.js';
import type { QuotaTracker } from '../metering/index.js';
import { KefuError, ErrorCodes } from '../errors/index.js';
import type { Db } from '../store/database.js';
import { admitTurn } from './admission.js';
import { insertConversation, type NewConversation } from './conversations-repository.js';
import { readDialogueState } from './dialogue-state.js';
import { DisplayIdAllocator } from './display-ids.js';
import {
  toConversation,
  toMessage,
  toTurnTrace,
  type Conversation,
  type Message,
  type TurnTraceView,
} from './mappers.js';
import { findMessage, findMessageByExternalId, recentHistory } from './messages-repository.js';
import { notFound } from './not-found.js';
import { recoverInterruptedTurns } from './recover-interrupted-turns.js';
import {
  readConversationForTurn,
  storeCustomerMessage,
  type CustomerMessageInput,
  type StoredCustomerMessage,
} from './store-customer-message.js';
import type { TenantRuntimes } from './tenant-runtimes.js';
import { addUsage, turnCostMicros } from './turn-cost.js';
import { TurnRecorder, type RecordedTurn, type TurnHandoffHook } from './turn-recorder.js';

/**
 * How many times a turn is decided when other turns keep writing the conversation's dialogue state
 * first (another node, or a second process on the same data); after that the customer is handed
 * to a person rather than answered from a state that is already out of date.
 */
const MAX_TURN_ATTEMPTS = 3;
const RACE_HANDOVER_REASON = 'the dialogue state kept changing while this turn ran (concurrent messages)';

export interface ConversationServiceDeps {
  db: Db;
  bus: EventBus;
  /** Tenant runtimes (models, playbooks); loaded only after the customer's message is stored. */
  runtimes: TenantRuntimes;
  maxMessageChars: number;
  /** The date playbooks see as today (YYYY-MM-DD); the real date when unset. */
  today?: string;
  /** The LLM tier and its price sheet (yuan per 1,000 tokens), when configured. */
  llm?: { model: ChatModel; answerTimeoutMs: number; inputPricePer1k: number; outputPricePer1k: number };
  /** The embeddings endpoint as turn evidence (src/engine/semantic-evidence.ts), when configured. */
  embeddings?: TurnEmbeddings;
  /** Monthly quotas and plan tiers (src/metering); usage is written to the ledger either way. */
  metering?: QuotaTracker;
  /** The hand-off layer (src/handoff): queues what a turn hands over and keeps assist drafts. */
  handoff?: TurnHandoffHook;
  /**
   * How long a turn may take to decide and still be stored with its message in one transaction
   * (the one-commit turn); a slower turn (a model, a connector, a cold tenant) commits the message
   * first. 0 always commits the message first. Default 50 ms.
   */
  oneCommitWindowMs?: number;
}

export type { NewConversation } from './conversations-repository.js';

export interface PostMessageInput {
  text: string;
  /** Client-chosen id: retrying the same POST returns the first result instead of a duplicate. */
  externalId?: string;
  /** The API key that sent it, for the usage ledger. */
  apiKeyId?: string;
}

export interface PostMessageResult {
  duplicate: boolean;
  message: Message;
  reply: Message | null;
  turn: {
    id: string;
    route: 'auto' | 'assist' | 'human';
    tier: string;
    intent: string | null;
    confidence: number;
    traceId: string;
  } | null;
}

/** Conversations and messages of one tenant at a time: every function takes the tenant id. */
export class ConversationService {
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #queues = new Map<string, Promise<void>>();
  readonly #recorder: TurnRecorder;
  #accepting = true;

  readonly #oneCommitWindowMs: number;
  readonly #displayIds: DisplayIdAllocator;

  constructor(private readonly deps: ConversationServiceDeps) {
    this.#recorder = new TurnRecorder(deps);
    this.#displayIds = new DisplayIdAllocator(deps.db);
    this.#oneCommitWindowMs = deps.oneCommitWindowMs ?? 50;
  }

  /** Stops taking new turns and waits for the running ones (graceful shutdown). */
  async drain(): Promise<void> {
    this.#accepting = false;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async createConversation(tenantId: string, input: NewConversation = {}): Promise<Conversation> {
    const { db, bus } = this.deps;
    // Reserved before the transaction: no lock on the tenant is held while the conversation is written.
    const displayId = await this.#displayIds.next(tenantId);
    const { conversation, contactCreated } = await db
      .transaction()
      .execute((trx) => insertConversation(trx, tenantId, displayId, input));
    await bus.publish({
      type: 'conversation.created',
      tenantId,
      conversationId: conversation.id,
      contactId: conversation.contact_id,
      newContact: contactCreated,
    });
    return toConversation(conversation);
  }

  async getConversation(tenantId: string, conversationId: string): Promise<Conversation> {
    const row = await this.deps.db
      .selectFrom('conversations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', conversationId)
      .executeTakeFirst();
    if (!row) throw notFound(ErrorCodes.conversationNotFound, 'conversation');
    return toConversation(row);
  }

  async listConversations(
    tenantId: string,
    options: { status?: string; limit: number; before?: number },
  ): Promise<Conversation[]> {
    const rows = await this.deps.db
      .selectFrom('conversations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .$if(options.status !== undefined, (query) =>
        query.where('status', '=', options.status as Conversation['status']),
      )
      .$if(options.before !== undefined, (query) => query.where('display_id', '<', options.before!))
      .orderBy('display_id', 'desc')
      .limit(options.limit)
      .execute();
    return rows.map(toConversation);
  }

  /** Messages after `afterSeq` in order; internal notes and drafts only when asked for. */
  async listMessages(
    tenantId: string,
    conversationId: string,
    options: { afterSeq?: string; limit: number; includeInternal: boolean },
  ): Promise<Message[]> {
    await this.getConversation(tenantId, conversationId);
    const rows = await this.deps.db
      .selectFrom('messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .$if(options.afterSeq !== undefined, (query) => query.where('seq', '>', options.afterSeq as never))
      .$if(!options.includeInternal, (query) => query.where('visibility', '=', 'public'))
      .orderBy('seq')
      .limit(options.limit)
      .execute();
    return rows.map(toMessage);
  }

  async getMessage(tenantId: string, messageId: string): Promise<Message> {
    const row = await this.deps.db
      .selectFrom('messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', messageId)
      .executeTakeFirst();
    if (!row) throw notFound(ErrorCodes.messageNotFound, 'message');
    return toMessage(row);
  }

  async getTrace(tenantId: string, traceId: string): Promise<TurnTraceView> {
    const row = await this.deps.db
      .selectFrom('turn_traces')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', traceId)
      .executeTakeFirst();
    if (!row) throw notFound(ErrorCodes.traceNotFound, 'trace');
    return toTurnTrace(row);
  }

  async listTraces(tenantId: string, conversationId: string): Promise<TurnTraceView[]> {
    await this.getConversation(tenantId, conversationId);
    const rows = await this.deps.db
      .selectFrom('turn_traces')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at')
      .execute();
    return rows.map(toTurnTrace);
  }

  /**
   * Stores a customer message (committed before anything else happens, so an acknowledged
   * message is durable), runs the turn, and stores the reply, any draft and the trace.
   */
  async postCustomerMessage(
    tenantId: string,
    conversationId: string,
    input: PostMessageInput,
  ): Promise<PostMessageResult> {
    if (!this.#accepting) {
      throw new KefuError(ErrorCodes.shuttingDown, 'kefu is shutting down; retry on another node', { status: 503 });
    }
    const text = validateMessageText(input.text, this.deps.maxMessageChars);
    const work = this.#post(tenantId, conversationId, { ...input, text });
    this.#inFlight.add(work);
    try {
      return await work;
    } finally {
      this.#inFlight.delete(work);
    }
  }

  async #post(tenantId: string, conversationId: string, input: PostMessageInput): Promise<PostMessageResult> {
    if (input.externalId !== undefined) {
      const duplicate = await this.#findDuplicate(tenantId, conversationId, input.externalId, input.text);
      if (duplicate) return duplicate;
    }
    // Turns of one conversation run one at a time on this node, so each sees the state the
    // previous one left (other nodes are kept honest by the dialogue state's version).
    return this.#serialize(conversationId, () => this.#turn(tenantId, conversationId, input));
  }

  async #turn(tenantId: string, conversationId: string, input: PostMessageInput): Promise<PostMessageResult> {
    const { db, bus, runtimes } = this.deps;
    const started = performance.now();
    // 0. Quotas: refuses (429) before anything is stored, or turns the LLM tier off.
    const admission = await admitTurn(this.deps.metering, tenantId, this.deps.llm);
    const turnId = randomUUID();
    const messageInput: CustomerMessageInput = { tenantId, conversationId, turnId, ...input };
    let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
    let connectorCalls = 0;
    let attempts = 0;
    const turnRecord = (runtime: TenantRuntime, decision: TurnDecision, problem: string | null) => ({
      tenantId,
      conversationId,
      turnId,
      apiKeyId: input.apiKeyId ?? null,
      decision,
      usage,
      connectorCalls,
      costMicros: turnCostMicros(usage, runtime.prices, serverPrices(this.deps.llm)),
      latencyMs: performance.now() - started,
      traceExtras: {
        ...(admission.limits ? { limits: admission.limits } : {}),
        ...(attempts > 1 ? { attempts } : {}),
        ...(problem ? { stateProblem: problem } : {}),
      },
    });
    const count = (decision: TurnDecision) => {
      usage = addUsage(usage, decision.trace.llm?.usage);
      connectorCalls += decision.trace.playbook?.steps.filter((step) => step.kind === 'connector').length ?? 0;
    };
    const result = (decision: TurnDecision, message: Message, reply: Message): PostMessageResult => {
      const { route, tier, intent, confidence } = decision;
      return {
        duplicate: false,
        message,
        reply,
        turn: { id: turnId, traceId: turnId, route, tier, intent, confidence },
      };
    };

    // The customer's message is committed on its own (and announced) at most once, when the turn
    // needs it: a turn still deciding after the one-commit window, or one that streams.
    let storing: Promise<StoredCustomerMessage | undefined> | undefined;
    const storeMessage = () => (storing ??= this.#storeMessage(messageInput));

    // 1. The one-commit turn. Most turns decide in well under a millisecond (the light tier): they
    // are decided from a plain read of the conversation, then the message and its answer are
    // stored in one transaction, checked against the dialogue state's version. Nothing is
    // acknowledged before that commit, so an acknowledged message is durable either way.
    let running: Promise<{ runtime: TenantRuntime; decision: TurnDecision }> | undefined;
    let runningVersion: number | undefined;
    // A decision already counted (tokens, connector calls) that the three steps below store again.
    let uncounted: TurnDecision | undefined;
    if (this.#oneCommitWindowMs > 0) {
      const conversation = await readConversationForTurn(db, tenantId, conversationId, { forUpdate: false });
      if (conversation.botAnswers) {
        const publishDelta = heldUntilStored(storeMessage, (delta) =>
          bus.publish({ type: 'message.delta', tenantId, conversationId, turnId, delta }),
        );
        running = (async () => {
          const runtime = await runtimes.get(tenantId);
          const turnInput = { text: input.text, beforeSeq: null, contact: conversation.contact };
          // A turn that calls the model is a slow turn: its customer's message is stored first.
          const llm = admission.llm && { ...admission.llm, model: storingFirst(admission.llm.model, storeMessage) };
          const decision = await this.#decide(
            runtime,
            tenantId,
            conversationId,
            turnInput,
            conversation.dialogue.state,
            llm,
            publishDelta,
          );
          return { runtime, decision };
        })();
        runningVersion = conversation.dialogue.version;
        running.catch(() => undefined);
        attempts += 1;
        const inTime = await settlesWithin(running, this.#oneCommitWindowMs);
        if (inTime && !storing) {
          const { runtime, decision } = await running;
          running = undefined;
          count(decision);
          let recorded: RecordedTurn;
          try {
            recorded = await this.#recorder.record({
              ...turnRecord(runtime, decision, conversation.dialogue.problem),
              inboundMessageId: null,
              inbound: messageInput,
              stateVersion: conversation.dialogue.version,
            });
          } catch {
            // The turn could not be stored (a failing write): the customer's message is kept on its
            // own below, and the same decision is stored again after it (or the error is reported
            // with the message safe, for recovery to answer).
            recorded = { status: 'stale' };
            running = Promise.resolve({ runtime, decision });
            uncounted = decision;
          }
          if (recorded.status === 'recorded') return result(decision, recorded.inbound!, recorded.reply);
          if (recorded.status === 'duplicate') return this.#concurrentDuplicate(tenantId, conversationId, input);
          // Stale (another turn wrote the state, or a person took over): store the message, decide again.
        }
      }
    }

    // 2. Store the customer's message and commit: from here on it is durable.
    const stored = await storeMessage();
    if (!stored) return this.#concurrentDuplicate(tenantId, conversationId, input);
    const message = toMessage(stored.inbound);
    if (!stored.botAnswers) return { duplicate: false, message, reply: null, turn: null };

    // 3. Decide the turn outside any transaction (it may call connectors or a model), and
    // 4. store it if no other turn wrote the dialogue state meanwhile; otherwise decide again.
    let dialogue = stored.dialogue;
    const turnInput = { text: stored.inbound.text, beforeSeq: String(stored.inbound.seq), contact: stored.contact };
    const publishDelta = (delta: string) =>
      void bus.publish({ type: 'message.delta', tenantId, conversationId, turnId, delta });
    for (;;) {
      let runtime: TenantRuntime;
      let decision: TurnDecision;
      // A decision already running from the one-commit attempt is kept when it read the same state.
      if (running && runningVersion === dialogue.version) ({ runtime, decision } = await running);
      else {
        attempts += 1;
        runtime = await runtimes.get(tenantId);
        decision = await this.#decide(
          runtime,
          tenantId,
          conversationId,
          turnInput,
          dialogue.state,
          admission.llm,
          publishDelta,
        );
      }
      running = undefined;
      if (decision !== uncounted) count(decision);
      const recorded = await this.#recorder.record({
        ...turnRecord(runtime, decision, dialogue.problem),
        inboundMessageId: stored.inbound.id,
        stateVersion: dialogue.version,
      });
      if (recorded.status === 'recorded') return result(decision, message, recorded.reply);
      // The hand-over leaves the stored state to the turns that won, so it always records.
      if (attempts >= MAX_TURN_ATTEMPTS) {
        const handedOver = await this.#recorder.record({
          ...turnRecord(runtime, raceHandover(runtime, decision), dialogue.problem),
          inboundMessageId: stored.inbound.id,
          stateVersion: null,
        });
        if (handedOver.status !== 'recorded') throw new Error('a hand-over turn is always recorded');
        return result(raceHandover(runtime, decision), message, handedOver.reply);
      }
      dialogue = await readDialogueState(db, tenantId, conversationId);
    }
  }

  /** Stores the customer's message on its own, and announces it. */
  async #storeMessage(input: CustomerMessageInput): Promise<StoredCustomerMessage | undefined> {
    const stored = await storeCustomerMessage(this.deps.db, input);
    if (!stored) return undefined;
    this.deps.metering?.committed(input.tenantId, stored.usage).catch(() => undefined);
    const message = toMessage(stored.inbound);
    await this.deps.bus.publish({
      type: 'message.created',
      tenantId: input.tenantId,
      conversationId: input.conversationId,
      messageId: message.id,
      seq: message.seq,
    });
    return stored;
  }

  /** Runs the turn pipeline on `state` with this conversation's connectors, contact and history. */
  async #decide(
    runtime: TenantRuntime,
    tenantId: string,
    conversationId: string,
    turn: { text: string; beforeSeq: string | null; contact: Record<string, unknown> },
    state: StoredCustomerMessage['dialogue']['state'],
    llm: ConversationServiceDeps['llm'],
    publishDelta: (delta: string) => void,
  ): Promise<TurnDecision> {
    const { db } = this.deps;
    return runTurn(
      runtime,
      { text: turn.text, state },
      {
        connector: createRoutingConnector(runtime.httpConnectors, createDatabaseConnector(db, tenantId)),
        contact: turn.contact,
        now: new Date(),
        today: this.deps.today,
        ...(this.deps.embeddings ? { embeddings: this.deps.embeddings } : {}),
        ...(llm
          ? {
              llm: {
                model: llm.model,
                answerTimeoutMs: llm.answerTimeoutMs,
                history: await recentHistory(db, tenantId, conversationId, turn.beforeSeq),
                onDelta: publishDelta,
              },
            }
          : {}),
      },
    );
  }

  /** See {@link recoverInterruptedTurns}. */
  async recoverInterruptedTurns(olderThanMs: number): Promise<number> {
    return recoverInterruptedTurns(this.deps, olderThanMs);
  }

  /** A concurrent retry with the same idempotency key won the insert: answer with its result. */
  async #concurrentDuplicate(
    tenantId: string,
    conversationId: string,
    input: PostMessageInput,
  ): Promise<PostMessageResult> {
    const duplicate = await this.#findDuplicate(tenantId, conversationId, input.externalId!, input.text);
    if (duplicate) return duplicate;
    throw new KefuError(
      ErrorCodes.idempotencyConflict,
      'a message with this idempotency key is still being processed',
      {
        status: 409,
      },
    );
  }

  async #serialize<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    // Never rejects: the next caller chains on it, and the key is dropped once nothing newer waits.
    const release = () => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    };
    const settled: Promise<void> = run.then(release, release);
    this.#queues.set(key, settled);
    return run;
  }

  async #findDuplicate(
    tenantId: string,
    conversationId: string,
    externalId: string,
    text: string,
  ): Promise<PostMessageResult | null> {
    const { db } = this.deps;
    const existing = await findMessageByExternalId(db, tenantId, conversationId, externalId);
    if (!existing) return null;
    if (existing.text !== text) {
      throw new KefuError(
        ErrorCodes.idempotencyConflict,
        'this idempotency key was already used for a different message',
        {
          status: 409,
        },
      );
    }
    if (!existing.turn_id) return { duplicate: true, message: toMessage(existing), reply: null, turn: null };
    const trace = await db
      .selectFrom('turn_traces')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', existing.turn_id)
      .executeTakeFirst();
    const reply = trace?.reply_message_id ? await findMessage(db, tenantId, trace.reply_message_id) : undefined;
    return {
      duplicate: true,
      message: toMessage(existing),
      reply: reply ? toMessage(reply) : null,
      turn: trace
        ? {
            id: trace.id,
            traceId: trace.id,
            route: trace.route,
            tier: trace.tier,
            intent: trace.intent,
            confidence: trace.confidence,
          }
        : null,
    };
  }
}

/** The model, with the customer's message stored (and announced) before its first call. */
function storingFirst(model: ChatModel, store: () => Promise<unknown>): ChatModel {
  return {
    provider: model.provider,
    modelId: model.modelId,
    async generate(request) {
      await store();
      return model.generate(request);
    },
    async *stream(request) {
      await store();
      yield* model.stream(request);
    },
  };
}

/** True when `work` settles within `ms` (either way), false when the time runs out first. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Streamed deltas of a turn whose message is not stored yet: the first one has the message stored
 * (and announced), and the deltas follow it in order, so no one sees an answer to a message that
 * is not there.
 */
function heldUntilStored(store: () => Promise<unknown>, publish: (delta: string) => Promise<void>) {
  let ready = false;
  const held: string[] = [];
  return (delta: string) => {
    if (ready) return void publish(delta).catch(() => undefined);
    held.push(delta);
    void store().then(
      () => {
        if (ready) return;
        ready = true;
        for (const next of held.splice(0)) void publish(next).catch(() => undefined);
      },
      () => undefined,
    );
  };
}

function serverPrices(llm: ConversationServiceDeps['llm']) {
  return llm ? { inputPer1k: llm.inputPricePer1k, outputPer1k: llm.outputPricePer1k } : null;
}

/**
 * The answer when other turns won the dialogue state every time: the customer is told a person
 * will follow up, the hand-off says why, and the state is left to the turns that were stored.
 */
function raceHandover(runtime: TenantRuntime, decided: TurnDecision): TurnDecision {
  const text = runtime.messages.handoff;
  return {
    ...decided,
    route: 'human',
    tier: 'human',
    reply: {
      text,
      parts: [
        { type: 'text', text },
        { type: 'handoff', reason: RACE_HANDOVER_REASON },
      ],
    },
    draft: null,
    handoffReason: RACE_HANDOVER_REASON,
    handoffNote: null,
    events: [],
  };
}

/**
 * Trims, rejects empty and oversized messages, and replaces what PostgreSQL cannot store (NUL)
 * and lone UTF-16 surrogates with U+FFFD.
 */
export function validateMessageText(raw: string, maxChars: number): string {
  const text = raw
    .replace(/\u0000/g, '\uFFFD')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .trim();
  if (text.length === 0) throw new KefuError(ErrorCodes.messageEmpty, 'the message is empty', { status: 422 });
  if ([...text].length > maxChars) {
    throw new KefuError(ErrorCodes.messageTooLong, `the message is longer than ${maxChars} characters`, {
      status: 422,
      details: { maxChars },
    });
  }
  return text;
}

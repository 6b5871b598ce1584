import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { EventBus } from '../bus/index.js';
import { runTurn, type DialogueState } from '../engine/run-turn.js';
import type { TenantRuntimeCache } from '../engine/tenant-runtime.js';
import { createDatabaseConnector, createRoutingConnector } from '../playbooks/index.js';
import type { ChatMessage, ChatModel } from '../llm/index.js';
import { appendUsage, inboundUsage, turnUsage, type QuotaTracker, type UsageEntry } from '../metering/index.js';
import { KefuError, ErrorCodes } from '../errors/index.js';
import type { Db } from '../store/database.js';
import type { MessagePart } from '../store/schema.js';
import { toConversation, toMessage, toTurnTrace, type Conversation, type Message, type TurnTraceView } from './mappers.js';
import { canTransition } from './status.js';

export interface ConversationServiceDeps {
  db: Db;
  bus: EventBus;
  runtimes: TenantRuntimeCache;
  maxMessageChars: number;
  /** The date playbooks see as today (YYYY-MM-DD); the real date when unset. */
  today?: string;
  /** The LLM tier and its price sheet (yuan per 1,000 tokens), when configured. */
  llm?: { model: ChatModel; answerTimeoutMs: number; inputPricePer1k: number; outputPricePer1k: number };
  /** Monthly quotas and plan tiers (src/metering); usage is written to the ledger either way. */
  metering?: QuotaTracker;
  /** The hand-off layer (src/handoff): queues what a turn hands over and keeps assist drafts. */
  handoff?: TurnHandoffHook;
}

/** What a turn routed to a person tells the hand-off layer. */
export interface RoutedTurn {
  tenantId: string;
  conversationId: string;
  turnId: string | null;
  route: 'human' | 'assist';
  intent: string | null;
  reason: string | null;
  requestedBy?: 'bot' | 'system';
  draft: { messageId: string; text: string; parts: MessagePart[] } | null;
}

/** Called inside the turn's last transaction when it routes to a person; returns the after-commit work. */
export interface TurnHandoffHook {
  onTurnRouted(trx: Db, turn: RoutedTurn): Promise<() => Promise<void>>;
}

export interface NewConversation {
  channel?: { kind: string; name?: string };
  contact?: { externalId?: string; name?: string; phone?: string; email?: string };
}

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
  #accepting = true;

  constructor(private readonly deps: ConversationServiceDeps) {}

  /** Stops taking new turns and waits for the running ones (graceful shutdown). */
  async drain(): Promise<void> {
    this.#accepting = false;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async createConversation(tenantId: string, input: NewConversation = {}): Promise<Conversation> {
    const { db, bus } = this.deps;
    const conversation = await db.transaction().execute(async (trx) => {
      // Lock the tenant row: display ids are allocated one at a time per tenant.
      await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
      const kind = input.channel?.kind ?? 'api';
      let channel = await trx
        .selectFrom('channels')
        .select(['id'])
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', kind)
        .$if(input.channel?.name !== undefined, (query) => query.where('name', '=', input.channel!.name!))
        .orderBy('created_at')
        .executeTakeFirst();
      if (!channel) {
        channel = { id: randomUUID() };
        await trx.insertInto('channels').values({ id: channel.id, tenant_id: tenantId, kind, name: input.channel?.name ?? kind, config: '{}' }).execute();
      }
      let contactId: string | undefined;
      const externalId = input.contact?.externalId;
      if (externalId) {
        const identity = await trx
          .selectFrom('contact_identities')
          .select(['contact_id'])
          .where('tenant_id', '=', tenantId)
          .where('channel_id', '=', channel.id)
          .where('external_id', '=', externalId)
          .executeTakeFirst();
        contactId = identity?.contact_id;
      }
      if (!contactId) {
        contactId = randomUUID();
        await trx
          .insertInto('contacts')
          .values({
            id: contactId,
            tenant_id: tenantId,
            name: input.contact?.name ?? null,
            phone: input.contact?.phone ?? null,
            email: input.contact?.email ?? null,
            attributes: '{}',
          })
          .execute();
        if (externalId) {
          await trx
            .insertInto('contact_identities')
            .values({ id: randomUUID(), tenant_id: tenantId, channel_id: channel.id, contact_id: contactId, external_id: externalId })
            .execute();
        }
      }
      const { next } = await trx
        .selectFrom('conversations')
        .select(sql<number>`coalesce(max(display_id), 0) + 1`.as('next'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return trx
        .insertInto('conversations')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          display_id: Number(next),
          channel_id: channel.id,
          contact_id: contactId,
          status: 'open',
          assignee_kind: 'bot',
          assignee_id: null,
          state: '{}',
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    await bus.publish({ type: 'conversation.created', tenantId, conversationId: conversation.id });
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

  async listConversations(tenantId: string, options: { status?: string; limit: number; before?: number }): Promise<Conversation[]> {
    const rows = await this.deps.db
      .selectFrom('conversations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .$if(options.status !== undefined, (query) => query.where('status', '=', options.status as Conversation['status']))
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
    const row = await this.deps.db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId).where('id', '=', messageId).executeTakeFirst();
    if (!row) throw notFound(ErrorCodes.messageNotFound, 'message');
    return toMessage(row);
  }

  async getTrace(tenantId: string, traceId: string): Promise<TurnTraceView> {
    const row = await this.deps.db.selectFrom('turn_traces').selectAll().where('tenant_id', '=', tenantId).where('id', '=', traceId).executeTakeFirst();
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
  async postCustomerMessage(tenantId: string, conversationId: string, input: PostMessageInput): Promise<PostMessageResult> {
    if (!this.#accepting) throw new KefuError(ErrorCodes.shuttingDown, 'kefu is shutting down; retry on another node', { status: 503 });
    const text = validateMessageText(input.text, this.deps.maxMessageChars);
    const work = this.#post(tenantId, conversationId, text, input.externalId, input.apiKeyId);
    this.#inFlight.add(work);
    try {
      return await work;
    } finally {
      this.#inFlight.delete(work);
    }
  }

  async #post(tenantId: string, conversationId: string, text: string, externalId: string | undefined, apiKeyId?: string): Promise<PostMessageResult> {
    if (externalId !== undefined) {
      const duplicate = await this.#findDuplicate(tenantId, conversationId, externalId, text);
      if (duplicate) return duplicate;
    }
    // Turns of one conversation run one at a time on this node, so each sees the state the
    // previous one left.
    return this.#serialize(conversationId, () => this.#turn(tenantId, conversationId, text, externalId, apiKeyId));
  }

  async #turn(tenantId: string, conversationId: string, text: string, externalId: string | undefined, apiKeyId?: string): Promise<PostMessageResult> {
    const { db, bus, runtimes, metering } = this.deps;
    const started = performance.now();
    // Quotas and plan tiers: refuses (429) before anything is stored, or turns the LLM tier off.
    const admission = metering ? await metering.admit(tenantId, this.deps.llm?.model.modelId ?? null) : null;
    let inboundEntries: UsageEntry[] = [];
    const runtime = await runtimes.get(tenantId);
    const traceId = randomUUID();

    // 1. Store the customer's message and commit: from here on it is durable.
    const stored = await db.transaction().execute(async (trx) => {
      const conversation = await trx
        .selectFrom('conversations')
        .innerJoin('contacts', (join) => join.onRef('contacts.id', '=', 'conversations.contact_id').onRef('contacts.tenant_id', '=', 'conversations.tenant_id'))
        .select(['conversations.status', 'conversations.contact_id', 'conversations.assignee_kind', 'conversations.state', 'contacts.name', 'contacts.phone', 'contacts.email', 'contacts.attributes'])
        .where('conversations.tenant_id', '=', tenantId)
        .where('conversations.id', '=', conversationId)
        .forUpdate(['conversations'])
        .executeTakeFirst();
      if (!conversation) throw notFound(ErrorCodes.conversationNotFound, 'conversation');
      // A person owns the conversation: the bot stays quiet.
      const botAnswers = conversation.assignee_kind !== 'agent';
      const inbound = await trx
        .insertInto('messages')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          conversation_id: conversationId,
          direction: 'incoming',
          visibility: 'public',
          sender_kind: 'contact',
          sender_id: conversation.contact_id,
          content: JSON.stringify([{ type: 'text', text }] satisfies MessagePart[]),
          text,
          external_id: externalId ?? null,
          turn_id: botAnswers ? traceId : null,
        })
        .onConflict((conflict) => conflict.columns(['tenant_id', 'conversation_id', 'external_id']).where('external_id', 'is not', null).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inbound) {
        // Billed in the same transaction as the message it counts.
        inboundEntries = inboundUsage({ messageId: inbound.id, conversationId, turnId: inbound.turn_id, text, apiKeyId: apiKeyId ?? null, idempotencyKey: externalId ?? null });
        await appendUsage(trx, tenantId, inboundEntries);
      }
      if (inbound && (conversation.status === 'resolved' || !botAnswers)) {
        await trx
          .updateTable('conversations')
          .set({ status: conversation.status === 'resolved' ? 'open' : conversation.status, last_message_at: new Date(), updated_at: new Date() })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', conversationId)
          .execute();
      }
      return inbound ? { inbound, conversation, botAnswers } : null;
    });
    if (!stored) {
      // A concurrent retry with the same external id won the insert.
      const duplicate = await this.#findDuplicate(tenantId, conversationId, externalId!, text);
      if (duplicate) return duplicate;
      throw new KefuError(ErrorCodes.idempotencyConflict, 'a message with this idempotency key is still being processed', { status: 409 });
    }
    const message = toMessage(stored.inbound);
    if (metering) metering.committed(tenantId, inboundEntries).catch(() => undefined);
    await bus.publish({ type: 'message.created', tenantId, conversationId, messageId: message.id, seq: message.seq });
    if (!stored.botAnswers) return { duplicate: false, message, reply: null, turn: null };

    // 2. Run the turn outside any transaction (it may call connectors or a model).
    const contact = stored.conversation;
    const llm = admission?.llmOff ? undefined : this.deps.llm;
    const decision = await runTurn(runtime, { text, state: contact.state as DialogueState }, {
      connector: createRoutingConnector(runtime.httpConnectors, createDatabaseConnector(db, tenantId)),
      contact: { id: contact.contact_id, name: contact.name, phone: contact.phone, email: contact.email, ...(contact.attributes as Record<string, unknown>) },
      now: new Date(),
      today: this.deps.today,
      ...(llm
        ? {
            llm: {
              model: llm.model,
              answerTimeoutMs: llm.answerTimeoutMs,
              history: await this.#history(tenantId, conversationId, stored.inbound.seq),
              onDelta: (delta: string) => void bus.publish({ type: 'message.delta', tenantId, conversationId, turnId: traceId, delta }),
            },
          }
        : {}),
    });
    const usage = decision.trace.llm?.usage ?? { inputTokens: 0, outputTokens: 0 };
    const prices = runtime.prices ?? (llm ? { inputPer1k: llm.inputPricePer1k, outputPer1k: llm.outputPricePer1k } : null);
    const costMicros = prices ? Math.round(usage.inputTokens * prices.inputPer1k * 1000 + usage.outputTokens * prices.outputPer1k * 1000) : 0;

    // 3. Store the reply, any draft and the trace, and move the conversation on.
    let turnEntries: UsageEntry[] = [];
    const outcome = await db.transaction().execute(async (trx) => {
      const storedTexts: Array<{ messageId: string; text: string }> = [];
      const conversation = await trx
        .selectFrom('conversations')
        .select(['status'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', conversationId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const insertMessage = async (visibility: 'public' | 'internal', senderKind: 'bot' | 'system', parts: MessagePart[], body: string) => {
        const row = await trx
          .insertInto('messages')
          .values({
            id: randomUUID(),
            tenant_id: tenantId,
            conversation_id: conversationId,
            direction: 'outgoing',
            visibility,
            sender_kind: senderKind,
            sender_id: null,
            content: JSON.stringify(parts),
            text: body,
            external_id: null,
            turn_id: traceId,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        storedTexts.push({ messageId: row.id, text: body });
        return row;
      };
      const draftMessage = decision.draft ? await insertMessage('internal', 'bot', decision.draft.parts, decision.draft.text) : null;
      if (decision.handoffNote) await insertMessage('internal', 'system', [{ type: 'text', text: decision.handoffNote }], decision.handoffNote);
      const reply = await insertMessage('public', decision.route === 'auto' ? 'bot' : 'system', decision.reply.parts, decision.reply.text);
      await trx
        .insertInto('turn_traces')
        .values({
          id: traceId,
          tenant_id: tenantId,
          conversation_id: conversationId,
          inbound_message_id: stored.inbound.id,
          reply_message_id: reply.id,
          route: decision.route,
          tier: decision.tier,
          intent: decision.intent,
          confidence: decision.confidence,
          latency_ms: performance.now() - started,
          tokens_in: usage.inputTokens,
          tokens_out: usage.outputTokens,
          cost_micros: costMicros,
          trace: JSON.stringify({
            ...decision.trace,
            route: decision.route,
            tier: decision.tier,
            handoffReason: decision.handoffReason,
            events: decision.events,
            ...(admission?.llmOff ? { limits: { llmOff: admission.llmOff, plan: admission.plan.slug } } : {}),
          }),
        })
        .execute();
      // The turn, its tokens, connector calls and stored bytes: billed with the reply, or not at all.
      turnEntries = turnUsage({
        turnId: traceId,
        conversationId,
        tier: decision.tier,
        route: decision.route,
        tokensIn: usage.inputTokens,
        tokensOut: usage.outputTokens,
        connectorCalls: decision.trace.playbook?.steps.filter((step) => step.kind === 'connector').length ?? 0,
        stored: storedTexts,
        apiKeyId: apiKeyId ?? null,
      });
      await appendUsage(trx, tenantId, turnEntries);
      const handOver = decision.route !== 'auto' && conversation.status !== 'pending' && canTransition(conversation.status, 'pending');
      const afterHandoff =
        decision.route !== 'auto' && this.deps.handoff
          ? await this.deps.handoff.onTurnRouted(trx, {
              tenantId,
              conversationId,
              turnId: traceId,
              route: decision.route,
              intent: decision.intent,
              reason: decision.handoffReason,
              draft: draftMessage && decision.draft ? { messageId: draftMessage.id, text: decision.draft.text, parts: decision.draft.parts } : null,
            })
          : null;
      await trx
        .updateTable('conversations')
        .set({
          state: JSON.stringify(decision.nextState),
          last_message_at: new Date(),
          updated_at: new Date(),
          ...(handOver ? { status: 'pending' as const, assignee_kind: 'none' as const } : {}),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', conversationId)
        .execute();
      return { reply: toMessage(reply), handOver, afterHandoff };
    });

    if (metering) metering.committed(tenantId, turnEntries).catch(() => undefined);
    await bus.publish({ type: 'message.created', tenantId, conversationId, messageId: outcome.reply.id, seq: outcome.reply.seq });
    await bus.publish({ type: 'turn.completed', tenantId, conversationId, turnId: traceId, route: decision.route });
    if (outcome.handOver) await bus.publish({ type: 'conversation.updated', tenantId, conversationId, status: 'pending' });
    if (outcome.afterHandoff) await outcome.afterHandoff().catch(() => undefined);
    return {
      duplicate: false,
      message,
      reply: outcome.reply,
      turn: { id: traceId, traceId, route: decision.route, tier: decision.tier, intent: decision.intent, confidence: decision.confidence },
    };
  }

  /**
   * Customer messages whose turn never finished (the process died between storing the message
   * and storing the reply): each gets the tenant's hand-over message and a trace saying why, and
   * its conversation waits for a person. Only messages older than `olderThanMs` are touched, so a
   * turn still running on another node is left alone.
   */
  async recoverInterruptedTurns(olderThanMs: number): Promise<number> {
    const { db, bus, runtimes } = this.deps;
    const orphans = await db
      .selectFrom('messages as message')
      .leftJoin('turn_traces as trace', (join) => join.onRef('trace.id', '=', 'message.turn_id').onRef('trace.tenant_id', '=', 'message.tenant_id'))
      .select(['message.id', 'message.tenant_id', 'message.conversation_id', 'message.turn_id'])
      .where('message.direction', '=', 'incoming')
      .where('message.turn_id', 'is not', null)
      .where('trace.id', 'is', null)
      .where('message.created_at', '<', new Date(Date.now() - olderThanMs))
      .orderBy('message.seq')
      .limit(1000)
      .execute();
    for (const orphan of orphans) {
      const runtime = await runtimes.get(orphan.tenant_id);
      const text = runtime.messages.handoff;
      const reason = 'turn interrupted: the process stopped before replying';
      const reply = await db.transaction().execute(async (trx) => {
        const conversation = await trx
          .selectFrom('conversations')
          .select(['status'])
          .where('tenant_id', '=', orphan.tenant_id)
          .where('id', '=', orphan.conversation_id)
          .forUpdate()
          .executeTakeFirst();
        if (!conversation) return null;
        const inserted = await trx
          .insertInto('messages')
          .values({
            id: randomUUID(),
            tenant_id: orphan.tenant_id,
            conversation_id: orphan.conversation_id,
            direction: 'outgoing',
            visibility: 'public',
            sender_kind: 'system',
            sender_id: null,
            content: JSON.stringify([{ type: 'text', text }, { type: 'handoff', reason }] satisfies MessagePart[]),
            text,
            external_id: null,
            turn_id: orphan.turn_id,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('turn_traces')
          .values({
            id: orphan.turn_id!,
            tenant_id: orphan.tenant_id,
            conversation_id: orphan.conversation_id,
            inbound_message_id: orphan.id,
            reply_message_id: inserted.id,
            route: 'human',
            tier: 'human',
            intent: null,
            confidence: 0,
            latency_ms: 0,
            trace: JSON.stringify({ route: 'human', tier: 'human', reasons: [reason], handoffReason: reason, recovered: true }),
          })
          .onConflict((conflict) => conflict.column('id').doNothing())
          .execute();
        if (conversation.status !== 'pending' && canTransition(conversation.status, 'pending')) {
          await trx.updateTable('conversations').set({ status: 'pending', assignee_kind: 'none', updated_at: new Date() }).where('tenant_id', '=', orphan.tenant_id).where('id', '=', orphan.conversation_id).execute();
        }
        const afterHandoff = this.deps.handoff
          ? await this.deps.handoff.onTurnRouted(trx, {
              tenantId: orphan.tenant_id,
              conversationId: orphan.conversation_id,
              turnId: orphan.turn_id,
              route: 'human',
              intent: null,
              reason,
              requestedBy: 'system',
              draft: null,
            })
          : null;
        return { message: toMessage(inserted), afterHandoff };
      });
      if (reply) {
        await bus.publish({ type: 'message.created', tenantId: orphan.tenant_id, conversationId: orphan.conversation_id, messageId: reply.message.id, seq: reply.message.seq });
        if (reply.afterHandoff) await reply.afterHandoff().catch(() => undefined);
      }
    }
    return orphans.length;
  }

  /** The last public messages before `beforeSeq`, oldest first, as model messages. */
  async #history(tenantId: string, conversationId: string, beforeSeq: string): Promise<ChatMessage[]> {
    const rows = await this.deps.db
      .selectFrom('messages')
      .select(['direction', 'text'])
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .where('visibility', '=', 'public')
      .where('seq', '<', beforeSeq as never)
      .orderBy('seq', 'desc')
      .limit(6)
      .execute();
    return rows.reverse().map((row) => ({ role: row.direction === 'incoming' ? 'user' : 'assistant', content: row.text.slice(0, 2000) }));
  }

  async #serialize<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(key, settled);
    settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return run;
  }

  async #findDuplicate(tenantId: string, conversationId: string, externalId: string, text: string): Promise<PostMessageResult | null> {
    const { db } = this.deps;
    const existing = await db
      .selectFrom('messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    if (!existing) return null;
    if (existing.text !== text) {
      throw new KefuError(ErrorCodes.idempotencyConflict, 'this idempotency key was already used for a different message', { status: 409 });
    }
    if (!existing.turn_id) return { duplicate: true, message: toMessage(existing), reply: null, turn: null };
    const trace = await db.selectFrom('turn_traces').selectAll().where('tenant_id', '=', tenantId).where('id', '=', existing.turn_id).executeTakeFirst();
    const reply = trace?.reply_message_id
      ? await db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId).where('id', '=', trace.reply_message_id).executeTakeFirst()
      : undefined;
    return {
      duplicate: true,
      message: toMessage(existing),
      reply: reply ? toMessage(reply) : null,
      turn: trace ? { id: trace.id, traceId: trace.id, route: trace.route, tier: trace.tier, intent: trace.intent, confidence: trace.confidence } : null,
    };
  }
}

function notFound(code: string, what: string): KefuError {
  // The same answer whether the id does not exist or belongs to another tenant.
  return new KefuError(code, `${what} not found`, { status: 404 });
}

/**
 * Trims, rejects empty and oversized messages, and replaces what PostgreSQL cannot store (NUL)
 * and lone UTF-16 surrogates with U+FFFD.
 */
export function validateMessageText(raw: string, maxChars: number): string {
  const text = raw.replace(/\u0000/g, '\uFFFD').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD').trim();
  if (text.length === 0) throw new KefuError(ErrorCodes.messageEmpty, 'the message is empty', { status: 422 });
  if ([...text].length > maxChars) {
    throw new KefuError(ErrorCodes.messageTooLong, `the message is longer than ${maxChars} characters`, { status: 422, details: { maxChars } });
  }
  return text;
}

import { randomUUID } from 'node:crypto';
import type { EventBus } from '../bus/index.js';
import { canTransition, type ConversationService, type Message } from '../conversations/index.js';
import { insertMessage } from '../conversations/messages-repository.js';
import { lockConversation } from '../conversations/index.js';
import { isKefuError } from '../errors/index.js';
import type { HandoffService } from '../handoff/index.js';
import type { Db } from '../store/database.js';
import { voiceText, type VoiceTextKey } from './locales.js';
import { menuPrompt, spokenAmounts, toSpeechText, type VoiceLanguage } from './speech-text.js';
import { normalizePhone } from './phone-number.js';
import { integerToChinese, integerToEnglish } from './spoken-numbers.js';
import type { VoiceCallRow } from './voice-tables.js';
import { ctiPayload, type CtiEvent } from './adapters/cti.js';
import { kefuSignature } from './signatures.js';
import type { SayAction, VoiceAction, VoiceCallState, VoiceEvent, VoiceNumber, VoiceResponse } from './voice-types.js';

/** The seq of `call.ended`: it may come at any point, once, and is never stale. */
export const ENDED_SEQ = 2_147_483_647;

export interface VoiceServiceDeps {
  db: Db;
  bus: EventBus;
  conversations: ConversationService;
  handoff?: HandoffService | undefined;
  /** Seconds the caller holds between two looks at the queue. */
  holdSeconds?: number;
  /** Seconds a gather listens before it gives up. */
  gatherTimeoutSeconds?: number;
  /** A call with no event for this long is ended by the sweeper (the platform lost its hang-up). */
  idleCallMs?: number;
  now?: () => Date;
  /** For the CTI events kefu emits (tests pass their own). */
  fetch?: typeof fetch;
  onError?: (error: unknown, what: string) => void;
}

type Outcome = { actions: VoiceAction[]; outcome: string };

interface CallContext {
  number: VoiceNumber;
  event: VoiceEvent;
  call: VoiceCallRow;
  state: VoiceCallState;
  language: VoiceLanguage;
  /** Set when the call's status changes. */
  status?: VoiceCallRow['status'];
  previousStatus: VoiceCallRow['status'];
  endReason?: string;
}

/**
 * The provider-neutral voice core: call events and speech turns in, actions out. Every call is a
 * conversation of the tenant (channel `voice`, the caller's number as the contact's identity), and
 * every turn runs through the same pipeline as text, guard included. Answers are stored per call
 * and seq, so a retried delivery gets the same answer and never a second turn.
 */
export class VoiceService {
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #numbers = new Map<string, { at: number; row: VoiceNumber | null }>();

  constructor(private readonly deps: VoiceServiceDeps) {}

  #now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The tenant's number (cached for five seconds); null when no tenant owns it. */
  async findNumber(raw: string): Promise<VoiceNumber | null> {
    const number = normalizePhone(raw);
    if (!number) return null;
    const cached = this.#numbers.get(number);
    if (cached && Date.now() - cached.at < 5000) return cached.row;
    const candidates = [number, number.startsWith('86') ? number.slice(2) : `86${number}`];
    // The tenant's name comes along (for the greeting), so a call's start does not read it again.
    const row = await this.deps.db
      .selectFrom('voice_numbers')
      .innerJoin('tenants', 'tenants.id', 'voice_numbers.tenant_id')
      .selectAll('voice_numbers')
      .select('tenants.name as tenant_name')
      .where('voice_numbers.number', 'in', candidates)
      .executeTakeFirst();
    const found: VoiceNumber | null = row
      ? {
          id: row.id,
          tenantId: row.tenant_id,
          number: row.number,
          provider: row.provider,
          secret: row.secret,
          language: asLanguage(row.language),
          transferTarget: row.transfer_target,
          minConfidence: row.min_confidence,
          ctiUrl: row.cti_url,
          tenantName: row.tenant_name,
        }
      : null;
    this.#numbers.set(number, { at: Date.now(), row: found });
    return found;
  }

  /** Forgets cached numbers (after the admin API changed one). */
  forgetNumbers(): void {
    this.#numbers.clear();
  }

  /** Answers one event of a call. Events of one call are handled one at a time on this node. */
  async handle(number: VoiceNumber, event: VoiceEvent): Promise<VoiceResponse> {
    const key = `${number.tenantId}:${event.provider}:${event.callId}`;
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(
      () => this.#handle(number, event),
      () => this.#handle(number, event),
    );
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return run;
  }

  async #handle(number: VoiceNumber, event: VoiceEvent): Promise<VoiceResponse> {
    // One statement reads the call and the answer already stored for this seq (a retry).
    const { call, stored } = await this.#findOrCreateCall(number, event);
    const base = { tenantId: number.tenantId, conversationId: call.conversation_id };
    if (stored !== null) return { ...base, actions: stored as VoiceAction[], outcome: 'duplicate' };

    const context: CallContext = {
      number,
      event,
      call,
      state: { ...(call.state as VoiceCallState) },
      language: number.language,
      previousStatus: call.status,
    };
    let result: Outcome;
    if (call.status === 'ended' && event.kind !== 'call.ended') {
      // The platform hung up (or the sweeper ended the call) before this arrived.
      result = { actions: [{ type: 'hangup' }], outcome: 'ended' };
    } else if (event.kind !== 'call.ended' && event.seq < call.last_seq) {
      result = await this.#stale(call);
    } else {
      result = await this.#dispatch(context);
    }
    result = await this.#save(context, result);
    return { ...base, conversationId: context.call.conversation_id, ...result };
  }

  /** The call (created at its first event) and the answer stored for this event's seq, if any. */
  async #findOrCreateCall(number: VoiceNumber, event: VoiceEvent): Promise<{ call: VoiceCallRow; stored: unknown }> {
    const { db } = this.deps;
    const read = () =>
      db
        .selectFrom('voice_calls')
        .leftJoin('voice_events', (join) =>
          join.onRef('voice_events.call_row_id', '=', 'voice_calls.id').on('voice_events.seq', '=', event.seq),
        )
        .selectAll('voice_calls')
        .select('voice_events.response as stored_response')
        .where('voice_calls.tenant_id', '=', number.tenantId)
        .where('voice_calls.provider', '=', event.provider)
        .where('voice_calls.call_id', '=', event.callId)
        .executeTakeFirst();
    const split = ({ stored_response: stored, ...call }: NonNullable<Awaited<ReturnType<typeof read>>>) => ({
      call: call as VoiceCallRow,
      stored,
    });
    const existing = await read();
    if (existing) return split(existing);
    const ended = event.kind === 'call.ended';
    const created = await db
      .insertInto('voice_calls')
      .values({
        id: randomUUID(),
        tenant_id: number.tenantId,
        provider: event.provider,
        call_id: event.callId,
        number_id: number.id,
        conversation_id: null,
        from_number: normalizePhone(event.from) || event.from.slice(0, 64),
        to_number: normalizePhone(event.to) || event.to.slice(0, 64),
        direction: event.direction,
        status: ended ? 'ended' : 'ringing',
        state: '{}',
        ...(ended ? { ended_at: this.#now(), end_reason: event.reason ?? 'ended' } : {}),
      })
      .onConflict((conflict) => conflict.columns(['tenant_id', 'provider', 'call_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (created) return { call: created, stored: null };
    // Another node created it at the same moment.
    const raced = await read();
    if (!raced) throw new Error('a voice call row vanished after its insert conflicted');
    return split(raced);
  }

  /** The caller's phone: the far end of the call. */
  #callerPhone(call: VoiceCallRow): string {
    return call.direction === 'inbound' ? call.from_number : call.to_number;
  }

  async #conversationOf(context: CallContext): Promise<string> {
    if (context.call.conversation_id) return context.call.conversation_id;
    const phone = this.#callerPhone(context.call);
    const conversation = await this.deps.conversations.createConversation(context.number.tenantId, {
      channel: { kind: 'voice', name: 'voice' },
      contact: { externalId: phone || `call:${context.call.call_id}`, ...(phone ? { phone } : {}) },
    });
    await this.deps.db
      .updateTable('voice_calls')
      .set({ conversation_id: conversation.id })
      .where('id', '=', context.call.id)
      .execute();
    context.call = { ...context.call, conversation_id: conversation.id };
    return conversation.id;
  }

  async #dispatch(context: CallContext): Promise<Outcome> {
    const { event } = context;
    if (event.cti) return this.#cti(context);
    switch (event.kind) {
      case 'call.started':
      case 'call.answered':
        return this.#start(context);
      case 'call.ended':
        await this.#end(context, event.reason ?? 'hangup');
        return { actions: [], outcome: 'ended' };
      case 'hold':
        return this.#hold(context);
      case 'turn':
        return this.#turn(context);
    }
  }

  async #start(context: CallContext): Promise<Outcome> {
    if (context.call.status === 'ringing') context.status = 'active';
    if (context.state.lastPrompt !== undefined) return { actions: [], outcome: 'answered' };
    await this.#conversationOf(context);
    const greeting = this.#t(context, 'greeting', { name: context.number.tenantName ?? '' });
    return { actions: [this.#gather(context, [this.#say(context, greeting)])], outcome: 'answered' };
  }

  /** A caller's turn: keys and menus first, then what they said, then the engine. */
  async #turn(context: CallContext): Promise<Outcome> {
    const { event, state } = context;
    if (context.call.status === 'ringing') context.status = 'active';
    const digits = (event.digits ?? '').replace(/[^0-9*#]/g, '');
    const spoken = (event.speech?.text ?? '').trim();

    if (state.callbackMenu)
      return this.#callbackChoice(context, digits || (/[1一]|回电|call ?back/i.test(spoken) ? '1' : '2'));

    if (state.confirm !== undefined) {
      const yes = digits === '1' || (!digits && /^(?:确认|確認|是|是的|对|對|好|可以|yes|yeah|confirm)/i.test(spoken));
      const no = digits === '2' || (!digits && /^(?:取消|不|否|no|cancel)/i.test(spoken));
      const option = state.confirm;
      if (yes) {
        delete state.confirm;
        return this.#runTurn(context, option);
      }
      if (no) {
        delete state.confirm;
        delete state.menu;
        delete state.menuAmount;
        return this.#ask(context, this.#t(context, 'cancelled'));
      }
      return this.#ask(context, state.lastPrompt ?? this.#t(context, 'anythingElse'), { maxDigits: 1 });
    }

    if (digits) {
      state.silences = 0;
      const key = digits.replace(/#$/, '');
      if (key === '0' && (state.personOffered || state.menu))
        return this.#runTurn(context, this.#t(context, 'personWanted'));
      if (state.menu && /^[1-9]$/.test(key)) {
        const option = state.menu[Number(key) - 1];
        if (option === undefined) {
          const again = [this.#t(context, 'menuInvalid'), menuPrompt(state.menu, context.language)].join(' ');
          return this.#ask(context, again, { maxDigits: 1, keepMenu: true });
        }
        return this.#chooseOption(context, option);
      }
      if (!key || key === '*') return this.#ask(context, state.lastPrompt ?? this.#t(context, 'anythingElse'));
      // Typed on the keypad with no menu: an order number, an amount, a card's last digits.
      return this.#runTurn(context, key.replace(/[*#]/g, ''));
    }

    if (!spoken) {
      state.silences = (state.silences ?? 0) + 1;
      if (state.silences >= 2) {
        await this.#end(context, 'silence');
        return {
          actions: [this.#say(context, this.#t(context, 'goodbyeSilent')), { type: 'hangup' }],
          outcome: 'answered',
        };
      }
      return this.#ask(context, this.#t(context, 'silence'), { keepMenu: true, reprompt: true });
    }
    state.silences = 0;

    const confidence = event.speech?.confidence;
    if (confidence !== undefined && confidence < context.number.minConfidence) {
      state.lowConfidence = (state.lowConfidence ?? 0) + 1;
      if (state.lowConfidence >= 2) {
        state.personOffered = true;
        return this.#ask(context, this.#t(context, 'offerPerson'), { keepMenu: true, maxDigits: 1 });
      }
      return this.#ask(context, this.#t(context, 'sayAgain'), { keepMenu: true, reprompt: true });
    }
    state.lowConfidence = 0;
    // Said aloud instead of pressed: an option named in the speech is chosen like its key.
    const named = state.menu?.find((option) => spoken.includes(option));
    if (named && (state.menuAmount || spokenAmounts(named, context.language).length > 0))
      return this.#chooseOption(context, named);
    return this.#runTurn(context, spoken);
  }

  /** An option with an amount is confirmed before it is acted on; otherwise it is the caller's words. */
  #chooseOption(context: CallContext, option: string): Promise<Outcome> | Outcome {
    const { state } = context;
    // The option's own amount (领 5 元补偿券), else the amount of the reply that offered it.
    const amount = spokenAmounts(option, context.language)[0] ?? state.menuAmount;
    if (amount) {
      state.confirm = option;
      const prompt = this.#t(context, 'confirmAmount', {
        option: toSpeechText(option, context.language),
        amount,
      });
      return this.#ask(context, prompt, { maxDigits: 1, keepMenu: true });
    }
    return this.#runTurn(context, option);
  }

  /** The same turn pipeline as text (guard, playbooks, hand-off), then the reply said for the ear. */
  async #runTurn(context: CallContext, text: string): Promise<Outcome> {
    const { state, number } = context;
    delete state.menu;
    delete state.menuAmount;
    state.personOffered = false;
    state.lowConfidence = 0;
    const conversationId = await this.#conversationOf(context);
    let reply: Message | null;
    let route: string | null;
    try {
      const result = await this.deps.conversations.postCustomerMessage(number.tenantId, conversationId, {
        text,
        externalId: `voice:${context.call.id}:${context.event.seq}`,
      });
      reply = result.reply;
      route = result.turn?.route ?? null;
      if (result.duplicate && !reply)
        reply = await this.#replyAfter(number.tenantId, conversationId, result.message.seq);
    } catch (error) {
      if (!isKefuError(error) || (error.status ?? 500) >= 500) throw error;
      // Refused (quota, too long): the caller hears a short apology, never a code.
      return this.#ask(context, this.#t(context, 'unavailable'));
    }
    // A caller who hung up while the turn ran (a slow connector) is found when the event is saved
    // (#save): the transcript keeps the turn and the conversation is closed as for any ended call.

    // The bot answered a call that is not with a person: no hand-off to look at. Otherwise (a
    // hand-over, no answer, a caller already queued or transferred) the open hand-off decides.
    const botAnswered =
      route === 'auto' &&
      reply !== null &&
      (context.call.status === 'ringing' || context.call.status === 'active') &&
      !reply.parts.some((part) => part.type === 'handoff');
    const handoff = botAnswered ? null : await this.deps.handoff?.views.current(number.tenantId, conversationId);
    const handedOver =
      route === 'human' ||
      (reply?.parts.some((part) => part.type === 'handoff') ?? false) ||
      (handoff !== null && handoff !== undefined && (handoff.status === 'waiting' || handoff.status === 'assigned'));
    const said = reply ? toSpeechText(reply.text, context.language) : '';
    if (handedOver && this.deps.handoff) {
      context.status = 'queued';
      state.callbackOffered = false;
      return this.#hold(context, said);
    }
    const options = reply?.parts.flatMap((part) => (part.type === 'quick_replies' ? part.options : [])) ?? [];
    if (options.length > 0) {
      state.menu = options.slice(0, 9);
      const amount = reply ? spokenAmounts(reply.text, context.language)[0] : undefined;
      if (amount) state.menuAmount = amount;
      return this.#ask(context, [said, menuPrompt(state.menu, context.language)].filter(Boolean).join(' '), {
        keepMenu: true,
        maxDigits: 1,
      });
    }
    return this.#ask(context, said || this.#t(context, 'anythingElse'));
  }

  /** A bot reply stored after the given message (a retried turn answered before a crash, or at recovery). */
  async #replyAfter(tenantId: string, conversationId: string, seq: string): Promise<Message | null> {
    const messages = await this.deps.conversations.listMessages(tenantId, conversationId, {
      afterSeq: seq,
      limit: 5,
      includeInternal: false,
    });
    return messages.find((message) => message.direction === 'outgoing') ?? null;
  }

  /** On hold for a person: place in line, an offer of a callback past the SLA, the transfer on accept. */
  async #hold(context: CallContext, preface = ''): Promise<Outcome> {
    const { state, number } = context;
    const handoff = this.deps.handoff;
    const conversationId = await this.#conversationOf(context);
    const view = handoff ? await handoff.views.current(number.tenantId, conversationId) : null;
    const says: SayAction[] = preface ? [this.#say(context, preface)] : [];
    if (view) state.queue = view.queue;
    if (!view || view.status === 'closed' || view.status === 'returned') {
      context.status = 'active';
      const text = preface ? this.#t(context, 'anythingElse') : this.#t(context, 'backToBot');
      return { actions: [this.#gather(context, [...says, this.#say(context, text)])], outcome: 'answered' };
    }
    if (view.status === 'assigned') {
      context.status = 'transferred';
      const target = await this.#transferTarget(context, view.agentId, view.queue);
      const call = context.call;
      return {
        actions: [
          ...says,
          this.#say(context, this.#t(context, 'connecting')),
          {
            type: 'transfer',
            target,
            context: {
              conversationId,
              handoffId: view.id,
              queue: view.queue,
              caller: this.#callerPhone(call),
              ...(view.agentId ? { agentId: view.agentId } : {}),
            },
          },
        ],
        outcome: 'answered',
      };
    }
    // Waiting. Past the first-response SLA the caller may leave a callback instead.
    state.holdPolls = (state.holdPolls ?? 0) + 1;
    if (!state.callbackOffered && new Date(view.firstResponseDueAt).getTime() <= this.#now().getTime()) {
      state.callbackOffered = true;
      state.callbackMenu = true;
      return {
        actions: [
          this.#gather(context, [...says, this.#say(context, this.#t(context, 'offerCallback'))], {
            input: ['dtmf', 'speech'],
            maxDigits: 1,
          }),
        ],
        outcome: 'answered',
      };
    }
    const position = view.position;
    if (position !== state.toldPosition || says.length > 0) {
      const key: VoiceTextKey =
        position === null
          ? 'queuedNoPosition'
          : position <= 1
            ? 'queuedNext'
            : says.length > 0
              ? 'queued'
              : 'stillWaiting';
      const ahead = Math.max(0, (position ?? 1) - 1);
      const spokenAhead = context.language === 'en' ? integerToEnglish(ahead) : integerToChinese(ahead);
      says.push(this.#say(context, this.#t(context, key, { position: spokenAhead })));
      state.toldPosition = position;
    }
    return {
      actions: [
        ...says,
        { type: 'pause', seconds: this.deps.holdSeconds ?? 15 },
        { type: 'redirect', nextSeq: context.event.seq + 1 },
      ],
      outcome: 'answered',
    };
  }

  async #callbackChoice(context: CallContext, choice: string): Promise<Outcome> {
    const { state } = context;
    state.callbackMenu = false;
    if (choice !== '1') {
      return this.#hold(context, this.#t(context, 'keepWaiting'));
    }
    const phone = await this.#recordCallback(context, 'callbackNote');
    await this.#end(context, 'callback');
    const spokenPhone = toSpeechText(phone, context.language);
    return {
      actions: [this.#say(context, this.#t(context, 'callbackRecorded', { phone: spokenPhone })), { type: 'hangup' }],
      outcome: 'answered',
    };
  }

  /**
   * A callback task: a row the tenant's callbacks list shows, and an internal note in the
   * conversation whose hand-off stays in the queue, so the agent who takes it calls back.
   */
  async #recordCallback(context: CallContext, note: 'callbackNote' | 'hangupWhileQueuedNote'): Promise<string> {
    const { db } = this.deps;
    const phone = this.#callerPhone(context.call);
    const conversationId = context.call.conversation_id;
    const view = conversationId
      ? await this.deps.handoff?.views.current(context.number.tenantId, conversationId)
      : null;
    const inserted = await db
      .insertInto('voice_callbacks')
      .values({
        id: randomUUID(),
        tenant_id: context.number.tenantId,
        call_row_id: context.call.id,
        conversation_id: conversationId,
        phone,
        queue: view?.queue ?? 'default',
      })
      .onConflict((conflict) => conflict.columns(['call_row_id']).doNothing())
      .returning(['id'])
      .executeTakeFirst();
    if (inserted && conversationId) {
      await this.#note(context, voiceText(noteLanguage(context), note, { phone }));
    }
    return phone;
  }

  /** An internal note in the call's conversation (agents see it; the caller never does). */
  async #note(context: CallContext, text: string): Promise<void> {
    const { db, bus } = this.deps;
    const tenantId = context.number.tenantId;
    const conversationId = await this.#conversationOf(context);
    const message = await db.transaction().execute(async (trx) => {
      await lockConversation(trx, tenantId, conversationId);
      return insertMessage(trx, {
        tenantId,
        conversationId,
        direction: 'system',
        visibility: 'internal',
        sender: { kind: 'system', id: null },
        parts: [{ type: 'text', text }],
        text,
      });
    });
    await bus.publish({
      type: 'message.created',
      tenantId,
      conversationId,
      messageId: message.id,
      seq: String(message.seq),
    });
  }

  /** A call the call centre's own people handle, from its CTI events: recorded in the transcript. */
  async #cti(context: CallContext): Promise<Outcome> {
    const { event } = context;
    const language = noteLanguage(context);
    if (event.kind === 'call.started') {
      context.status = 'queued';
      const queue = event.cti?.queue ?? '-';
      await this.#note(context, voiceText(language, 'ctiNewCall', { from: event.from, to: event.to, queue }));
    } else if (event.kind === 'call.answered') {
      context.status = 'transferred';
      await this.#note(context, voiceText(language, 'ctiAnswered', { user: event.cti?.user ?? '-' }));
    } else if (event.kind === 'call.ended') {
      if (context.call.conversation_id)
        await this.#note(context, voiceText(language, 'ctiHangup', { cause: event.reason ?? 'normalClearing' }));
      context.status = 'ended';
      context.endReason = event.reason ?? 'hangup';
      context.call = { ...context.call, status: 'ended' };
      // The call centre's people worked it on their side: it ends with the call, unless it
      // was also handed to kefu's own queue (then the agent there closes it).
      await this.#closeConversation(context);
    }
    return { actions: [], outcome: 'recorded' };
  }

  /** Ends the call: a caller still in line leaves a callback task, else the conversation is resolved. */
  async #end(context: CallContext, reason: string): Promise<void> {
    context.status = 'ended';
    context.endReason = reason;
    context.call = { ...context.call, status: 'ended' };
    await this.#closeConversation(context);
  }

  async #closeConversation(context: CallContext): Promise<void> {
    const conversationId = context.call.conversation_id;
    if (!conversationId) return;
    const tenantId = context.number.tenantId;
    const view = await this.deps.handoff?.views.current(tenantId, conversationId);
    if (view && view.status === 'waiting') {
      await this.#recordCallback(context, 'hangupWhileQueuedNote');
      return;
    }
    // With an agent, the agent closes it (after the call they may still write notes).
    if (view && view.status === 'assigned') return;
    await resolveConversation(this.deps, tenantId, conversationId);
  }

  /** The agent's own line, else the number's transfer target, else the platform's queue of that name. */
  async #transferTarget(
    context: CallContext,
    agentId: string | null,
    queue: string,
  ): Promise<{ kind: 'queue' | 'skill' | 'sip' | 'phone'; value: string }> {
    const line = agentId
      ? await this.deps.db
          .selectFrom('voice_agent_lines')
          .select(['line'])
          .where('tenant_id', '=', context.number.tenantId)
          .where('agent_id', '=', agentId)
          .executeTakeFirst()
      : undefined;
    return parseTarget(line?.line ?? context.number.transferTarget ?? `queue:${queue}`);
  }

  async #stale(call: VoiceCallRow): Promise<Outcome> {
    // An older event after a newer one was answered: the newest answer stands, said again.
    const latest = await this.deps.db
      .selectFrom('voice_events')
      .select(['response'])
      .where('call_row_id', '=', call.id)
      .where('seq', '<', ENDED_SEQ)
      .orderBy('seq', 'desc')
      .executeTakeFirst();
    return { actions: (latest?.response as VoiceAction[] | undefined) ?? [], outcome: 'stale' };
  }

  /**
   * Stores the answer for this seq and the call's new state in one statement (one commit), and
   * returns what the caller is told: the answer, or a hang-up when the call was ended elsewhere
   * while this event ran (the platform's hang-up on another node, the sweeper).
   */
  async #save(context: CallContext, result: Outcome): Promise<Outcome> {
    const { db } = this.deps;
    const { call, event } = context;
    const now = this.#now();
    const lastPrompt = lastSaid(result.actions);
    if (lastPrompt && result.outcome !== 'stale' && result.outcome !== 'ended') context.state.lastPrompt = lastPrompt;
    const status = context.status ?? call.status;
    const endsNow = (status === 'ended' || call.status === 'ended') && context.previousStatus !== 'ended';
    const saved = await db
      .with('saved_event', (query) =>
        query
          .insertInto('voice_events')
          .values({
            tenant_id: context.number.tenantId,
            call_row_id: call.id,
            seq: event.seq,
            kind: event.kind,
            outcome: result.outcome,
            response: JSON.stringify(result.actions),
          })
          .onConflict((conflict) => conflict.columns(['call_row_id', 'seq']).doNothing()),
      )
      .updateTable('voice_calls')
      .set((eb) => ({
        state: JSON.stringify(context.state),
        // A call ended elsewhere meanwhile stays ended.
        status: eb
          .case()
          .when('status', '=', 'ended')
          .then(eb.val<VoiceCallRow['status']>('ended'))
          .else(eb.val<VoiceCallRow['status']>(call.status === 'ended' ? 'ended' : status))
          .end(),
        last_event_at: now,
        ...(event.kind !== 'call.ended' && result.outcome !== 'stale'
          ? { last_seq: eb.fn('greatest', [eb.ref('last_seq'), eb.val(event.seq)]) }
          : {}),
        ...((status === 'active' || status === 'transferred') && !call.answered_at ? { answered_at: now } : {}),
        ...(endsNow ? { ended_at: now, end_reason: (context.endReason ?? 'hangup').slice(0, 100) } : {}),
      }))
      .where('id', '=', call.id)
      .returning(['status'])
      .executeTakeFirst();
    let finalStatus = call.status === 'ended' ? 'ended' : status;
    let outcome = result;
    if (saved?.status === 'ended' && finalStatus !== 'ended') {
      // Hung up while this event ran: the turn stays in the transcript, the caller is gone.
      context.call = { ...context.call, status: 'ended' };
      context.endReason = 'hangup';
      await this.#closeConversation(context);
      outcome = { actions: [{ type: 'hangup' }], outcome: 'ended' };
      await db
        .updateTable('voice_events')
        .set({ outcome: outcome.outcome, response: JSON.stringify(outcome.actions) })
        .where('call_row_id', '=', call.id)
        .where('seq', '=', event.seq)
        .execute();
      finalStatus = 'ended';
    }
    if (context.number.ctiUrl && !event.cti && finalStatus !== context.previousStatus)
      this.#emitCti(context, finalStatus);
    return outcome;
  }

  /**
   * Tells the call centre's CTI (Zammad's generic CTI style) about calls kefu hands to people:
   * newCall when one joins the queue, answer when it is transferred, hangup when it ends after
   * either. Best effort, signed like the generic webhook; a failure is logged, never retried.
   */
  #emitCti(context: CallContext, status: VoiceCallRow['status']): void {
    const url = context.number.ctiUrl;
    const previous = context.previousStatus;
    if (!url) return;
    const call = {
      callId: context.call.call_id,
      from: context.call.from_number,
      to: context.call.to_number,
      direction: context.call.direction,
    };
    const queue = context.state.queue;
    let payload: CtiEvent | null = null;
    if (status === 'queued') payload = ctiPayload('newCall', call, queue ? { queue } : {});
    else if (status === 'transferred') payload = ctiPayload('answer', call, queue ? { queue } : {});
    else if (status === 'ended' && (previous === 'queued' || previous === 'transferred'))
      payload = ctiPayload('hangup', call, {
        cause: context.endReason ?? 'normalClearing',
        ...(queue ? { queue } : {}),
      });
    if (!payload) return;
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomUUID();
    const post = this.deps.fetch ?? fetch;
    post(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-kefu-timestamp': timestamp,
        'x-kefu-nonce': nonce,
        'x-kefu-signature': kefuSignature(context.number.secret, timestamp, nonce, body),
      },
      body,
      signal: AbortSignal.timeout(3000),
    }).catch((error: unknown) => this.deps.onError?.(error, 'voice CTI event'));
  }

  /**
   * Ends calls no event has touched for `idleCallMs` (the platform never sent its hang-up), so no
   * conversation stays open forever. Returns how many it ended.
   */
  async sweepIdleCalls(): Promise<number> {
    const idle = this.deps.idleCallMs ?? 30 * 60_000;
    const before = new Date(this.#now().getTime() - idle);
    const calls = await this.deps.db
      .selectFrom('voice_calls')
      .innerJoin('voice_numbers', 'voice_numbers.id', 'voice_calls.number_id')
      .select(['voice_calls.tenant_id', 'voice_calls.provider', 'voice_calls.call_id', 'voice_numbers.number'])
      .where('voice_calls.status', '!=', 'ended')
      .where('voice_calls.status', '!=', 'transferred')
      .where('voice_calls.last_event_at', '<', before)
      .limit(500)
      .execute();
    let ended = 0;
    for (const row of calls) {
      const number = await this.findNumber(row.number);
      if (!number || number.tenantId !== row.tenant_id) continue;
      await this.handle(number, {
        provider: row.provider,
        callId: row.call_id,
        seq: ENDED_SEQ,
        kind: 'call.ended',
        from: '',
        to: '',
        direction: 'inbound',
        reason: 'idle',
      });
      ended++;
    }
    return ended;
  }

  #t(context: CallContext, key: VoiceTextKey, params?: Record<string, string | number>): string {
    return voiceText(context.language, key, params);
  }

  #say(context: CallContext, text: string): SayAction {
    return { type: 'say', text, language: context.language };
  }

  #gather(
    context: CallContext,
    prompt: SayAction[],
    options: { input?: Array<'speech' | 'dtmf'>; maxDigits?: number } = {},
  ): VoiceAction {
    return {
      type: 'gather',
      input: options.input ?? ['speech', 'dtmf'],
      prompt,
      bargeIn: true,
      timeoutSeconds: this.deps.gatherTimeoutSeconds ?? 6,
      maxDigits: options.maxDigits ?? 20,
      language: context.language,
      nextSeq: context.event.seq + 1,
    };
  }

  /** Says `text` and listens; the menu on offer is dropped unless kept. */
  #ask(
    context: CallContext,
    text: string,
    options: { maxDigits?: number; keepMenu?: boolean; reprompt?: boolean } = {},
  ): Outcome {
    if (!options.keepMenu) {
      delete context.state.menu;
      delete context.state.menuAmount;
    }
    const says = [this.#say(context, text)];
    // Asked again: the question that was pending is said once more after the apology.
    if (options.reprompt && context.state.lastPrompt && context.state.lastPrompt !== text)
      says.push(this.#say(context, context.state.lastPrompt));
    return {
      actions: [this.#gather(context, says, { ...(options.maxDigits ? { maxDigits: options.maxDigits } : {}) })],
      outcome: 'answered',
    };
  }
}

/** `sip:…` → SIP URI, `queue:name` / `skill:name` → the platform's queue, anything else → a phone number. */
export function parseTarget(raw: string): { kind: 'queue' | 'skill' | 'sip' | 'phone'; value: string } {
  const value = raw.trim();
  const prefixed = /^(queue|skill):(.+)$/i.exec(value);
  if (prefixed) return { kind: prefixed[1]!.toLowerCase() as 'queue' | 'skill', value: prefixed[2]! };
  if (/^sips?:/i.test(value)) return { kind: 'sip', value };
  return { kind: 'phone', value: value.replace(/[^\d+]/g, '') };
}

async function resolveConversation(
  deps: { db: Db; bus: EventBus },
  tenantId: string,
  conversationId: string,
): Promise<void> {
  const row = await deps.db
    .selectFrom('conversations')
    .select(['status'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', conversationId)
    .executeTakeFirst();
  if (!row || row.status === 'resolved' || !canTransition(row.status, 'resolved')) return;
  await deps.db
    .updateTable('conversations')
    .set({ status: 'resolved', updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', conversationId)
    .execute();
  await deps.bus.publish({ type: 'conversation.updated', tenantId, conversationId, status: 'resolved' });
}

function lastSaid(actions: readonly VoiceAction[]): string | undefined {
  for (let index = actions.length - 1; index >= 0; index--) {
    const action = actions[index]!;
    if (action.type === 'gather') {
      const texts = action.prompt.flatMap((entry) => (entry.type === 'say' ? [entry.text] : []));
      if (texts.length > 0) return texts[texts.length - 1];
    }
  }
  return undefined;
}

function noteLanguage(context: { number: VoiceNumber }): 'en' | 'zh-CN' {
  return context.number.language === 'en' ? 'en' : 'zh-CN';
}

function asLanguage(value: string): VoiceLanguage {
  return value === 'en' || value === 'zh-HK' ? value : 'zh-CN';
}

import type { AddressInfo } from 'node:net';
import { createHmac, randomUUID } from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConversationService } from '../../src/conversations/index.js';
import { ENDED_SEQ, VoiceService, type VoiceAction, type VoiceEvent } from '../../src/voice/index.js';
import { createTestKefu, type TestKefu } from '../support/test-kefu.js';
import { INSTALMENT, LATE_PARCEL, playScript } from '../support/voice-scripts.js';
import {
  cloudPlatform,
  freeswitchPlatform,
  genericPlatform,
  startCtiReceiver,
  twilioPlatform,
  type Heard,
  type SimulatedCall,
} from './simulators.js';

/**
 * The voice channel end to end: one kefu listening on 127.0.0.1, driven by a simulator of each
 * platform (Twilio, FreeSWITCH mod_httapi, a cloud call centre's JSON callbacks, kefu's own
 * neutral webhook and generic CTI events), through the demo tenants' scenarios.
 */

const SECRETS = {
  twilio: 'twilio-auth-token-0123456789',
  freeswitch: 'freeswitch-password-0123456789',
  cloud: 'cloud-secret-0123456789abcdef',
  generic: 'generic-secret-0123456789abcdef',
};
const NUMBERS = {
  twilio: '+86 571 0000 0001',
  freeswitch: '4008200001',
  cloud: '4008200002',
  generic: '4008200003',
  bankFreeswitch: '4008200011',
};
const CALLER = '+8613800138000';

// A full kefu per file; on a loaded machine its start and turns take far longer than on CI.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 600_000 });

let kefu: TestKefu;
let baseUrl: string;
let shopKey: string;
let bankKey: string;
let cti: Awaited<ReturnType<typeof startCtiReceiver>>;

async function api(key: string, method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown) {
  const response = await kefu.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}` },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  return { status: response.statusCode, body: response.body ? response.json() : null };
}

/** What a caller hears must be speakable: no markdown, links, emoji or digits (except menu keys). */
function expectSpeakable(heard: Heard): void {
  for (const text of heard.said) {
    expect(text, text).not.toMatch(/[*`#[\]]|https?:|\p{Extended_Pictographic}/u);
    expect(text.replace(/按 \d|Press \d|\d+ 位|\bor \d\b|请按 \d/g, ''), text).not.toMatch(/\d/);
  }
}

async function transcriptOf(key: string, conversationId: string) {
  const { body } = await api(key, 'GET', `/v1/conversations/${conversationId}/messages?limit=200`);
  return body.messages as Array<{ direction: string; text: string; externalId: string | null }>;
}

async function callRow(callId: string) {
  return kefu.database.db.selectFrom('voice_calls').selectAll().where('call_id', '=', callId).executeTakeFirstOrThrow();
}

beforeAll(async () => {
  kefu = await createTestKefu();
  await kefu.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(kefu.app.server.address() as AddressInfo).port}`;
  shopKey = kefu.keyOf('shop-zh');
  bankKey = kefu.keyOf('bank-zh');
  cti = await startCtiReceiver();
  const claim = async (key: string, number: string, provider: keyof typeof SECRETS, extra: object = {}) => {
    const response = await api(key, 'PUT', `/v1/voice/numbers/${encodeURIComponent(number)}`, {
      provider,
      secret: SECRETS[provider],
      ...extra,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  };
  await claim(shopKey, NUMBERS.twilio, 'twilio');
  await claim(shopKey, NUMBERS.freeswitch, 'freeswitch');
  await claim(shopKey, NUMBERS.cloud, 'cloud');
  await claim(shopKey, NUMBERS.generic, 'generic', { ctiUrl: cti.url, transferTarget: 'sip:queue@pbx.example.com' });
  await claim(bankKey, NUMBERS.bankFreeswitch, 'freeswitch');
}, 600_000);

afterAll(async () => {
  await cti?.close();
  await kefu?.dispose();
});

/** Runs a scripted call; every turn must be answered with something speakable and a way on. */
async function script(call: SimulatedCall, lines: readonly string[]): Promise<Heard[]> {
  return playScript(call, lines, (turn, line) => {
    expect(turn.status, turn.raw).toBe(200);
    expect(turn.said.length, `no answer to ${line}`).toBeGreaterThan(0);
    expectSpeakable(turn);
  });
}

describe('Twilio TwiML webhooks', () => {
  it('answers the late-parcel call in Chinese TwiML, idempotent per call and seq', async () => {
    const twilio = twilioPlatform(baseUrl, SECRETS.twilio);
    const call = twilio.call(CALLER, NUMBERS.twilio);
    const heard = await script(call, LATE_PARCEL.slice(0, 3));
    expect(heard[0]!.raw).toContain('<Gather input="speech dtmf"');
    expect(heard[0]!.raw).toContain('<Say language="zh-CN">');
    expect(heard[0]!.said[0]).toMatch(/您好/);
    // The order number is read letter by letter and digit by digit.
    expect(heard.flatMap((turn) => turn.said).join('')).not.toContain('XM20261115003');

    // A retried delivery of the same seq gets the same TwiML and no second turn.
    const again = await call.retry();
    expect(again.raw).toBe(heard[heard.length - 1]!.raw);
    const row = await callRow(call.callId);
    const messages = await transcriptOf(shopKey, row.conversation_id!);
    const incoming = messages.filter((message) => message.direction === 'incoming');
    expect(incoming.map((message) => message.text)).toEqual(LATE_PARCEL.slice(0, 3));

    // Quick replies are a keypad menu; an option with an amount is confirmed before it is acted on.
    const menu = heard[heard.length - 1]!.said.join(' ');
    const menuMatch = /按 (\d) 领五元补偿券/.exec(menu);
    expect(menuMatch, menu).not.toBeNull();
    const confirm = await call.press(menuMatch![1]!);
    expect(confirm.said.join('')).toMatch(/五元[\s\S]*确认请按 1/);
    expect(confirm.gather?.maxDigits).toBe(1);
    const done = await call.press('1');
    expect(done.said.length).toBeGreaterThan(0);
    expectSpeakable(done);
    const after = await transcriptOf(shopKey, row.conversation_id!);
    expect(after.some((message) => message.direction === 'incoming' && message.text === '领 5 元补偿券')).toBe(true);

    const end = await call.hangup();
    expect(end.status).toBe(200);
    const ended = await callRow(call.callId);
    expect(ended.status).toBe('ended');
    const { body } = await api(shopKey, 'GET', `/v1/conversations/${row.conversation_id}`);
    expect(['resolved', 'pending']).toContain(body.status);
  });

  it('refuses a forged X-Twilio-Signature with problem+json', async () => {
    const forged = twilioPlatform(baseUrl, 'not-the-auth-token-000');
    const heard = await forged.call(CALLER, NUMBERS.twilio).start();
    expect(heard.status).toBe(401);
    expect(heard.problem?.code).toBe('CS_VOICE_SIGNATURE_INVALID');
    const unsigned = await fetch(`${baseUrl}/v1/voice/twilio`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'CallSid=CA1&From=1&To=2',
    });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('answers a call to a number no tenant owns with 404 problem+json', async () => {
    const heard = await twilioPlatform(baseUrl, SECRETS.twilio).call(CALLER, '+86 571 9999 9999').start();
    expect(heard.status).toBe(404);
    expect(heard.problem?.code).toBe('CS_VOICE_NUMBER_UNKNOWN');
  });
});

describe('FreeSWITCH mod_httapi', () => {
  it('runs the instalment-quote call for the bank in httapi documents', async () => {
    const freeswitch = freeswitchPlatform(baseUrl, SECRETS.freeswitch);
    const call = freeswitch.call(CALLER, NUMBERS.bankFreeswitch);
    const heard = await script(call, INSTALMENT.slice(0, 4));
    expect(heard[0]!.raw).toContain('<document type="xml/freeswitch-httapi">');
    expect(heard[0]!.raw).toMatch(/<speak name="kefu_digits" action="[^"]+seq=1"/);
    const said = heard
      .slice(2)
      .flatMap((turn) => turn.said)
      .join('');
    // Amounts and periods are spoken as words.
    expect(said).toMatch(/[一二三四五六七八九十百千万]+元|期/);
    const end = await call.hangup();
    expect(end.status).toBe(200);
    expect((await callRow(call.callId)).status).toBe('ended');
  });

  it('refuses wrong basic credentials', async () => {
    const heard = await freeswitchPlatform(baseUrl, 'wrong-password-000000').call(CALLER, NUMBERS.freeswitch).start();
    expect(heard.status).toBe(401);
    expect(heard.problem?.code).toBe('CS_VOICE_SIGNATURE_INVALID');
  });
});

describe('cloud call-centre JSON callbacks', () => {
  it('answers ASR text with play / collect actions and refuses replays', async () => {
    const cloud = cloudPlatform(baseUrl, SECRETS.cloud);
    const call = cloud.call(CALLER, NUMBERS.cloud);
    const heard = await script(call, LATE_PARCEL.slice(0, 2));
    expect(heard[1]!.gather?.input).toEqual(['speech', 'dtmf']);

    // The same signed request twice: the nonce is refused the second time.
    const body = { callId: call.callId, seq: 9, event: 'asr', caller: CALLER, callee: NUMBERS.cloud, asrText: '你好' };
    const nonce = randomUUID();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const first = await cloud.send(body, { 'x-nonce': nonce, 'x-timestamp': timestamp });
    expect(first.status).toBe(200);
    const replayed = await cloud.send(body, { 'x-nonce': nonce, 'x-timestamp': timestamp });
    expect(replayed.status).toBe(401);
    expect(replayed.problem?.code).toBe('CS_VOICE_REQUEST_REPLAYED');
    const stale = await cloud.send(body, { 'x-timestamp': String(Math.floor(Date.now() / 1000) - 3600) });
    expect(stale.status).toBe(401);
    expect(stale.problem?.code).toBe('CS_VOICE_REQUEST_EXPIRED');
    const forged = await cloud.send(body, { 'x-signature': 'AAAA' });
    expect(forged.problem?.code).toBe('CS_VOICE_SIGNATURE_INVALID');
    const malformed = await cloud.send({ callId: 'x', event: 'dance' });
    expect(malformed.status).toBe(400);
    expect(malformed.problem?.code).toBe('CS_VOICE_EVENT_INVALID');
    await call.hangup();
  });
});

describe('the neutral webhook: bad input and hand-off', () => {
  it('handles out-of-order events, duplicates and events after the hang-up', async () => {
    const generic = genericPlatform(baseUrl, SECRETS.generic);
    const callId = randomUUID();
    const event = (body: object) =>
      generic.send('/v1/voice/events', { callId, from: CALLER, to: NUMBERS.generic, direction: 'inbound', ...body });
    // Answered before started: the first one greets, the late start adds nothing.
    const answered = await event({ type: 'call.answered', seq: 1 });
    expect(answered.said[0]).toMatch(/您好/);
    const started = await event({ type: 'call.started', seq: 0 });
    expect(started.json.outcome).toBe('stale');
    const turn = await event({ type: 'turn', seq: 2, speech: { text: '我的快递怎么还没到', confidence: 0.9 } });
    expect(turn.json.outcome).toBe('answered');
    const duplicate = await event({ type: 'turn', seq: 2, speech: { text: '我的快递怎么还没到', confidence: 0.9 } });
    expect(duplicate.json.outcome).toBe('duplicate');
    expect(duplicate.json.actions).toEqual(turn.json.actions);
    const ended = await event({ type: 'call.ended', seq: 3, reason: 'caller-hangup' });
    expect(ended.json.actions).toEqual([]);
    const late = await event({ type: 'turn', seq: 3, speech: { text: '还在吗', confidence: 0.9 } });
    expect(late.hungUp).toBe(true);
    const row = await callRow(callId);
    expect(row.status).toBe('ended');
    const messages = await transcriptOf(shopKey, row.conversation_id!);
    expect(messages.filter((message) => message.direction === 'incoming')).toHaveLength(1);
  });

  it('asks again on empty ASR, then hangs up politely; DTMF-only input is a turn', async () => {
    const call = genericPlatform(baseUrl, SECRETS.generic).call('13900139000', NUMBERS.generic);
    await call.start();
    const keys = await call.press('12345678#');
    expect(keys.said.length).toBeGreaterThan(0);
    const first = await call.silence();
    expect(first.gather).not.toBeNull();
    expect(first.said.join('')).toMatch(/还在吗/);
    const second = await call.silence();
    expect(second.hungUp).toBe(true);
    const row = await callRow(call.callId);
    expect(row.status).toBe('ended');
    expect(row.end_reason).toBe('silence');
    const messages = await transcriptOf(shopKey, row.conversation_id!);
    expect(messages.find((message) => message.direction === 'incoming')?.text).toBe('12345678');
    const { body } = await api(shopKey, 'GET', `/v1/conversations/${row.conversation_id}`);
    expect(body.status).toBe('resolved');
  });

  it('asks again once on low confidence, then offers a person; the caller queues, hears the line, and is transferred', async () => {
    const call = genericPlatform(baseUrl, SECRETS.generic).call('13700137000', NUMBERS.generic);
    await call.start();
    const unclear = await call.say('嗯嗯那个', 0.2);
    expect(unclear.said.join('')).toMatch(/没有听清/);
    const unclearAgain = await call.say('嗯那个', 0.3);
    expect(unclearAgain.said.join('')).toMatch(/按 0/);
    const queued = await call.press('0');
    expect(queued.hold).toBe(true);
    expect(queued.said.join('')).toMatch(/人工/);
    // kefu posts CTI events after answering the platform: wait for the receiver to have it.
    await vi.waitFor(
      () =>
        expect(cti.received.some((entry) => entry.body.event === 'newCall' && entry.body.callId === call.callId)).toBe(
          true,
        ),
      { timeout: 10_000 },
    );
    const signed = cti.received.find((entry) => entry.body.callId === call.callId)!;
    const expected = `sha256=${createHmac('sha256', SECRETS.generic)
      .update(`${String(signed.headers['x-kefu-timestamp'])}.${String(signed.headers['x-kefu-nonce'])}.${signed.raw}`)
      .digest('hex')}`;
    expect(signed.headers['x-kefu-signature']).toBe(expected);

    const row = await callRow(call.callId);
    // Still waiting: the next look says nothing new and holds again.
    const waiting = await call.poll();
    expect(waiting.hold).toBe(true);

    // An agent takes it in the console: the next look transfers the call to the agent's line.
    const password = 'voice-agent-pass-1';
    const created = await api(shopKey, 'POST', '/v1/agents', {
      email: `voice-${randomUUID().slice(0, 8)}@shop.example`,
      name: '小周',
      password,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const agentId = created.body.id ?? created.body.agent?.id;
    const line = await api(shopKey, 'PUT', `/v1/voice/agent-lines/${agentId}`, { line: 'sip:1001@pbx.example.com' });
    expect(line.status).toBe(200);
    const login = await kefu.app.inject({
      method: 'POST',
      url: '/v1/agent/sessions',
      payload: { tenant: 'shop-zh', email: created.body.email, password },
    });
    const token = login.json().token as string;
    const accepted = await kefu.app.inject({
      method: 'POST',
      url: `/v1/agent/conversations/${row.conversation_id}/accept`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    // The console sees the voice conversation with its transcript.
    const seen = await kefu.app.inject({
      url: `/v1/agent/conversations/${row.conversation_id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(seen.statusCode).toBe(200);
    const transfer = await call.poll();
    expect(transfer.transfer).toMatchObject({ kind: 'sip', target: 'sip:1001@pbx.example.com' });
    expect(transfer.transfer?.context.conversationId).toBe(row.conversation_id);
    expect((await callRow(call.callId)).status).toBe('transferred');
  });

  it('offers a callback past the SLA and records it as a task', async () => {
    // Nobody is free: the agent of the previous test goes offline, so the call waits in line.
    await kefu.database.db.updateTable('agents').set({ presence: 'offline' }).execute();
    const call = genericPlatform(baseUrl, SECRETS.generic).call('13600136000', NUMBERS.generic);
    await call.start();
    const queued = await call.say('转人工');
    expect(queued.hold).toBe(true);
    const row = await callRow(call.callId);
    await kefu.database.db
      .updateTable('handoffs')
      .set({ first_response_due_at: new Date(Date.now() - 1000) })
      .where('conversation_id', '=', row.conversation_id!)
      .execute();
    const offer = await call.poll();
    expect(offer.said.join('')).toMatch(/回电请按 1/);
    const recorded = await call.press('1');
    expect(recorded.hungUp).toBe(true);
    expect(recorded.said.join('')).toMatch(/幺三六零零幺三六零零零/);
    const { body } = await api(shopKey, 'GET', '/v1/voice/callbacks');
    expect(body.callbacks.some((entry: { phone: string }) => entry.phone === '13600136000')).toBe(true);
    const messages = await kefu.database.db
      .selectFrom('messages')
      .select(['text', 'visibility'])
      .where('conversation_id', '=', row.conversation_id!)
      .where('visibility', '=', 'internal')
      .execute();
    expect(messages.some((message) => message.text.includes('13600136000'))).toBe(true);
  });

  it('keeps the transcript and closes the conversation when the caller hangs up during a turn', async () => {
    const call = genericPlatform(baseUrl, SECRETS.generic).call('13500135000', NUMBERS.generic);
    await call.start();
    const [turn, ended] = await Promise.all([call.say('订单 XM20261115003 到哪了'), call.hangup()]);
    expect(turn.status).toBe(200);
    expect(ended.status).toBe(200);
    const row = await callRow(call.callId);
    expect(row.status).toBe('ended');
    const messages = await transcriptOf(shopKey, row.conversation_id!);
    expect(messages.some((message) => message.direction === 'incoming')).toBe(true);
    const { body } = await api(shopKey, 'GET', `/v1/conversations/${row.conversation_id}`);
    expect(body.status).toBe('resolved');
  });

  it('records generic CTI events (newCall, answer, hangup) as a conversation', async () => {
    const generic = genericPlatform(baseUrl, SECRETS.generic);
    const callId = `cti-${randomUUID()}`;
    const base = { callId, from: '13400134000', to: NUMBERS.generic, direction: 'in', queue: 'support' };
    const first = await generic.send('/v1/voice/cti', { event: 'newCall', ...base });
    expect(first.status, first.raw).toBe(200);
    await generic.send('/v1/voice/cti', { event: 'answer', ...base, user: 'Alice' });
    const last = await generic.send('/v1/voice/cti', { event: 'hangup', ...base, cause: 'normalClearing' });
    const conversationId = last.json.conversationId as string;
    const notes = await kefu.database.db
      .selectFrom('messages')
      .select(['text'])
      .where('conversation_id', '=', conversationId)
      .orderBy('seq')
      .execute();
    expect(notes.map((note) => note.text).join('\n')).toMatch(/support[\s\S]*Alice[\s\S]*normalClearing/);
    const { body } = await api(shopKey, 'GET', `/v1/conversations/${conversationId}`);
    expect(body.status).toBe('resolved');
  });

  it('keeps numbers to their tenant', async () => {
    const taken = await api(bankKey, 'PUT', `/v1/voice/numbers/${NUMBERS.generic}`, {
      provider: 'generic',
      secret: 'another-secret-0000000000',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('CS_VOICE_NUMBER_TAKEN');
    const listed = await api(bankKey, 'GET', '/v1/voice/numbers');
    expect(listed.body.numbers.map((entry: { number: string }) => entry.number)).toEqual(['4008200011']);
    expect(JSON.stringify(listed.body)).not.toContain(SECRETS.freeswitch);
  });
});

describe('the work of one webhook turn', () => {
  /** The voice core on the test kefu's database, counting the statements it sends itself. */
  function countingVoice(conversations: ConversationService = kefu.conversations) {
    const statements: string[] = [];
    const counter: KyselyPlugin = {
      transformQuery: (args) => {
        // The kind of statement, and whether it reads the tenants table.
        statements.push(`${args.node.kind}${JSON.stringify(args.node).includes('"name":"tenants"') ? ':tenants' : ''}`);
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const voice = new VoiceService({
      db: kefu.database.db.withPlugin(counter),
      bus: kefu.bus,
      conversations,
      handoff: kefu.handoff,
    });
    return { voice, statements };
  }
  const event = (callId: string, seq: number, kind: VoiceEvent['kind'], text?: string): VoiceEvent => ({
    provider: 'generic',
    callId,
    seq,
    kind,
    from: '13100131000',
    to: NUMBERS.generic,
    direction: 'inbound',
    ...(text !== undefined ? { speech: { text, confidence: 0.9 } } : {}),
  });
  const said = (actions: VoiceAction[]) =>
    actions
      .flatMap((action) => (action.type === 'gather' ? action.prompt : [action]))
      .map((entry) => JSON.stringify(entry));

  it('answers a bot turn with one read (call and stored answer) and one write (answer and call state), in zh-CN, zh-TW and English', async () => {
    const { voice, statements } = countingVoice();
    const number = (await voice.findNumber(NUMBERS.generic))!;
    expect(number.tenantName).toBeTruthy();
    const callId = randomUUID();
    statements.length = 0;
    const started = await voice.handle(number, event(callId, 0, 'call.started'));
    // The greeting names the tenant without reading the tenant again.
    expect(said(started.actions).join('')).toContain(number.tenantName!);
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((statement) => statement.endsWith(':tenants'))).toEqual([]);
    for (const [seq, text] of [
      [1, '运费怎么算'],
      [2, '優惠券怎麼用'],
      [3, 'How do I get an invoice?'],
    ] as const) {
      statements.length = 0;
      const answer = await voice.handle(number, event(callId, seq, 'turn', text));
      expect(answer.outcome, text).toBe('answered');
      expect(answer.actions[0]?.type, text).toBe('gather');
      // The turn itself is the conversation service's (its own statements, counted with REST's).
      expect(statements, text).toEqual(['SelectQueryNode', 'UpdateQueryNode']);
    }
    // A retried delivery: one read, the stored answer, no turn.
    statements.length = 0;
    const retried = await voice.handle(number, event(callId, 3, 'turn', 'How do I get an invoice?'));
    expect(retried.outcome).toBe('duplicate');
    expect(statements).toEqual(['SelectQueryNode']);
    const row = await callRow(callId);
    expect(row.last_seq).toBe(3);
    const stored = await kefu.database.db
      .selectFrom('voice_events')
      .select(['seq'])
      .where('call_row_id', '=', row.id)
      .orderBy('seq')
      .execute();
    expect(stored.map((entry) => entry.seq)).toEqual([0, 1, 2, 3]);
    await voice.handle(number, event(callId, ENDED_SEQ, 'call.ended'));
  });

  it('hangs up on a caller whose call was ended elsewhere while the turn ran, keeping the turn in the transcript', async () => {
    const callId = randomUUID();
    // Another node takes the platform's hang-up while this node's turn runs.
    const endedElsewhere = new Proxy(kefu.conversations, {
      get(target, property) {
        if (property === 'postCustomerMessage')
          return async (...args: Parameters<ConversationService['postCustomerMessage']>) => {
            const result = await target.postCustomerMessage(...args);
            await kefu.database.db
              .updateTable('voice_calls')
              .set({ status: 'ended', ended_at: new Date(), end_reason: 'caller-hangup' })
              .where('call_id', '=', callId)
              .execute();
            return result;
          };
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const { voice } = countingVoice(endedElsewhere);
    const number = (await voice.findNumber(NUMBERS.generic))!;
    await voice.handle(number, event(callId, 0, 'call.started'));
    const answer = await voice.handle(number, event(callId, 1, 'turn', '運費怎麼算'));
    expect(answer.actions).toEqual([{ type: 'hangup' }]);
    expect(answer.outcome).toBe('ended');
    const row = await callRow(callId);
    expect(row.status).toBe('ended');
    expect(row.end_reason).toBe('caller-hangup');
    const messages = await transcriptOf(shopKey, row.conversation_id!);
    expect(messages.filter((message) => message.direction === 'incoming').map((message) => message.text)).toEqual([
      '運費怎麼算',
    ]);
    const { body } = await api(shopKey, 'GET', `/v1/conversations/${row.conversation_id}`);
    expect(body.status).toBe('resolved');
    // The platform retries: the stored answer is the hang-up, and no second turn runs.
    const retried = await voice.handle(number, event(callId, 1, 'turn', '運費怎麼算'));
    expect(retried.actions).toEqual([{ type: 'hangup' }]);
    expect((await transcriptOf(shopKey, row.conversation_id!)).filter((m) => m.direction === 'incoming')).toHaveLength(
      1,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startScriptedOpenAiServer,
  type RecordedRequest,
  type ScriptedOpenAiServer,
  type ScriptedReply,
} from '../../test/support/scripted-openai-server.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { createInProcessEventBus } from '../bus/index.js';
import { ConversationService } from '../conversations/conversation-service.js';
import { createOpenAiCompatibleModel } from '../llm/index.js';
import { importTelecomTenant } from './__fixtures__/telecom-tenant.js';
import { parsePick, withPickUsage } from './llm-pick.js';
import { RESPONDERS } from './responders/index.js';
import { llmPick } from './responders/llm-pick.js';
import { runTurn, type TurnDecision, type TurnServices } from './run-turn.js';
import { TenantRuntimeCache, type TenantRuntime } from './tenant-runtime.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let server: ScriptedOpenAiServer;
let runtime: TenantRuntime;
let tenantId: string;
/** How the scripted model answers a pick request. */
let pickMode: 'choose' | 'none' | 'garbage' | 'hang' | 'unknown-id' = 'choose';

const PICK_USAGE = { prompt_tokens: 150, completion_tokens: 20 };
// Unsure readings of a balance question: the matcher puts roaming first in Chinese (0.37) and is
// unsure in English (0.44); the balance entry is among its candidates.
const BALANCE = {
  'zh-CN': '我手机还能打多久电话',
  'zh-TW': '我手機還能打多久電話',
  en: 'how much money is on my phone',
};

function system(request: RecordedRequest): string {
  const messages = (request.body as { messages?: Array<{ role: string; content: string }> }).messages ?? [];
  return messages.find((message) => message.role === 'system')?.content ?? '';
}
function userText(request: RecordedRequest): string {
  const messages = (request.body as { messages?: Array<{ role: string; content: string }> }).messages ?? [];
  return messages.filter((message) => message.role === 'user').at(-1)?.content ?? '';
}

function script(request: RecordedRequest): ScriptedReply {
  const prompt = system(request);
  if (prompt.startsWith('You match a customer message')) {
    const offered = userText(request);
    switch (pickMode) {
      case 'choose':
        return offered.includes('"faq-balance"')
          ? { text: '{"choice": "faq-balance", "reason": "asks how much credit is left"}', usage: PICK_USAGE }
          : { text: '{"choice": "none", "reason": "not offered"}', usage: PICK_USAGE };
      case 'none':
        return { text: '{"choice": "none", "reason": "no candidate is about this"}', usage: PICK_USAGE };
      case 'garbage':
        return { text: 'I think it is probably the first one!', usage: PICK_USAGE };
      case 'unknown-id':
        return { text: '{"choice": "faq-999", "reason": "made up"}', usage: PICK_USAGE };
      case 'hang':
        return { kind: 'hang' };
    }
  }
  if (prompt.startsWith('You translate'))
    return {
      text: 'Text YE to 10086, or see your balance on the app home page.',
      usage: { prompt_tokens: 60, completion_tokens: 15 },
    };
  // The grounded-answer tier (llm-answer) on turns the pick left alone.
  return { text: '发送短信 YE 到 10086 即可查询[1]。', usage: { prompt_tokens: 300, completion_tokens: 30 } };
}

beforeAll(async () => {
  database = await createTestDatabase();
  tenantId = await importTelecomTenant(database.db);
  runtime = await new TenantRuntimeCache(database.db).get(tenantId);
  server = await startScriptedOpenAiServer(script);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await database?.dispose();
});

const model = () =>
  createOpenAiCompatibleModel({ baseUrl: server.url, model: 'scripted-picker', timeoutMs: 500, maxRetries: 0 });
const services = (): TurnServices => ({
  connector: { name: 'none', query: async () => [] },
  contact: {},
  now: new Date('2026-11-25T10:00:00+08:00'),
  llm: { model: model(), answerTimeoutMs: 1_000, history: [] },
});
const WITHOUT_PICK = RESPONDERS.filter((responder) => responder !== llmPick);

/** The decision without timings, the pick's record and the model trace (compared separately). */
function decided(decision: TurnDecision) {
  const { stages: _stages, responders, llmPick: _pick, llm: _llm, ...trace } = decision.trace;
  return {
    ...decision,
    trace: {
      ...trace,
      responders: responders
        .filter(({ name }) => name !== 'llm-pick')
        .map(({ name, proposed }) => ({ name, proposed })),
    },
  };
}

describe('parsePick', () => {
  it('reads a candidate id or none, and nothing else', () => {
    const ids = ['faq-1', 'faq-2'];
    expect(parsePick('{"choice":"faq-2","reason":"退款"}', ids)).toEqual({
      outcome: 'picked',
      choice: 'faq-2',
      reason: '退款',
    });
    expect(parsePick('好的：{"choice": "NONE"}', ids)).toMatchObject({ outcome: 'none', choice: null });
    expect(parsePick('{"choice": "faq-3"}', ids)).toMatchObject({ outcome: 'malformed' });
    expect(parsePick('{"choice": 1}', ids)).toMatchObject({ outcome: 'malformed' });
    expect(parsePick('{choice: faq-1}', ids)).toMatchObject({ outcome: 'malformed' });
    expect(parsePick('faq-1', ids)).toMatchObject({ outcome: 'malformed' });
  });

  it('adds the pick tokens to the turn model trace, or makes one', () => {
    const pick = {
      model: 'm',
      candidates: ['a'],
      outcome: 'none' as const,
      choice: null,
      reason: '',
      usage: { inputTokens: 10, outputTokens: 2 },
      ms: 5,
    };
    expect(withPickUsage(null, undefined)).toBeNull();
    expect(withPickUsage(null, pick)).toMatchObject({ model: 'm', usage: { inputTokens: 10, outputTokens: 2 } });
    const other = {
      model: 'm',
      usage: { inputTokens: 100, outputTokens: 20 },
      steps: 1,
      grounded: true,
      citations: [],
      stopReason: 'stop',
      toolCalls: [],
      ms: 50,
    };
    expect(withPickUsage(other, pick)).toMatchObject({ usage: { inputTokens: 110, outputTokens: 22 }, steps: 2 });
  });
});

describe('the LLM picks among the matcher candidates on unsure turns (scripted model server)', () => {
  it('choose: answers the picked FAQ entry in the customer language, with the choice, reason and tokens in the trace', async () => {
    pickMode = 'choose';
    for (const [language, text] of Object.entries(BALANCE)) {
      // The matcher is unsure here (roaming first in Chinese): the pick is asked.
      expect(runtime.understander.understand(text).confidence, language).toBeLessThan(runtime.gate);
      const decision = await runTurn(runtime, { text, state: {} }, services());
      const pick = decision.trace.llmPick;
      if (!pick) throw new Error(`${language}: the pick was not asked`);
      expect(pick.candidates, language).toContain('faq-balance');
      expect(pick, language).toMatchObject({
        model: 'scripted-picker',
        outcome: 'picked',
        choice: 'faq-balance',
        reason: 'asks how much credit is left',
        usage: { inputTokens: 150, outputTokens: 20 },
      });
      expect(decision, language).toMatchObject({ route: 'auto', intent: 'faq-balance' });
      expect(decision.trace.reasons.join(' '), language).toMatch(/LLM scripted-picker picked faq-balance/);
      expect(decision.trace.citations, language).toEqual([{ source: 'faq', id: 'faq-balance', version: 1 }]);
      if (language === 'zh-CN') expect(decision.reply.text).toBe('发送短信 YE 到 10086，或在 App 首页查看话费余额。');
      // Traditional: the entry's answer converted with OpenCC (Taiwan phrases).
      if (language === 'zh-TW') expect(decision.reply.text).toMatch(/^[^发话费]*YE 到 10086.*話費餘額。$/);
      if (language === 'en')
        expect(decision.reply.text).toBe('Text YE to 10086, or see your balance on the app home page.');
      // The ledger reads trace.llm.usage: the pick tokens are in it (plus a translation for English).
      expect(decision.trace.llm?.usage.inputTokens, language).toBe(language === 'en' ? 150 + 60 : 150);
    }
  });

  for (const mode of ['none', 'garbage', 'unknown-id', 'hang'] as const) {
    it(`${mode}: falls back to what kefu does without the pick, with the outcome and tokens recorded`, async () => {
      pickMode = mode;
      for (const text of Object.values(BALANCE)) {
        const withPick = await runTurn(runtime, { text, state: {} }, services());
        const today = await runTurn(runtime, { text, state: {} }, services(), WITHOUT_PICK);
        expect(decided(withPick)).toEqual(decided(today));
        const pick = withPick.trace.llmPick;
        if (!pick) throw new Error('the pick was not asked');
        const outcome = { none: 'none', garbage: 'malformed', 'unknown-id': 'malformed', hang: 'error' }[mode];
        expect(pick).toMatchObject({ outcome, choice: null });
        const todayTokens = today.trace.llm?.usage.inputTokens ?? 0;
        expect(withPick.trace.llm?.usage.inputTokens ?? 0).toBe(todayTokens + (mode === 'hang' ? 0 : 150));
        if (mode === 'hang') expect(pick.error).toBe('CS_LLM_TIMEOUT');
      }
    });
  }

  it('the pick tokens reach the turn row and the usage ledger through the conversation service', async () => {
    pickMode = 'choose';
    const service = new ConversationService({
      db: database.db,
      bus: createInProcessEventBus(),
      runtimes: new TenantRuntimeCache(database.db),
      maxMessageChars: 4_000,
      llm: { model: model(), answerTimeoutMs: 1_000, inputPricePer1k: 0.002, outputPricePer1k: 0.008 },
    });
    const conversation = await service.createConversation(tenantId);
    const result = await service.postCustomerMessage(tenantId, conversation.id, { text: BALANCE['zh-CN'] });
    const turn = await database.db
      .selectFrom('turn_traces')
      .select(['tokens_in', 'tokens_out', 'cost_micros', 'intent'])
      .where('id', '=', result.turn!.id)
      .executeTakeFirstOrThrow();
    expect(turn).toMatchObject({ tokens_in: 150, tokens_out: 20, intent: 'faq-balance' });
    // 150 × 0.002 + 20 × 0.008 yuan per 1,000 tokens, in millionths of a yuan.
    expect(Number(turn.cost_micros)).toBe(Math.round(150 * 0.002 * 1000 + 20 * 0.008 * 1000));
    const ledger = await database.db
      .selectFrom('usage_ledger')
      .select(['meter', 'quantity'])
      .where('conversation_id', '=', conversation.id)
      .where('meter', 'in', ['llm.tokens_in', 'llm.tokens_out'])
      .execute();
    expect(Object.fromEntries(ledger.map((row) => [row.meter, Number(row.quantity)]))).toEqual({
      'llm.tokens_in': 150,
      'llm.tokens_out': 20,
    });
    await service.drain();
  });
});

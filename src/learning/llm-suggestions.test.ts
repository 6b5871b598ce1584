import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startScriptedOpenAiServer,
  type RecordedRequest,
  type ScriptedOpenAiServer,
  type ScriptedReply,
} from '../../test/support/scripted-openai-server.js';
import { createTestKefu, type TestKefu } from '../../test/support/test-kefu.js';

// LLM suggestions for the trainer end to end: real database, real HTTP (inject), the real
// OpenAI-compatible adapter against a scripted server on 127.0.0.1. Cluster naming in zh-CN,
// zh-TW and English; answer drafts from agents' replies only; garbage, timeouts, no model and
// another tenant's turn.

let server: ScriptedOpenAiServer;
let kefu: TestKefu;
let shopKey: string;
let bankKey: string;
let shopTenantId: string;
let trainer: string;
let bankTrainer: string;
let plainAgent: string;
/** What the scripted model answers to a trainer-suggestion request (turns get an empty answer). */
let suggestionReply: ScriptedReply = { text: '' };
let counter = 0;

const isSuggestion = (request: RecordedRequest) =>
  /CANNOT_DRAFT|FAQ）标题|FAQ）標題|general FAQ question/.test(String(request.body?.messages?.[0]?.content ?? ''));
const suggestionRequests = () => server.requests.filter(isSuggestion);

async function call(method: string, url: string, auth: string | null, payload?: unknown, app = kefu.app) {
  const response = await app.inject({
    method: method as 'GET',
    url,
    headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  let body: any;
  try {
    body = response.body ? response.json() : null;
  } catch {
    body = response.body;
  }
  return { status: response.statusCode, body, type: String(response.headers['content-type'] ?? '') };
}

async function agentToken(app: TestKefu, key: string, tenant: string, trainerScope: boolean): Promise<string> {
  const email = `llm-suggest-${Date.now().toString(36)}-${(counter += 1)}@example.com`;
  const created = await call(
    'POST',
    '/v1/agents',
    key,
    { email, name: 'Trainer', password: 'pass-word-123', skills: [], maxConcurrent: 5 },
    app.app,
  );
  expect(created.status).toBe(201);
  if (trainerScope)
    expect((await call('PUT', `/v1/agents/${created.body.id}/trainer`, key, { allowed: true }, app.app)).status).toBe(
      200,
    );
  const login = await call('POST', '/v1/agent/sessions', null, { tenant, email, password: 'pass-word-123' }, app.app);
  expect(login.status).toBe(201);
  return login.body.token as string;
}

async function ask(key: string, text: string, app = kefu) {
  const conversation = await call('POST', '/v1/conversations', key, {}, app.app);
  const posted = await call('POST', `/v1/conversations/${conversation.body.id}/messages`, key, { text }, app.app);
  expect(posted.status).toBe(201);
  return { conversationId: conversation.body.id as string, traceId: posted.body.turn.traceId as string };
}

async function addMessage(
  conversationId: string,
  sender: 'agent' | 'bot',
  text: string,
  visibility: 'public' | 'internal' = 'public',
) {
  await kefu.database.db
    .insertInto('messages')
    .values({
      id: randomUUID(),
      tenant_id: shopTenantId,
      conversation_id: conversationId,
      direction: 'outgoing',
      visibility,
      sender_kind: sender,
      sender_id: null,
      content: JSON.stringify([{ type: 'text', text }]),
      text,
      external_id: null,
      turn_id: null,
    })
    .execute();
}

async function trainerTokens() {
  return kefu.database.db
    .selectFrom('usage_ledger')
    .select(['meter', 'quantity', 'dedupe_key'])
    .where('tenant_id', '=', shopTenantId)
    .where('dedupe_key', 'like', 'llm.tokens_%:trainer:%')
    .execute();
}

beforeAll(async () => {
  server = await startScriptedOpenAiServer((request) => (isSuggestion(request) ? suggestionReply : { text: '' }));
  kefu = await createTestKefu({
    KEFU_LLM_BASE_URL: server.url,
    KEFU_LLM_MODEL: 'scripted-model',
    KEFU_LLM_TIMEOUT_MS: '1500',
    KEFU_LLM_MAX_RETRIES: '0',
    KEFU_LLM_ANSWER_TIMEOUT_MS: '2000',
  });
  shopKey = kefu.keyOf('shop-zh');
  bankKey = kefu.keyOf('bank-zh');
  const tenants = await kefu.database.db.selectFrom('tenants').select(['id', 'slug']).execute();
  shopTenantId = tenants.find((tenant) => tenant.slug === 'shop-zh')!.id;
  trainer = await agentToken(kefu, shopKey, 'shop-zh', true);
  plainAgent = await agentToken(kefu, shopKey, 'shop-zh', false);
  bankTrainer = await agentToken(kefu, bankKey, 'bank-zh', true);
}, 120_000);

afterAll(async () => {
  await kefu?.dispose();
  await server?.close();
});

describe('naming a phrasing cluster with the LLM', () => {
  it.each([
    {
      locale: 'zh-CN',
      phrasings: ['运费险怎么赔', '运费险赔多少钱', '退货的运费险能赔几块'],
      reply: '运费险怎么理赔？',
      prompt: '简体中文',
    },
    {
      locale: 'zh-TW',
      phrasings: ['運費險怎麼賠', '運費險賠多少錢', '退貨的運費險能賠幾塊'],
      reply: '「運費險怎麼理賠？」',
      prompt: '繁體中文',
    },
    {
      locale: 'en',
      phrasings: ['how much does return shipping insurance pay', 'shipping insurance refund amount'],
      reply: 'How much does return shipping insurance pay?',
      prompt: 'in English',
    },
  ])('proposes a question in the cluster language ($locale) and meters its tokens', async (example) => {
    suggestionReply = { text: example.reply, usage: { prompt_tokens: 41, completion_tokens: 9 } };
    const before = suggestionRequests().length;
    const metered = new Set((await trainerTokens()).map((row) => row.dedupe_key));
    const named = await call('POST', '/v1/agent/trainer/clusters/name', trainer, { phrasings: example.phrasings });
    expect(named.status).toBe(200);
    expect(named.body).toEqual({
      suggestion: example.reply.replace(/[「」]/g, ''),
      source: 'llm',
      locale: example.locale,
    });
    const sent = suggestionRequests().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.messages[0].content).toContain(example.prompt);
    for (const phrasing of example.phrasings) expect(sent[0]!.body.messages[1].content).toContain(phrasing);
    const rows = (await trainerTokens()).filter((row) => !metered.has(row.dedupe_key));
    expect(rows.map((row) => [row.meter, Number(row.quantity)]).sort()).toEqual([
      ['llm.tokens_in', 41],
      ['llm.tokens_out', 9],
    ]);
  });

  it('refuses garbage and a timeout with a clear problem, and keeps serving', async () => {
    const phrasings = ['运费险怎么赔', '运费险赔多少钱'];
    for (const [reply, code] of [
      [{ text: 'Sure! Ideas:\n1. 运费险怎么赔？\n2. 运费险赔多少？' }, 'CS_LLM_MALFORMED'],
      [{ text: 'How is shipping insurance paid?' }, 'CS_LLM_MALFORMED'],
      [{ text: '   ' }, 'CS_LLM_MALFORMED'],
      [{ kind: 'raw', body: '{not json' }, 'CS_LLM_MALFORMED'],
      [{ kind: 'error', status: 500 }, 'CS_LLM_UPSTREAM'],
      [{ kind: 'hang' }, 'CS_LLM_TIMEOUT'],
    ] as Array<[ScriptedReply, string]>) {
      suggestionReply = reply;
      const refused = await call('POST', '/v1/agent/trainer/clusters/name', trainer, { phrasings });
      expect(refused.type).toContain('application/problem+json');
      expect(refused.body.code).toBe(code);
      expect(refused.status).toBe(code === 'CS_LLM_TIMEOUT' ? 504 : 502);
    }
    const bad = await call('POST', '/v1/agent/trainer/clusters/name', trainer, { phrasings: [] });
    expect(bad.status).toBe(400);
    suggestionReply = { text: '运费险怎么赔？' };
    expect((await call('POST', '/v1/agent/trainer/clusters/name', trainer, { phrasings })).status).toBe(200);
    // Without the trainer scope: refused before the model is asked.
    const count = suggestionRequests().length;
    expect((await call('POST', '/v1/agent/trainer/clusters/name', plainAgent, { phrasings })).status).toBe(403);
    expect(suggestionRequests()).toHaveLength(count);
  }, 30_000);
});

describe("drafting an FAQ answer from agents' replies", () => {
  it('sends only the public agent replies, never the bot nor internal notes, and stores nothing', async () => {
    const { conversationId, traceId } = await ask(shopKey, '你们支持开增值税专用发票给公司吗');
    await addMessage(conversationId, 'agent', '支持的，企业可以开增值税专用发票。');
    await addMessage(conversationId, 'agent', '内部备注：这位客户是老客户', 'internal');
    await addMessage(conversationId, 'bot', '机器人：发票问题请看帮助中心第九条');
    await addMessage(conversationId, 'agent', '在订单详情页点“申请发票”，填写公司税号即可。');
    const botReplies = await kefu.database.db
      .selectFrom('messages')
      .select('text')
      .where('conversation_id', '=', conversationId)
      .where('sender_kind', '=', 'bot')
      .execute();
    expect(botReplies.length).toBeGreaterThan(1);
    suggestionReply = { text: '支持。企业可在订单详情页点“申请发票”，填写公司税号开具增值税专用发票。' };
    const before = suggestionRequests().length;
    const drafted = await call('POST', `/v1/agent/trainer/turns/${traceId}/faq-draft/llm`, trainer, {});
    expect(drafted.status).toBe(200);
    expect(drafted.body).toEqual({ suggestion: suggestionReply.text, source: 'llm', locale: 'zh-CN' });
    const sent = suggestionRequests().slice(before);
    expect(sent).toHaveLength(1);
    const [system, user] = sent[0]!.body.messages.map((message: { content: string }) => message.content);
    expect(system).toContain('不要编造');
    expect(system).toContain('CANNOT_DRAFT');
    expect(user).toContain('你们支持开增值税专用发票给公司吗');
    expect(user).toContain('支持的，企业可以开增值税专用发票。');
    expect(user).toContain('填写公司税号即可');
    expect(user).not.toContain('内部备注');
    for (const bot of botReplies) expect(user).not.toContain(bot.text);
    // A suggestion only: the turn is not labelled and no FAQ entry was created.
    const labels = await kefu.database.db
      .selectFrom('training_examples')
      .select('id')
      .where('trace_id', '=', traceId)
      .execute();
    expect(labels).toHaveLength(0);
  });

  it('drafts in Traditional Chinese and English from the question given', async () => {
    for (const [question, reply, agentReply, locale] of [
      ['可以開公司發票嗎？', '可以，請在訂單詳情頁申請發票。', '可以，請在訂單詳情頁申請發票並填寫統一編號。', 'zh-TW'],
      [
        'Can I get a company invoice?',
        'Yes: request it on the order page.',
        'Yes, request it on the order page.',
        'en',
      ],
    ] as const) {
      const { conversationId, traceId } = await ask(shopKey, question);
      await addMessage(conversationId, 'agent', agentReply);
      suggestionReply = { text: reply };
      const before = suggestionRequests().length;
      const drafted = await call('POST', `/v1/agent/trainer/turns/${traceId}/faq-draft/llm`, trainer, { question });
      expect(drafted.status).toBe(200);
      expect(drafted.body).toEqual({ suggestion: reply, source: 'llm', locale });
      expect(suggestionRequests().slice(before)[0]!.body.messages[1].content).toContain(agentReply);
    }
  });

  it('says so when the replies hold no answer, and never asks the model without agent replies', async () => {
    const { conversationId, traceId } = await ask(shopKey, '你们的仓库在哪个城市');
    await addMessage(conversationId, 'agent', '好的，我帮您查一下。');
    suggestionReply = { text: 'CANNOT_DRAFT' };
    const declined = await call('POST', `/v1/agent/trainer/turns/${traceId}/faq-draft/llm`, trainer, {});
    expect(declined.status).toBe(422);
    expect(declined.body.code).toBe('CS_TRAINING_SUGGESTION_UNAVAILABLE');

    const botOnly = await ask(shopKey, '你们的客服几点下班');
    const before = suggestionRequests().length;
    const none = await call('POST', `/v1/agent/trainer/turns/${botOnly.traceId}/faq-draft/llm`, trainer, {});
    expect(none.status).toBe(422);
    expect(none.body.code).toBe('CS_TRAINING_SUGGESTION_UNAVAILABLE');
    expect(suggestionRequests()).toHaveLength(before);

    suggestionReply = { kind: 'hang' };
    const timedOut = await call('POST', `/v1/agent/trainer/turns/${traceId}/faq-draft/llm`, trainer, {});
    expect(timedOut.status).toBe(504);
    expect(timedOut.body.code).toBe('CS_LLM_TIMEOUT');
  }, 30_000);

  it("answers 404 for another tenant's turn and for an unknown one, without asking the model", async () => {
    const { conversationId, traceId } = await ask(shopKey, '发票抬头可以改吗');
    await addMessage(conversationId, 'agent', '可以，在订单详情页修改抬头。');
    suggestionReply = { text: '可以，在订单详情页修改抬头。' };
    const before = suggestionRequests().length;
    const foreign = await call('POST', `/v1/agent/trainer/turns/${traceId}/faq-draft/llm`, bankTrainer, {});
    const unknown = await call('POST', `/v1/agent/trainer/turns/${randomUUID()}/faq-draft/llm`, bankTrainer, {});
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(foreign.body.code).toBe(unknown.body.code);
    expect(JSON.stringify(foreign.body)).not.toContain('抬头');
    expect(suggestionRequests()).toHaveLength(before);
  });
});

describe('without a configured LLM', () => {
  it('answers CS_LLM_NOT_CONFIGURED and the settings do not offer AI drafts', async () => {
    const plain = await createTestKefu();
    try {
      const token = await agentToken(plain, plain.keyOf('shop-zh'), 'shop-zh', true);
      const settings = await call('GET', '/v1/agent/trainer/settings', token, undefined, plain.app);
      expect(settings.status).toBe(200);
      expect(settings.body.llm).toBeUndefined();
      const named = await call(
        'POST',
        '/v1/agent/trainer/clusters/name',
        token,
        { phrasings: ['运费险怎么赔'] },
        plain.app,
      );
      expect(named.status).toBe(409);
      expect(named.type).toContain('application/problem+json');
      expect(named.body.code).toBe('CS_LLM_NOT_CONFIGURED');
      const { traceId } = await ask(plain.keyOf('shop-zh'), 'Can I get a company invoice?', plain);
      const drafted = await call('POST', `/v1/agent/trainer/turns/${traceId}/faq-draft/llm`, token, {}, plain.app);
      expect(drafted.status).toBe(409);
      expect(drafted.body.code).toBe('CS_LLM_NOT_CONFIGURED');
    } finally {
      await plain.dispose();
    }
    // With one, the settings say so (the console shows its AI buttons then).
    const settings = await call('GET', '/v1/agent/trainer/settings', trainer);
    expect(settings.body.llm).toBe(true);
  }, 120_000);
});

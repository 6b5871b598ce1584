import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../../../test/support/test-kefu.js';
import { createApiKey, findTenantBySlug, revokeApiKey } from '../../tenancy/index.js';
import { toTraditionalChinese } from '../../text/index.js';

const METRICS_TOKEN = 'metrics-scraper-secret-0123';
let kefu: TestKefu;
let shopKey: string;
let bankKey: string;

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

async function newConversation(key: string) {
  const response = await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth(key), payload: {} });
  expect(response.statusCode).toBe(201);
  return response.json() as { id: string; displayId: number; status: string };
}

async function say(key: string, conversationId: string, text: string, extra: Record<string, unknown> = {}) {
  return kefu.app.inject({
    method: 'POST',
    url: `/v1/conversations/${conversationId}/messages`,
    headers: auth(key),
    payload: { text, ...extra },
  });
}

beforeAll(async () => {
  kefu = await createTestKefu({ KEFU_METRICS_TOKEN: METRICS_TOKEN });
  shopKey = kefu.keyOf('shop-zh');
  bankKey = kefu.keyOf('bank-zh');
});
afterAll(async () => kefu?.dispose());

describe('conversations over REST', () => {
  it('starts a conversation from a bare POST with no body, as the README shows with curl', async () => {
    const response = await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth(shopKey) });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ status: 'open', assignee: { kind: 'bot' } });
  });

  it('answers a Simplified Chinese FAQ question from the shop FAQ, with a stored trace', async () => {
    const conversation = await newConversation(shopKey);
    const response = await say(shopKey, conversation.id, '七天无理由退货怎么申请？');
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.duplicate).toBe(false);
    expect(body.message.text).toBe('七天无理由退货怎么申请？');
    expect(body.turn.route).toBe('auto');
    expect(body.turn.tier).toBe('light');
    expect(body.turn.intent).toMatch(/^faq-/);
    expect(body.reply.text.length).toBeGreaterThan(10);
    expect(body.reply.parts.some((part: { type: string }) => part.type === 'citation')).toBe(true);

    const trace = await kefu.app.inject({ url: `/v1/traces/${body.turn.traceId}`, headers: auth(shopKey) });
    expect(trace.statusCode).toBe(200);
    const stages = trace.json().trace.stages.map((stage: { stage: string }) => stage.stage);
    expect(stages).toEqual(['normalise', 'understand', 'route', 'respond', 'guard', 'decide']);
    expect(trace.json().intent).toBe(body.turn.intent);
  });

  it('gives the same answer to the same question in Traditional characters', async () => {
    const conversation = await newConversation(shopKey);
    const simplified = (await say(shopKey, conversation.id, '七天无理由退货怎么申请？')).json();
    const traditional = (await say(shopKey, conversation.id, '七天無理由退貨怎麼申請？')).json();
    expect(traditional.turn.intent).toBe(simplified.turn.intent);
    // The same answer, in the script the customer wrote.
    expect(traditional.reply.text).toBe(toTraditionalChinese(simplified.reply.text));
    expect(traditional.reply.text).not.toBe(simplified.reply.text);
  });

  it('hands a customer who asks for a person to the queue, with the reason in the trace', async () => {
    const conversation = await newConversation(bankKey);
    const body = (await say(bankKey, conversation.id, '我要转人工')).json();
    expect(body.turn.route).toBe('human');
    const trace = (await kefu.app.inject({ url: `/v1/traces/${body.turn.traceId}`, headers: auth(bankKey) })).json();
    // The rule that fired, for engineers; the reason itself is in words the tenant's agents read.
    expect(trace.trace.handover).toMatchObject({ rule: 'human.request' });
    expect(trace.trace.reasons.length).toBeGreaterThan(0);
    const after = (
      await kefu.app.inject({ url: `/v1/conversations/${conversation.id}`, headers: auth(bankKey) })
    ).json();
    expect(after.status).toBe('pending');
  });

  it('lists messages in order and resumes after a seq', async () => {
    const conversation = await newConversation(shopKey);
    await say(shopKey, conversation.id, '你好');
    await say(shopKey, conversation.id, '运费怎么算');
    const all = (
      await kefu.app.inject({ url: `/v1/conversations/${conversation.id}/messages`, headers: auth(shopKey) })
    ).json().messages;
    expect(all.length).toBe(4);
    expect(all.map((m: { direction: string }) => m.direction)).toEqual([
      'incoming',
      'outgoing',
      'incoming',
      'outgoing',
    ]);
    const seqs = all.map((m: { seq: string }) => BigInt(m.seq));
    expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
    const rest = (
      await kefu.app.inject({
        url: `/v1/conversations/${conversation.id}/messages?after=${all[1].seq}`,
        headers: auth(shopKey),
      })
    ).json().messages;
    expect(rest.map((m: { id: string }) => m.id)).toEqual(all.slice(2).map((m: { id: string }) => m.id));
  });

  it('does not double-post a retried message with the same idempotency key', async () => {
    const conversation = await newConversation(shopKey);
    const first = await say(shopKey, conversation.id, '怎么开发票', { externalId: 'client-42' });
    const second = await kefu.app.inject({
      method: 'POST',
      url: `/v1/conversations/${conversation.id}/messages`,
      headers: { ...auth(shopKey), 'idempotency-key': 'client-42' },
      payload: { text: '怎么开发票' },
    });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json().duplicate).toBe(true);
    expect(second.json().message.id).toBe(first.json().message.id);
    expect(second.json().reply.id).toBe(first.json().reply.id);
    const messages = (
      await kefu.app.inject({ url: `/v1/conversations/${conversation.id}/messages`, headers: auth(shopKey) })
    ).json().messages;
    expect(messages).toHaveLength(2);
    const conflict = await say(shopKey, conversation.id, '另一句话', { externalId: 'client-42' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe('CS_IDEMPOTENCY_CONFLICT');
  });

  it('answers English questions without crashing and declines what it does not know', async () => {
    const conversation = await newConversation(shopKey);
    const body = (await say(shopKey, conversation.id, 'What is the capital of Mongolia?')).json();
    expect(['auto', 'human']).toContain(body.turn.route);
    expect(body.turn.intent === null || body.turn.confidence < 0.6).toBe(true);
  });
});

describe('playbooks over REST (S2, S3)', () => {
  it('shop-zh: 物流太慢 → finds the order, sees the delay and offers the fixes first', async () => {
    const conversation = await newConversation(shopKey);
    const first = (await say(shopKey, conversation.id, '我的快递怎么还没到啊，都超过说好的日期好几天了')).json();
    expect(first.turn).toMatchObject({ route: 'auto', tier: 'playbook', intent: 'logistics.delay' });
    expect(first.reply.text).toContain('订单号');
    // Written in Traditional Chinese: answered in it, quick replies too (a click still matches).
    const second = (await say(shopKey, conversation.id, '訂單號 XM20261115003')).json();
    expect(second.turn.tier).toBe('playbook');
    expect(second.reply.text).toContain('超時 6 天');
    const quickReplies = second.reply.parts.find((part: { type: string }) => part.type === 'quick_replies');
    expect(quickReplies.options).toEqual(expect.arrayContaining(['加急催件', '領 5 元補償券']));
    const third = (await say(shopKey, conversation.id, '那帮我加急催一下吧')).json();
    expect(third.reply.text).toContain('提交加急催件');
    const trace = (await kefu.app.inject({ url: `/v1/traces/${third.turn.traceId}`, headers: auth(shopKey) })).json();
    expect(trace.trace.events).toEqual([expect.objectContaining({ event: 'logistics.expedite_requested' })]);
  });

  it("shop-zh: uses the contact's phone to find the recent order without asking", async () => {
    const response = await kefu.app.inject({
      method: 'POST',
      url: '/v1/conversations',
      headers: auth(shopKey),
      payload: { contact: { phone: '13800571002' } },
    });
    const conversation = response.json();
    const body = (await say(shopKey, conversation.id, '物流太慢了')).json();
    expect(body.turn.tier).toBe('playbook');
    expect(body.reply.text).toContain('XM20261115003');
    expect(body.reply.text).toContain('超时 6 天');
  });

  it('bank-zh: computes instalment options exactly, and follows up on another period count', async () => {
    const conversation = await newConversation(bankKey);
    const first = (await say(bankKey, conversation.id, '这期账单有点多，想分期，12000分12期每个月要还多少')).json();
    expect(first.turn).toMatchObject({ route: 'auto', tier: 'playbook', intent: 'instalment.calculate' });
    expect(first.reply.text).toContain('每期还款 1,079.20 元');
    expect(first.reply.text).toContain('手续费合计 950.40 元');
    const second = (await say(bankKey, conversation.id, '那分24期呢')).json();
    expect(second.turn.tier).toBe('playbook');
    expect(second.reply.text).toContain('分 24 期');
    expect(second.reply.text).toContain('手续费合计 1,872.00 元');
  });
});

describe('authentication and scopes', () => {
  it('rejects missing, malformed, unknown, revoked and expired keys with the same 401', async () => {
    const tenant = (await findTenantBySlug(kefu.database.db, 'shop-zh'))!;
    const revoked = await createApiKey(kefu.database.db, tenant.id, { name: 'revoked', scopes: ['chat'] });
    await revokeApiKey(kefu.database.db, tenant.id, revoked.id);
    const expiring = await createApiKey(kefu.database.db, tenant.id, {
      name: 'expiring',
      scopes: ['chat'],
      expiresAt: new Date(Date.now() + 50),
    });
    await new Promise((resolve) => setTimeout(resolve, 80));
    for (const headers of [
      {},
      { authorization: 'Basic abc' },
      auth('kefu_sk_short'),
      auth(`kefu_sk_${'A'.repeat(40)}`),
      auth(revoked.key),
      auth(expiring.key),
    ]) {
      const response = await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers, payload: {} });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: 401, code: 'CS_UNAUTHORIZED' });
      expect(response.headers['www-authenticate']).toContain('Bearer');
    }
  });

  it('refuses a key without the route scope with 403', async () => {
    const tenant = (await findTenantBySlug(kefu.database.db, 'shop-zh'))!;
    const readOnly = await createApiKey(kefu.database.db, tenant.id, { name: 'analytics', scopes: ['analytics:read'] });
    const response = await kefu.app.inject({
      method: 'POST',
      url: '/v1/conversations',
      headers: auth(readOnly.key),
      payload: {},
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('CS_FORBIDDEN_SCOPE');
  });
});

describe('tenant isolation', () => {
  it('gives tenant B 404 for every conversation, message list, trace and stream of tenant A', async () => {
    const conversation = await newConversation(shopKey);
    const turn = (await say(shopKey, conversation.id, '怎么退货')).json();
    const urls = [
      `/v1/conversations/${conversation.id}`,
      `/v1/conversations/${conversation.id}/messages`,
      `/v1/conversations/${conversation.id}/traces`,
      `/v1/conversations/${conversation.id}/stream`,
      `/v1/traces/${turn.turn.traceId}`,
    ];
    for (const url of urls) {
      const response = await kefu.app.inject({ url, headers: auth(bankKey) });
      expect(response.statusCode, url).toBe(404);
      // `instance` echoes the caller's own URL; nothing else may mention the foreign ids.
      const { instance: _instance, ...rest } = response.json();
      expect(JSON.stringify(rest)).not.toContain(conversation.id);
      expect(JSON.stringify(rest)).not.toContain(turn.turn.traceId);
    }
    const post = await say(bankKey, conversation.id, '你好');
    expect(post.statusCode).toBe(404);
    const list = (await kefu.app.inject({ url: '/v1/conversations', headers: auth(bankKey) })).json().conversations;
    expect(list.map((c: { id: string }) => c.id)).not.toContain(conversation.id);
    // The same 404 body as for an id that does not exist anywhere.
    const missing = await kefu.app.inject({
      url: `/v1/conversations/00000000-0000-4000-8000-000000000000`,
      headers: auth(bankKey),
    });
    const foreign = await kefu.app.inject({ url: `/v1/conversations/${conversation.id}`, headers: auth(bankKey) });
    expect({ ...foreign.json(), instance: undefined }).toEqual({ ...missing.json(), instance: undefined });
  });
});

describe('bad input', () => {
  let conversationId: string;
  beforeAll(async () => {
    conversationId = (await newConversation(shopKey)).id;
  });
  const post = (payload: string | Buffer, contentType = 'application/json') =>
    kefu.app.inject({
      method: 'POST',
      url: `/v1/conversations/${conversationId}/messages`,
      headers: { ...auth(shopKey), 'content-type': contentType },
      payload,
    });

  it.each([
    ['malformed JSON', '{"text": "你好"', 'application/json', 400, 'CS_MALFORMED_JSON'],
    ['empty body', '', 'application/json', 400, 'CS_MALFORMED_JSON'],
    ['wrong content type', 'text=hi', 'application/x-www-form-urlencoded', 415, 'CS_UNSUPPORTED_MEDIA_TYPE'],
    ['text/plain', 'hi', 'text/plain', 415, 'CS_UNSUPPORTED_MEDIA_TYPE'],
    ['missing text', '{}', 'application/json', 400, 'CS_VALIDATION_FAILED'],
    ['text not a string', '{"text": 42}', 'application/json', 400, 'CS_VALIDATION_FAILED'],
    ['unknown field', '{"text": "hi", "admin": true}', 'application/json', 400, 'CS_VALIDATION_FAILED'],
    ['empty message', '{"text": "   "}', 'application/json', 422, 'CS_MESSAGE_EMPTY'],
    ['prototype pollution', '{"text": "hi", "__proto__": {"x": 1}}', 'application/json', 400, 'CS_MALFORMED_JSON'],
  ])('%s → %i problem+json', async (_name, payload, contentType, status, code) => {
    const response = await post(payload, contentType);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().code).toBe(code);
  });

  it('rejects invalid UTF-8', async () => {
    const response = await post(
      Buffer.concat([Buffer.from('{"text": "'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('CS_INVALID_UTF8');
  });

  it('rejects a message over the length limit with 422 and a body over the size limit with 413', async () => {
    const long = await post(JSON.stringify({ text: '长'.repeat(5000) }));
    expect(long.statusCode).toBe(422);
    expect(long.json().code).toBe('CS_MESSAGE_TOO_LONG');
    const huge = await post(JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('CS_PAYLOAD_TOO_LARGE');
  });

  it('answers unknown ids, malformed ids and unknown routes with 404/400 problem+json', async () => {
    expect((await kefu.app.inject({ url: '/v1/conversations/not-a-uuid', headers: auth(shopKey) })).statusCode).toBe(
      400,
    );
    expect(
      (await kefu.app.inject({ url: '/v1/traces/00000000-0000-4000-8000-000000000000', headers: auth(shopKey) })).json()
        .code,
    ).toBe('CS_TRACE_NOT_FOUND');
    const route = await kefu.app.inject({ url: '/v1/nope', headers: auth(shopKey) });
    expect(route.statusCode).toBe(404);
    expect(route.json().code).toBe('CS_ROUTE_NOT_FOUND');
  });

  it('keeps emoji, control characters and mixed scripts as data, never crashing', async () => {
    for (const text of ['😀😀😀', 'a\u0000b\u0007c', 'refund 退款 返金 환불', '\u202e反向文字']) {
      const response = await post(JSON.stringify({ text }));
      expect(response.statusCode).toBe(201);
    }
  });
});

describe('unstorable text outside messages', () => {
  it('answers 400 CS_INVALID_TEXT for NUL or an unpaired surrogate in any other field, public routes included', async () => {
    const requests = [
      { method: 'POST' as const, url: '/widget/v1/sessions', payload: { tenant: 'shop\u0000zh' } },
      { method: 'POST' as const, url: '/widget/v1/sessions', payload: { tenant: 'shop-zh', locale: 'zh\uD800' } },
      {
        method: 'POST' as const,
        url: '/v1/agent/sessions',
        payload: { tenant: 'shop-zh', email: 'a\u0000@example.com', password: 'x'.repeat(12) },
      },
      {
        method: 'POST' as const,
        url: '/v1/conversations',
        headers: auth(shopKey),
        payload: { externalId: '客户\u0000甲' },
      },
      { method: 'GET' as const, url: '/v1/conversations?externalId=%00', headers: auth(shopKey) },
    ];
    for (const request of requests) {
      const response = await kefu.app.inject(request);
      expect(response.statusCode, `${request.url}: ${response.body}`).toBe(400);
      expect(response.json().code).toBe('CS_INVALID_TEXT');
    }
    // Authentication still comes first: without a key, nothing is said about the body.
    const anonymous = await kefu.app.inject({
      method: 'POST',
      url: '/v1/conversations',
      payload: { externalId: '\u0000' },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('operations', () => {
  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await kefu.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await kefu.app.inject({ url: '/readyz' })).json().status).toBe('ready');
    // Metrics are opt-in; with a token they go to its bearer only.
    const refused = await kefu.app.inject({ url: '/metrics' });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).not.toContain('kefu_http_request_duration_seconds');
    expect(
      (await kefu.app.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-scraper-secret-0124' } }))
        .statusCode,
    ).toBe(401);
    const metrics = await kefu.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('kefu_http_request_duration_seconds');
    const openapi = (await kefu.app.inject({ url: '/openapi.json' })).json();
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/v1/conversations',
        '/v1/conversations/{conversationId}/messages',
        '/v1/traces/{traceId}',
      ]),
    );
    expect((await kefu.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
    const demo = await kefu.app.inject({ url: '/' });
    expect(demo.body).toContain('shop-zh');
  });
});

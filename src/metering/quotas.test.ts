import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedOpenAiServer } from '../../test/support/scripted-openai-server.js';
import { createTestKefu, type TestKefu } from '../../test/support/test-kefu.js';
import { assignPlan, tenantIdOf } from '../../test/support/test-plans.js';
import { startWebhookReceiver } from '../../test/support/webhook-receiver.js';
import { monthOf } from './index.js';

/** Monthly quotas and plan tiers through the real pipeline, the real OpenAI adapter and a scripted model server. */
type Server = Awaited<ReturnType<typeof startScriptedOpenAiServer>>;
let server: Server;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let kefu: TestKefu;
let shop: string;
let bank: string;

beforeAll(async () => {
  server = await startScriptedOpenAiServer([]);
  receiver = await startWebhookReceiver();
  kefu = await createTestKefu({
    KEFU_NLU: 'lexical',
    KEFU_LLM_BASE_URL: server.url,
    KEFU_LLM_MODEL: 'scripted-model',
    KEFU_LLM_TIMEOUT_MS: '2000',
    KEFU_LLM_MAX_RETRIES: '0',
    KEFU_LLM_ANSWER_TIMEOUT_MS: '3000',
    KEFU_WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  shop = await tenantIdOf(kefu.database.db, 'shop-zh');
  bank = await tenantIdOf(kefu.database.db, 'bank-zh');
});
afterAll(async () => {
  await kefu?.dispose();
  await server?.close();
  await receiver?.close();
});

const MULTI_PART = '运费怎么算？另外退货要多久才能退款？';
const auth = (slug: string) => ({ authorization: `Bearer ${kefu.keyOf(slug)}` });

async function conversation(slug: string): Promise<string> {
  return (await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth(slug), payload: {} })).json()
    .id;
}
async function post(slug: string, conversationId: string, text: string) {
  return kefu.app.inject({
    method: 'POST',
    url: `/v1/conversations/${conversationId}/messages`,
    headers: auth(slug),
    payload: { text },
  });
}
async function traceOf(slug: string, traceId: string) {
  return (await kefu.app.inject({ url: `/v1/traces/${traceId}`, headers: auth(slug) })).json();
}

describe('monthly quotas', () => {
  it('refuses with 429 CS_QUOTA_EXCEEDED and Retry-After to the next month when the plan says refuse', async () => {
    await assignPlan(kefu.database.db, kefu.bus, bank, { limits: { monthlyMessages: 2, onQuotaExhausted: 'refuse' } });
    const id = await conversation('bank-zh');
    expect((await post('bank-zh', id, '信用卡怎么分期？')).statusCode).toBe(201);
    expect((await post('bank-zh', id, '信用卡怎麼分期？')).statusCode).toBe(201);
    const before = Date.now();
    const refused = await post('bank-zh', id, 'How do instalments work?');
    const after = Date.now();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({
      code: 'CS_QUOTA_EXCEEDED',
      status: 429,
      period: monthOf(new Date(before)).period,
    });
    const retryAfter = Number(refused.headers['retry-after']);
    const next = monthOf(new Date(before)).to.getTime();
    expect(retryAfter).toBeGreaterThanOrEqual(Math.floor((next - after) / 1000));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((next - before) / 1000) + 1);
    // The refused message was neither stored nor billed.
    const incoming = await kefu.database.db
      .selectFrom('messages')
      .select('id')
      .where('conversation_id', '=', id)
      .where('direction', '=', 'incoming')
      .execute();
    expect(incoming).toHaveLength(2);
    const usage = (await kefu.app.inject({ url: '/v1/usage', headers: auth('bank-zh') })).json();
    expect(usage.messages).toBe(2);
    await assignPlan(kefu.database.db, kefu.bus, bank, {});
  });

  it('answers from the light tier only once the LLM tokens are used up (light_only), and says so in the trace', async () => {
    const hook = await kefu.app.inject({
      method: 'PUT',
      url: '/v1/usage/webhook',
      headers: auth('shop-zh'),
      payload: { url: receiver.url },
    });
    expect(hook.statusCode).toBe(200);
    const { secret } = hook.json();
    expect(secret).toMatch(/^whsec_/);
    await assignPlan(kefu.database.db, kefu.bus, shop, {
      limits: { monthlyLlmTokens: 1000, onQuotaExhausted: 'light_only' },
    });
    server.setScript(() => ({
      text: '七天无理由退货的寄回运费由您承担[1]；退款在仓库验收后 48 小时内原路退回[2]。',
      usage: { prompt_tokens: 900, completion_tokens: 60 },
    }));
    const id = await conversation('shop-zh');
    const first = await post('shop-zh', id, MULTI_PART);
    expect(first.json().turn.tier).toBe('llm');
    const callsAfterFirst = server.requests.length;
    // 960 of 1,000 tokens: past 80 %, not yet 100 %; a second LLM answer passes 100 %.
    const second = await post('shop-zh', id, '運費怎麼算？另外退貨要多久才能退款？');
    expect(second.json().turn.tier).toBe('llm');
    const callsAfterSecond = server.requests.length;
    expect(callsAfterSecond).toBeGreaterThan(callsAfterFirst);
    const third = await post('shop-zh', id, 'How much is shipping? And also how long do refunds take?');
    expect(third.statusCode).toBe(201);
    expect(third.json().turn.tier).not.toBe('llm');
    expect(server.requests.length).toBe(callsAfterSecond);
    const trace = await traceOf('shop-zh', third.json().turn.traceId);
    expect(trace.trace.limits.llmOff).toMatch(/quota used up .*LLM tokens/);
    expect(trace.trace.llm).toBeNull();

    // Usage webhooks: 80 % and 100 % of the token quota, each once, signed per Standard Webhooks.
    await kefu.metering.webhooks.idle();
    const events = receiver.received.map((request) => {
      const verified = new Webhook(secret).verify(request.body, request.headers as Record<string, string>) as {
        type: string;
        data: Record<string, unknown>;
      };
      return verified;
    });
    const thresholds = events
      .filter((event) => event.type === 'quota.threshold')
      .map((event) => [event.data.meter, event.data.threshold]);
    expect(thresholds).toEqual([
      ['llm.tokens', 80],
      ['llm.tokens', 100],
    ]);
    expect(events.every((event) => event.data.tenantId === shop)).toBe(true);
    // A tampered body fails verification.
    const tampered = receiver.received[0]!;
    expect(() => new Webhook(secret).verify(`${tampered.body} `, tampered.headers as Record<string, string>)).toThrow();
    const deliveries = (await kefu.app.inject({ url: '/v1/usage/webhook/deliveries', headers: auth('shop-zh') })).json()
      .deliveries;
    expect(deliveries.filter((delivery: { status: string }) => delivery.status === 'delivered')).toHaveLength(2);
    // Another tenant sees none of them.
    expect(
      (await kefu.app.inject({ url: '/v1/usage/webhook/deliveries', headers: auth('bank-zh') })).json().deliveries,
    ).toEqual([]);
    expect((await kefu.app.inject({ url: '/v1/usage/webhook', headers: auth('bank-zh') })).statusCode).toBe(404);
    await assignPlan(kefu.database.db, kefu.bus, shop, {});
  });

  it('never calls the LLM when the plan leaves out the llm tier or the configured model', async () => {
    server.setScript(() => ({
      text: '运费由您承担[1]；退款 48 小时内原路退回[2]。',
      usage: { prompt_tokens: 10, completion_tokens: 10 },
    }));
    for (const limits of [
      { allowedTiers: ['light', 'human'] as Array<'light' | 'human'> },
      { allowedModels: ['another-model'] },
    ]) {
      await assignPlan(kefu.database.db, kefu.bus, shop, { limits });
      const calls = server.requests.length;
      const id = await conversation('shop-zh');
      const response = await post('shop-zh', id, MULTI_PART);
      expect(response.statusCode).toBe(201);
      expect(response.json().turn.tier).not.toBe('llm');
      expect(server.requests.length).toBe(calls);
      const trace = await traceOf('shop-zh', response.json().turn.traceId);
      expect(trace.trace.limits.llmOff).toMatch(
        'allowedTiers' in limits ? /does not include the llm tier/ : /does not allow the model scripted-model/,
      );
    }
    // With the model allowed, the same question reaches it.
    await assignPlan(kefu.database.db, kefu.bus, shop, { limits: { allowedModels: ['scripted-model'] } });
    const calls = server.requests.length;
    const response = await post('shop-zh', await conversation('shop-zh'), MULTI_PART);
    expect(response.json().turn.tier).toBe('llm');
    expect(server.requests.length).toBeGreaterThan(calls);
    await assignPlan(kefu.database.db, kefu.bus, shop, {});
  });
});

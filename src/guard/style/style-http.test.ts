import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../../../test/support/test-kefu.js';

// The style guide on the agent's side and the admin's consistency score, through HTTP.
let kefu: TestKefu;
beforeAll(async () => {
  kefu = await createTestKefu({ KEFU_HANDOFF_CHECK_INTERVAL_MS: '3600000' });
}, 180_000);
afterAll(async () => kefu?.dispose());

async function call(method: string, url: string, auth: string | null, payload?: unknown) {
  const response = await kefu.app.inject({
    method: method as 'GET',
    url,
    headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: response.statusCode, body: response.body ? response.json() : null };
}

let counter = 0;
/** A logged-in agent of the tenant holding a fresh conversation that asked for a person. */
async function agentWithConversation(slug: string) {
  const key = kefu.keyOf(slug);
  const email = `style-${Date.now().toString(36)}-${(counter += 1)}@example.com`;
  expect((await call('POST', '/v1/agents', key, { email, name: '小周', password: 'pass-word-123' })).status).toBe(201);
  const login = await call('POST', '/v1/agent/sessions', null, { tenant: slug, email, password: 'pass-word-123' });
  const token = login.body.token as string;
  const conversation = await call('POST', '/v1/conversations', key, {});
  const id = conversation.body.id as string;
  await call('POST', `/v1/conversations/${id}/messages`, key, { text: '转人工' });
  expect((await call('POST', `/v1/agent/conversations/${id}/accept`, token)).status).toBe(200);
  return { key, token, id };
}

describe('the style guide for agents', () => {
  it('shows the violations and the fix before send, refuses what cannot be fixed, and records an override', async () => {
    const { key, token, id } = await agentWithConversation('shop-zh');
    const checked = await call('POST', `/v1/agent/conversations/${id}/style-check`, token, {
      text: '亲亲，你的订单已发货😊',
    });
    expect(checked.status).toBe(200);
    expect(checked.body.passed).toBe(false);
    expect(checked.body.fixed).toBe('您好，您，您的订单已发货');
    expect(checked.body.violations.map((violation: { rule: string }) => violation.rule).sort()).toEqual([
      'address',
      'emoji',
      'forbidden',
      'greeting',
    ]);
    expect(checked.body.violations[0].message).toMatch(/[\u4e00-\u9fff]/);

    const refused = await call('POST', `/v1/agent/conversations/${id}/messages`, token, {
      text: '您好，京东也有同款，不过我们是正品。',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('CS_STYLE_VIOLATION');
    expect(refused.body.detail).toContain('京东');

    const overridden = await call('POST', `/v1/agent/conversations/${id}/messages`, token, {
      text: '您好，京东也有同款，不过我们是正品。',
      styleOverride: { reason: '顾客自己问到京东的价格' },
    });
    expect(overridden.status).toBe(201);
    expect(overridden.body.text).toBe('您好，京东也有同款，不过我们是正品。');
    const audit = await kefu.database.db
      .selectFrom('audit_log')
      .select(['action', 'details', 'target'])
      .where('action', '=', 'style.override')
      .where('target', '=', overridden.body.id)
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ reason: '顾客自己问到京东的价格', rules: ['competitor'] });

    const fixed = await call('POST', `/v1/agent/conversations/${id}/messages`, token, { text: '你的订单明天到' });
    expect(fixed.status).toBe(201);
    expect(fixed.body.text).toBe('您的订单明天到');

    const score = await call('GET', '/v1/style/consistency', key);
    expect(score.status).toBe(200);
    expect(score.body.timezone).toBe('Asia/Shanghai');
    const today = score.body.days[score.body.days.length - 1];
    expect(today.byOutcome.overridden).toBeGreaterThanOrEqual(1);
    expect(today.byOutcome.fixed).toBeGreaterThanOrEqual(1);
    expect(today.byKind.agent.messages).toBeGreaterThanOrEqual(2);
    expect(score.body.consistency).toBeGreaterThan(0);
    expect(score.body.consistency).toBeLessThan(1);
    expect((await call('GET', '/v1/style/consistency?from=2026-12-10&to=2026-12-01', key)).status).toBe(400);
  });

  it('never lets an agent override a compliance rule', async () => {
    const { token, id } = await agentWithConversation('bank-zh');
    const refused = await call('POST', `/v1/agent/conversations/${id}/messages`, token, {
      text: '您好，这款理财保本保息，放心买。',
      styleOverride: { reason: '客户坚持要听' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain('金融合规');
  });
});

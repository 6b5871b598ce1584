import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../../../test/support/test-kefu.js';
import { loadConfig } from '../../config/index.js';
import { createOperatorKey, revokeOperatorKey } from '../../operator/index.js';
import { createApiKey, hashApiKey } from '../../tenancy/index.js';

const BOOTSTRAP = 'kefu_op_bootstrap_for_tests_0123456789abcdef';
let kefu: TestKefu;
let operatorKey: string;
let operatorKeyId: string;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const op = (
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  kefu.app.inject({
    method,
    url: `/operator/v1${url}`,
    headers: { ...bearer(operatorKey), 'user-agent': 'kefu-tests/1.0', ...headers },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function newTenant(slug: string, name: string, extra: Record<string, unknown> = {}) {
  const response = await op('POST', '/tenants', { slug, name, ...extra });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as {
    tenant: { id: string; slug: string; name: string; status: string; plan: { slug: string } | null };
    apiKey: { id: string; key: string; prefix: string; scopes: string[] };
  };
}

beforeAll(async () => {
  kefu = await createTestKefu({ KEFU_DEMO: 'false', KEFU_OPERATOR_KEY: BOOTSTRAP });
  const created = await createOperatorKey(kefu.database.db, 'tests');
  operatorKey = created.key;
  operatorKeyId = created.id;
}, 120_000);
afterAll(async () => kefu?.dispose());

describe('operator credentials are separate from tenant keys', () => {
  it('refuses a missing, malformed or unknown operator key with 401 problem+json', async () => {
    for (const headers of [
      {},
      bearer('nonsense'),
      bearer('kefu_op_' + 'x'.repeat(40)),
      { authorization: 'Basic abc' },
    ]) {
      const response = await kefu.app.inject({ url: '/operator/v1/plans', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.json().code).toBe('CS_UNAUTHORIZED');
    }
  });

  it('never lets a tenant key onto /operator routes, nor an operator key onto /v1', async () => {
    const { apiKey } = await newTenant('sep-shop', '分隔小店');
    expect((await kefu.app.inject({ url: '/v1/tenant', headers: bearer(apiKey.key) })).statusCode).toBe(200);
    const asTenant = await kefu.app.inject({ url: '/operator/v1/tenants', headers: bearer(apiKey.key) });
    expect(asTenant.statusCode).toBe(401);
    expect(asTenant.body).not.toContain('sep-shop');
    const asOperator = await kefu.app.inject({ url: '/v1/tenant', headers: bearer(operatorKey) });
    expect(asOperator.statusCode).toBe(401);
  });

  it('accepts the KEFU_OPERATOR_KEY bootstrap key and records it as operator:bootstrap', async () => {
    const response = await kefu.app.inject({
      method: 'POST',
      url: '/operator/v1/plans',
      headers: bearer(BOOTSTRAP),
      payload: { slug: 'boot-plan', name: 'Bootstrap plan' },
    });
    expect(response.statusCode, response.body).toBe(201);
    const audit = (await op('GET', '/audit?action=plan.create&actor=operator:bootstrap')).json();
    expect(audit.entries.map((entry: { target: string }) => entry.target)).toContain(response.json().id);
    const wrong = await kefu.app.inject({ url: '/operator/v1/plans', headers: bearer(BOOTSTRAP + 'x') });
    expect(wrong.statusCode).toBe(401);
  });

  it('refuses a weak KEFU_OPERATOR_KEY at start, naming the variable but not echoing the value', () => {
    for (const value of ['kefu_op_short', 'kefu_sk_' + 'a'.repeat(40), 'letmein-letmein-letmein-letmein']) {
      let message = '';
      try {
        loadConfig({ env: { KEFU_OPERATOR_KEY: value }, cwd: '/' });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/KEFU_OPERATOR_KEY/);
      expect(message).not.toContain(value);
    }
    expect(loadConfig({ env: { KEFU_OPERATOR_KEY: BOOTSTRAP }, cwd: '/' }).operator.bootstrapKey).toBe(BOOTSTRAP);
  });

  it('a revoked operator key stops working at once, and lists show no secret', async () => {
    const extra = await createOperatorKey(kefu.database.db, '临时 key');
    expect((await kefu.app.inject({ url: '/operator/v1/plans', headers: bearer(extra.key) })).statusCode).toBe(200);
    const revoke = await op('POST', `/operator-keys/${extra.id}/revoke`);
    expect(revoke.statusCode).toBe(204);
    expect((await kefu.app.inject({ url: '/operator/v1/plans', headers: bearer(extra.key) })).statusCode).toBe(401);
    const list = await op('GET', '/operator-keys');
    expect(list.body).not.toContain(extra.key);
    expect(list.json().keys.find((key: { id: string }) => key.id === extra.id).revokedAt).not.toBeNull();
    expect(await revokeOperatorKey(kefu.database.db, extra.id)).toBe(false);
  });
});

describe('plans', () => {
  it('creates plans named in Simplified, Traditional Chinese and English, with defaults filled in', async () => {
    for (const [slug, name] of [
      ['basic', '基础版'],
      ['pro', '專業版'],
      ['enterprise', 'Enterprise'],
    ]) {
      const response = await op('POST', '/plans', {
        slug,
        name,
        limits: { requestsPerSecond: 5, burst: 10, monthlyMessages: 1000 },
        prices: { monthlyFeeMicros: 99_000_000, perMessageMicros: 10_000 },
        features: ['widget'],
      });
      expect(response.statusCode, response.body).toBe(201);
      const plan = response.json();
      expect(plan).toMatchObject({
        slug,
        name,
        tenants: 0,
        limits: { requestsPerSecond: 5, burst: 10, monthlyMessages: 1000, onQuotaExhausted: 'light_only' },
        prices: { currency: 'CNY', monthlyFeeMicros: 99_000_000 },
      });
    }
    const list = (await op('GET', '/plans')).json().plans.map((plan: { name: string }) => plan.name);
    expect(list).toEqual(expect.arrayContaining(['基础版', '專業版', 'Enterprise']));
    const bySlug = (await op('GET', '/plans/pro')).json();
    expect((await op('GET', `/plans/${bySlug.id}`)).json().name).toBe('專業版');
    expect((await op('GET', '/plans/no-such-plan')).json().code).toBe('CS_PLAN_NOT_FOUND');
  });

  it('refuses negative, absurd and unknown values with 400 and the field path', async () => {
    const cases: Array<[unknown, string]> = [
      [{ slug: 'neg', name: 'x', limits: { monthlyMessages: -1 } }, 'body/limits/monthlyMessages'],
      [{ slug: 'huge', name: 'x', limits: { requestsPerSecond: 1e12 } }, 'body/limits/requestsPerSecond'],
      [{ slug: 'frac', name: 'x', prices: { perMessageMicros: 0.5 } }, 'body/prices/perMessageMicros'],
      [{ slug: 'cur', name: 'x', prices: { currency: 'yuan' } }, 'body/prices/currency'],
      [{ slug: 'unk', name: 'x', limits: { bogus: 1 } }, 'body/limits'],
      [{ slug: 'BAD SLUG', name: 'x' }, 'body/slug'],
      [{ slug: 'burst', name: 'x', limits: { requestsPerSecond: 50, burst: 10 } }, 'body/limits/burst'],
    ];
    for (const [payload, path] of cases) {
      const response = await op('POST', '/plans', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const body = response.json();
      expect(body.code).toBe('CS_VALIDATION_FAILED');
      expect(body.errors.map((error: { path: string }) => error.path).join(' ')).toContain(path);
    }
    expect((await op('POST', '/plans', { slug: 'basic', name: 'again' })).statusCode).toBe(409);
  });

  it('deletes a plan only when no tenant is on it', async () => {
    const plan = (await op('POST', '/plans', { slug: 'short-lived', name: '臨時方案' })).json();
    const { tenant } = await newTenant('on-short-lived', '短命小店', { plan: 'short-lived' });
    const refused = await op('DELETE', '/plans/short-lived');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('CS_PLAN_IN_USE');
    expect((await op('PUT', `/tenants/${tenant.id}/plan`, { plan: null })).statusCode).toBe(200);
    expect((await op('DELETE', `/plans/${plan.id}`)).statusCode).toBe(204);
    expect((await op('GET', '/plans/short-lived')).statusCode).toBe(404);
    expect((await op('DELETE', '/plans/short-lived')).statusCode).toBe(404);
    const audit = (await op('GET', '/audit?action=plan.delete')).json().entries;
    expect(audit[0]).toMatchObject({ target: plan.id, details: { slug: 'short-lived', name: '臨時方案' } });
  });

  it('updates limits and prices key by key, validating the merged plan', async () => {
    const response = await op('PATCH', '/plans/basic', {
      limits: { monthlyMessages: 2000 },
      prices: { perMessageMicros: 20_000 },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      name: '基础版',
      limits: { monthlyMessages: 2000, requestsPerSecond: 5, burst: 10 },
      prices: { perMessageMicros: 20_000, monthlyFeeMicros: 99_000_000 },
    });
    const bad = await op('PATCH', '/plans/basic', { limits: { burst: -3 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('body/limits/burst');
    expect((await op('GET', '/plans/basic')).json().limits.burst).toBe(10);
  });
});

describe('tenants from a plan', () => {
  it('onboards a business in one call: tenant on its plan plus a working first key, shown once', async () => {
    const created = await newTenant('xiaoman', '小满优品', {
      plan: 'basic',
      locale: 'zh-CN',
      domain: 'ecommerce',
      key: { name: '店主', scopes: ['chat', 'conversations:read'] },
    });
    expect(created.tenant).toMatchObject({
      slug: 'xiaoman',
      name: '小满优品',
      status: 'active',
      plan: { slug: 'basic' },
    });
    expect(created.apiKey.key).toMatch(/^kefu_sk_[0-9A-Za-z]{40}$/);
    expect(created.apiKey.scopes).toEqual(['chat', 'conversations:read']);
    const stored = await kefu.database.db
      .selectFrom('api_keys')
      .select(['key_hash'])
      .where('id', '=', created.apiKey.id)
      .executeTakeFirstOrThrow();
    expect(stored.key_hash).toBe(hashApiKey(created.apiKey.key));
    const me = await kefu.app.inject({ url: '/v1/tenant', headers: bearer(created.apiKey.key) });
    expect(me.json()).toMatchObject({ slug: 'xiaoman', name: '小满优品' });
    const keys = await op('GET', '/tenants/xiaoman/keys');
    expect(keys.body).not.toContain(created.apiKey.key);
    expect(keys.body).not.toContain(stored.key_hash);

    await newTenant('qinghe', '青禾銀行', { plan: 'pro', domain: 'finance' });
    await newTenant('acme', 'Acme Support', { locale: 'en-US' });
    const list = (await op('GET', '/tenants')).json();
    const bySlug = Object.fromEntries(list.tenants.map((tenant: { slug: string }) => [tenant.slug, tenant]));
    expect(bySlug.qinghe).toMatchObject({ name: '青禾銀行', plan: { slug: 'pro', name: '專業版' }, status: 'active' });
    expect(bySlug.acme).toMatchObject({ name: 'Acme Support', plan: null });
    expect(
      (await op('GET', '/tenants?plan=pro')).json().tenants.map((tenant: { slug: string }) => tenant.slug),
    ).toEqual(['qinghe']);
    expect((await op('GET', '/plans/pro')).json().tenants).toBe(1);
    const page = (await op('GET', '/tenants?limit=1')).json();
    expect(page.tenants).toHaveLength(1);
    expect((await op('GET', `/tenants?limit=1&after=${page.nextAfter}`)).json().tenants[0].slug).not.toBe(
      page.tenants[0].slug,
    );
  });

  it('refuses a taken slug, an unknown plan and a bad body without creating anything', async () => {
    expect((await op('POST', '/tenants', { slug: 'xiaoman', name: 'dup' })).json().code).toBe('CS_TENANT_EXISTS');
    const unknownPlan = await op('POST', '/tenants', { slug: 'orphan', name: 'x', plan: 'nope' });
    expect(unknownPlan.statusCode).toBe(404);
    expect((await op('GET', '/tenants/orphan')).statusCode).toBe(404);
    const badScope = await op('POST', '/tenants', { slug: 'orphan', name: 'x', key: { scopes: ['root'] } });
    expect(badScope.statusCode).toBe(400);
    const pastExpiry = await op('POST', '/tenants', {
      slug: 'orphan',
      name: 'x',
      key: { expiresAt: '2001-01-01T00:00:00Z' },
    });
    expect(pastExpiry.statusCode).toBe(400);
    expect(pastExpiry.json().errors[0].path).toBe('body/key/expiresAt');
    expect((await op('GET', '/tenants/orphan')).statusCode).toBe(404);
  });

  it('suspension takes effect at once on every tenant route and widget session, resume restores it', async () => {
    const { tenant, apiKey } = await newTenant('suspend-me', '暫停測試');
    const conversation = (
      await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: bearer(apiKey.key) })
    ).json();
    const agent = { email: 'wang@example.com', password: 'a long enough password' };
    expect(
      (
        await kefu.app.inject({
          method: 'POST',
          url: '/v1/agents',
          headers: bearer(apiKey.key),
          payload: { ...agent, name: '王芳' },
        })
      ).statusCode,
    ).toBe(201);
    const agentToken = (
      await kefu.app.inject({ method: 'POST', url: '/v1/agent/sessions', payload: { tenant: 'suspend-me', ...agent } })
    ).json().token as string;
    expect((await kefu.app.inject({ url: '/v1/agent/me', headers: bearer(agentToken) })).statusCode).toBe(200);
    expect((await op('POST', '/tenants/suspend-me/suspend', { reason: '欠费 overdue' })).json().status).toBe(
      'suspended',
    );
    // The agent console is shut out at once too (its session check reads the tenant's status), and
    // a valid session learns why: 403, as for an API key, not the 401 of a bad token.
    const shutOut = await kefu.app.inject({ url: '/v1/agent/me', headers: bearer(agentToken) });
    expect(shutOut.statusCode).toBe(403);
    expect(shutOut.json().code).toBe('CS_TENANT_SUSPENDED');
    expect(
      (await kefu.app.inject({ url: '/v1/agent/me', headers: bearer('kefu_at_' + 'B'.repeat(40)) })).statusCode,
    ).toBe(401);
    for (const request of [
      { method: 'GET' as const, url: '/v1/tenant' },
      { method: 'POST' as const, url: '/v1/conversations' },
      { method: 'GET' as const, url: `/v1/conversations/${conversation.id}` },
    ]) {
      const response = await kefu.app.inject({ ...request, headers: bearer(apiKey.key) });
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('CS_TENANT_SUSPENDED');
    }
    const widget = await kefu.app.inject({
      method: 'POST',
      url: '/widget/v1/sessions',
      payload: { tenant: 'suspend-me' },
    });
    expect(widget.statusCode).toBe(403);
    expect(widget.json().code).toBe('CS_TENANT_SUSPENDED');
    // An invalid key still learns nothing about the tenant.
    expect(
      (await kefu.app.inject({ url: '/v1/tenant', headers: bearer('kefu_sk_' + 'A'.repeat(40)) })).statusCode,
    ).toBe(401);

    expect((await op('POST', `/tenants/${tenant.id}/resume`)).json().status).toBe('active');
    expect((await kefu.app.inject({ url: '/v1/tenant', headers: bearer(apiKey.key) })).statusCode).toBe(200);
    expect(
      (await kefu.app.inject({ method: 'POST', url: '/widget/v1/sessions', payload: { tenant: 'suspend-me' } }))
        .statusCode,
    ).toBe(201);
  });

  it("an open widget socket is refused at the customer's next message once the tenant is suspended", async () => {
    await newTenant('socket-shop', '插座小店 Socket shop');
    const session = (
      await kefu.app.inject({ method: 'POST', url: '/widget/v1/sessions', payload: { tenant: 'socket-shop' } })
    ).json();
    const socket = await kefu.app.injectWS(
      `/widget/v1/ws?token=${encodeURIComponent(session.token)}&conversationId=${session.conversationId}`,
    );
    const frames: Array<{ type: string; code?: string; clientId?: string }> = [];
    socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString())));
    const closed = new Promise<number>((resolve) => socket.on('close', (code: number) => resolve(code)));
    const waitFor = async (predicate: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(frames)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    socket.send(JSON.stringify({ type: 'message.create', clientId: 'before', text: '你好' }));
    await waitFor(() => frames.some((frame) => frame.type === 'message.ack' && frame.clientId === 'before'));
    await op('POST', '/tenants/socket-shop/suspend');
    socket.send(JSON.stringify({ type: 'message.create', clientId: 'after', text: 'still there?' }));
    expect(await closed).toBe(4403);
    expect(frames).toContainEqual(
      expect.objectContaining({ type: 'error', clientId: 'after', code: 'CS_TENANT_SUSPENDED' }),
    );
    expect(frames.some((frame) => frame.type === 'message.ack' && frame.clientId === 'after')).toBe(false);
    await op('POST', '/tenants/socket-shop/resume');
  });

  it("changes a tenant's plan", async () => {
    const response = await op('PUT', '/tenants/acme/plan', { plan: 'enterprise' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().plan.slug).toBe('enterprise');
    expect((await op('PUT', '/tenants/acme/plan', { plan: null })).json().plan).toBeNull();
    expect((await op('PUT', '/tenants/acme/plan', { plan: 'missing' })).statusCode).toBe(404);
  });

  it('deletes a tenant only with ?confirm=<slug>, cascading its data and keeping the audit trail', async () => {
    const { tenant, apiKey } = await newTenant('delete-me', '删除我');
    await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: bearer(apiKey.key) });
    const refused = await op('DELETE', '/tenants/delete-me');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('CS_CONFIRMATION_REQUIRED');
    expect((await op('DELETE', '/tenants/delete-me?confirm=wrong')).statusCode).toBe(400);
    expect((await op('DELETE', '/tenants/delete-me?confirm=delete-me')).statusCode).toBe(204);
    expect((await op('GET', '/tenants/delete-me')).statusCode).toBe(404);
    expect((await kefu.app.inject({ url: '/v1/tenant', headers: bearer(apiKey.key) })).statusCode).toBe(401);
    for (const table of ['conversations', 'api_keys', 'contacts', 'channels'] as const) {
      const rows = await kefu.database.db.selectFrom(table).select('id').where('tenant_id', '=', tenant.id).execute();
      expect(rows, table).toHaveLength(0);
    }
    const trail = (await op('GET', `/audit?tenant=${tenant.id}`))
      .json()
      .entries.map((entry: { action: string }) => entry.action);
    expect(trail).toEqual(['tenant.delete', 'tenant.create']);
  });
});

describe('tenant API keys', () => {
  let tenantKeyId: string;
  let tenantKey: string;
  it('creates keys with scopes and expiry; lists prefix, scopes and last use, never the secret', async () => {
    const created = await op('POST', '/tenants/xiaoman/keys', {
      name: '客服后台',
      scopes: ['analytics:read'],
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(created.statusCode, created.body).toBe(201);
    const key = created.json();
    tenantKeyId = key.id;
    tenantKey = key.key;
    // Wrong scope: a valid analytics key cannot chat.
    const wrongScope = await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: bearer(key.key) });
    expect(wrongScope.statusCode).toBe(403);
    expect(wrongScope.json().code).toBe('CS_FORBIDDEN_SCOPE');
    expect((await kefu.app.inject({ url: '/v1/reports/cost', headers: bearer(key.key) })).statusCode).toBe(200);
    const listed = (await op('GET', '/tenants/xiaoman/keys'))
      .json()
      .keys.find((entry: { id: string }) => entry.id === key.id);
    expect(listed).toMatchObject({ name: '客服后台', prefix: key.prefix, scopes: ['analytics:read'], revokedAt: null });
    expect(listed.lastUsedAt).not.toBeNull();
    expect(Object.keys(listed)).not.toContain('keyHash');
  });

  it('refuses expired, revoked and malformed keys with 401', async () => {
    const tenant = (await op('GET', '/tenants/xiaoman')).json();
    const expiring = await createApiKey(kefu.database.db, tenant.id, {
      name: 'old',
      scopes: ['chat'],
      expiresAt: new Date(Date.now() + 60_000),
    });
    await kefu.database.db
      .updateTable('api_keys')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expiring.id)
      .execute();
    for (const key of [expiring.key, 'kefu_sk_short', 'kefu_sk_' + '!'.repeat(40), '']) {
      const response = await kefu.app.inject({ url: '/v1/tenant', headers: bearer(key) });
      expect(response.statusCode, key).toBe(401);
      expect(response.json().code).toBe('CS_UNAUTHORIZED');
    }
    const revoked = await op('POST', `/tenants/xiaoman/keys/${tenantKeyId}/revoke`);
    expect(revoked.json().revokedAt).not.toBeNull();
    const afterRevoke = await kefu.app.inject({ url: '/v1/reports/cost', headers: bearer(tenantKey) });
    expect(afterRevoke.statusCode).toBe(401);
    expect(afterRevoke.json().code).toBe('CS_UNAUTHORIZED');
    expect((await op('POST', `/tenants/xiaoman/keys/00000000-0000-4000-8000-000000000000/revoke`)).json().code).toBe(
      'CS_API_KEY_NOT_FOUND',
    );
  });

  it('rotation returns a new key once and revokes the old one at once, or after a grace period', async () => {
    const first = (await op('POST', '/tenants/xiaoman/keys', { name: 'rotating', scopes: ['chat'] })).json();
    const rotated = await op('POST', `/tenants/xiaoman/keys/${first.id}/rotate`);
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { key, previous } = rotated.json();
    expect(key.key).not.toBe(first.key);
    expect(key.scopes).toEqual(['chat']);
    expect(previous).toMatchObject({ id: first.id, replacedBy: key.id });
    expect((await kefu.app.inject({ url: '/v1/tenant', headers: bearer(first.key) })).statusCode).toBe(401);
    expect((await kefu.app.inject({ url: '/v1/tenant', headers: bearer(key.key) })).statusCode).toBe(200);
    expect((await op('POST', `/tenants/xiaoman/keys/${first.id}/rotate`)).statusCode).toBe(409);

    const graced = (await op('POST', `/tenants/xiaoman/keys/${key.id}/rotate`, { graceSeconds: 3600 })).json();
    expect((await kefu.app.inject({ url: '/v1/tenant', headers: bearer(key.key) })).statusCode).toBe(200);
    expect((await kefu.app.inject({ url: '/v1/tenant', headers: bearer(graced.key.key) })).statusCode).toBe(200);
    expect(new Date(graced.previous.revokedAt).getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    // Revoking ends a grace period at once.
    await op('POST', `/tenants/xiaoman/keys/${key.id}/revoke`);
    expect((await kefu.app.inject({ url: '/v1/tenant', headers: bearer(key.key) })).statusCode).toBe(401);
    expect((await op('POST', `/tenants/xiaoman/keys/${key.id}/rotate`, { graceSeconds: -1 })).statusCode).toBe(400);
  });

  it('of two concurrent rotations of one key exactly one succeeds and the other gets 409', async () => {
    for (let round = 0; round < 3; round++) {
      const key = (await op('POST', '/tenants/qinghe/keys', { name: `race-${round}`, scopes: ['chat'] })).json();
      const results = await Promise.all([
        op('POST', `/tenants/qinghe/keys/${key.id}/rotate`),
        op('POST', `/tenants/qinghe/keys/${key.id}/rotate`),
      ]);
      expect(results.map((result) => result.statusCode).sort()).toEqual([200, 409]);
      expect(results.find((result) => result.statusCode === 409)!.json().code).toBe('CS_API_KEY_ALREADY_ROTATED');
      const keys = (await op('GET', '/tenants/qinghe/keys'))
        .json()
        .keys.filter((entry: { name: string }) => entry.name === `race-${round}`);
      expect(keys).toHaveLength(2);
    }
  });

  it('a key id of another tenant is not found through this tenant', async () => {
    const other = (await op('POST', '/tenants/qinghe/keys', { name: 'mine', scopes: ['chat'] })).json();
    for (const action of ['rotate', 'revoke']) {
      const response = await op('POST', `/tenants/xiaoman/keys/${other.id}/${action}`);
      expect(response.statusCode).toBe(404);
    }
    expect((await kefu.app.inject({ url: '/v1/tenant', headers: bearer(other.key) })).statusCode).toBe(200);
  });
});

describe('audit log', () => {
  it('records who, what, when and from where for every operator action, filterable and paginated', async () => {
    const all = (await op('GET', `/audit?actor=operator:${operatorKeyId}&limit=1000`)).json().entries;
    const actions = new Set(all.map((entry: { action: string }) => entry.action));
    for (const action of [
      'plan.create',
      'plan.update',
      'tenant.create',
      'tenant.suspend',
      'tenant.resume',
      'tenant.plan_change',
      'tenant.delete',
      'api_key.create',
      'api_key.rotate',
      'api_key.revoke',
      'operator_key.revoke',
    ]) {
      expect(actions, action).toContain(action);
    }
    const entry = all.find(
      (item: { action: string; details: { slug?: string } }) =>
        item.action === 'tenant.suspend' && item.details.slug === 'suspend-me',
    );
    expect(entry).toMatchObject({
      actor: `operator:${operatorKeyId}`,
      sourceIp: '127.0.0.1',
      userAgent: 'kefu-tests/1.0',
      details: { reason: '欠费 overdue' },
    });
    expect(entry.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const keyActions = (await op('GET', '/audit?action=api_key.*&tenant=qinghe')).json().entries;
    expect(keyActions.length).toBeGreaterThan(0);
    expect(keyActions.every((item: { action: string }) => item.action.startsWith('api_key.'))).toBe(true);

    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { entries: Array<{ id: string }>; nextCursor: string | null } = (
        await op('GET', `/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      for (const item of page.entries) {
        expect(seen.has(item.id)).toBe(false);
        seen.add(item.id);
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(3);
    const total = (await op('GET', '/audit?limit=1000')).json().entries.length;
    expect(seen.size).toBe(total);

    const future = (
      await op('GET', `/audit?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)
    ).json();
    expect(future.entries).toHaveLength(0);
    expect((await op('GET', '/audit?cursor=bm9wZQ')).statusCode).toBe(400);
  });

  it('records admin actions made with a tenant key through /v1, with the key and where from', async () => {
    const { tenant, apiKey } = await newTenant('admin-audit', '管理審計');
    const response = await kefu.app.inject({
      method: 'POST',
      url: '/v1/agents',
      headers: { ...bearer(apiKey.key), 'user-agent': 'shop-admin/2.0' },
      payload: { email: 'li@example.com', name: '李娜', password: 'correct horse battery' },
    });
    expect(response.statusCode, response.body).toBe(201);
    const entries = (await op('GET', `/audit?tenant=${tenant.id}&actor=key:${apiKey.id}`)).json().entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      tenantId: tenant.id,
      action: 'http.post',
      target: '/v1/agents',
      sourceIp: '127.0.0.1',
      userAgent: 'shop-admin/2.0',
    });
    // The password never reaches the audit log.
    expect(JSON.stringify(entries)).not.toContain('correct horse');
    // Reads and chat are not admin actions.
    await kefu.app.inject({ url: '/v1/agents', headers: bearer(apiKey.key) });
    await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: bearer(apiKey.key) });
    expect((await op('GET', `/audit?tenant=${tenant.id}&actor=key:${apiKey.id}`)).json().entries).toHaveLength(1);
  });

  it('exports as CSV (Chinese intact) and JSON with the same entries', async () => {
    const json = await op('GET', '/audit/export?format=json&action=tenant.create');
    expect(json.statusCode).toBe(200);
    const entries = json.json().entries;
    const csv = await op('GET', '/audit/export?format=csv&action=tenant.create');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const rows = parseCsv(csv.body, { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(rows.map((row) => row.id)).toEqual(entries.map((entry: { id: string }) => entry.id));
    expect(rows.some((row) => JSON.parse(row.details!).slug === 'xiaoman')).toBe(true);
    expect(csv.body).toContain('kefu-tests/1.0');
  });
});

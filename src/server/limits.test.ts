import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { createInProcessRateLimiter, createRedisRateLimiter } from '../ratelimit/index.js';
import { createApiKey, revokeApiKey } from '../tenancy/index.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { createTestKefu, type TestKefu } from '../../test/support/test-kefu.js';
import { assignPlan, tenantIdOf } from '../../test/support/test-plans.js';
import {
  deleteRedisPrefix,
  requireRedisUrl,
  skipWithoutRedis,
  testRedis,
  uniqueRedisPrefix,
} from '../../test/support/test-redis.js';
import { createKefu, type Kefu } from './kefu.js';
import { createMetering } from './limits.js';
import type { EventBus } from '../bus/index.js';
import type { Db } from '../store/database.js';

describe('token buckets (in-process)', () => {
  it('refills at the rate, caps at the burst, and says when the next token is back', async () => {
    let now = 1_000_000;
    const limiter = createInProcessRateLimiter({ now: () => now });
    const limit = { ratePerSecond: 2, burst: 3 };
    const taken = [];
    for (let index = 0; index < 4; index += 1) taken.push(await limiter.take('t', limit));
    expect(taken.map((decision) => decision.allowed)).toEqual([true, true, true, false]);
    expect(taken[3]!.retryAfterMs).toBe(500);
    now += 499;
    expect((await limiter.take('t', limit)).allowed).toBe(false);
    now += 1;
    expect((await limiter.take('t', limit)).allowed).toBe(true);
    now += 60_000;
    const burst = [];
    for (let index = 0; index < 5; index += 1) burst.push((await limiter.take('t', limit)).allowed);
    expect(burst).toEqual([true, true, true, false, false]);
    // Another key has its own bucket.
    expect((await limiter.take('other', limit)).allowed).toBe(true);
  });
});

describe('rate limits on /v1 and widget sessions', () => {
  let kefu: TestKefu;
  let shop: string;
  beforeAll(async () => {
    kefu = await createTestKefu({ KEFU_NLU: 'lexical' });
    shop = await tenantIdOf(kefu.database.db, 'shop-zh');
  });
  afterAll(async () => kefu?.dispose());
  const get = (key: string) => kefu.app.inject({ url: '/v1/tenant', headers: { authorization: `Bearer ${key}` } });

  it('answers 429 problem+json with Retry-After past the tenant burst, and leaves the other tenant alone', async () => {
    await assignPlan(kefu.database.db, kefu.bus, shop, { limits: { requestsPerSecond: 0.1, burst: 3 } });
    const statuses = [];
    for (let index = 0; index < 5; index += 1) statuses.push(await get(kefu.keyOf('shop-zh')));
    expect(statuses.map((response) => response.statusCode)).toEqual([200, 200, 200, 429, 429]);
    const refused = statuses[3]!;
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ status: 429, code: 'CS_RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(10);
    // bank-zh is on its own (default) plan and bucket.
    expect((await get(kefu.keyOf('bank-zh'))).statusCode).toBe(200);
    // A plan change takes effect at once (tenant.updated drops the cached plan).
    await assignPlan(kefu.database.db, kefu.bus, shop, { limits: { requestsPerSecond: 1000, burst: 1000 } });
    expect((await get(kefu.keyOf('shop-zh'))).statusCode).toBe(200);
  });

  it('refuses a flooding key before authentication, yet never lets a revoked key in', async () => {
    await assignPlan(kefu.database.db, kefu.bus, shop, { limits: { requestsPerSecond: 0.2, burst: 2 } });
    const created = await createApiKey(kefu.database.db, shop, { name: 'flood', scopes: ['chat'] });
    const statuses = [];
    for (let index = 0; index < 4; index += 1) statuses.push((await get(created.key)).statusCode);
    expect(statuses).toEqual([200, 200, 429, 429]);
    await revokeApiKey(kefu.database.db, shop, created.id);
    // Refused early while the bucket is empty; once it has tokens, full authentication runs and says 401.
    expect((await get(created.key)).statusCode).toBe(429);
    // (Refusals on this path are held back up to 1 s: a flooder is paced by its own connections.)
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await get(created.key)).statusCode).toBe(401);
    await assignPlan(kefu.database.db, kefu.bus, shop, { limits: { requestsPerSecond: 1000, burst: 1000 } });
  });

  it('caps each key at keyRequestsPerSecond inside the tenant bucket', async () => {
    await assignPlan(kefu.database.db, kefu.bus, shop, {
      limits: { requestsPerSecond: 100, burst: 100, keyRequestsPerSecond: 0.1 },
    });
    const first = (await createApiKey(kefu.database.db, shop, { name: 'rate-1', scopes: ['chat'] })).key;
    const second = (await createApiKey(kefu.database.db, shop, { name: 'rate-2', scopes: ['chat'] })).key;
    expect((await get(first)).statusCode).toBe(200);
    const refused = await get(first);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().detail).toMatch(/API key/);
    expect((await get(second)).statusCode).toBe(200);
    await assignPlan(kefu.database.db, kefu.bus, shop, { limits: { requestsPerSecond: 1000, burst: 1000 } });
  });

  it('limits the public widget session route per tenant', async () => {
    await assignPlan(kefu.database.db, kefu.bus, shop, { limits: { requestsPerSecond: 0.05, burst: 2 } });
    const session = () =>
      kefu.app.inject({ method: 'POST', url: '/widget/v1/sessions', payload: { tenant: 'shop-zh' } });
    const statuses = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await session()).statusCode);
    expect(statuses).toEqual([201, 201, 429]);
    expect(
      (await kefu.app.inject({ method: 'POST', url: '/widget/v1/sessions', payload: { tenant: 'bank-zh' } }))
        .statusCode,
    ).toBe(201);
    await assignPlan(kefu.database.db, kefu.bus, shop, { limits: { requestsPerSecond: 1000, burst: 1000 } });
  });
});

describe('metering start when Redis cannot be reached', () => {
  it('fails with a clear error and leaves nothing subscribed to the bus', async () => {
    const handlers = new Set<unknown>();
    const bus: EventBus = {
      async publish() {},
      subscribe(handler) {
        handlers.add(handler);
        return () => handlers.delete(handler);
      },
      onGap: () => () => undefined,
      async close() {},
    };
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const config = loadConfig({ env: { REDIS_URL: 'redis://127.0.0.1:1' }, cwd: process.cwd() });
    // No query runs before Redis answers, so no database is needed to show it.
    const db = new Proxy({} as Db, {
      get: () => {
        throw new Error('the database was used before Redis was reached');
      },
    });
    await expect(createMetering({ config, db, bus })).rejects.toThrow(/REDIS_URL/);
    expect(handlers.size).toBe(0);
  });
});

describe.skipIf(skipWithoutRedis)('rate limits across nodes (real Redis)', () => {
  let redis: Redis;
  const prefix = uniqueRedisPrefix('ratelimit');
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deleteRedisPrefix(redis, prefix);
    await redis.quit();
  });

  it('takes tokens atomically: 100 concurrent requests against a burst of 20 get exactly 20', async () => {
    const limiter = createRedisRateLimiter(testRedis(), { prefix, ownsClient: true });
    try {
      const decisions = await Promise.all(
        Array.from({ length: 100 }, () => limiter.take('atomic', { ratePerSecond: 0.001, burst: 20 })),
      );
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(20);
      expect(
        Math.min(...decisions.filter((decision) => !decision.allowed).map((decision) => decision.retryAfterMs)),
      ).toBeGreaterThan(0);
    } finally {
      await limiter.close();
    }
  });

  it('caps the combined rate of two kefu nodes sharing one Redis and one database', async () => {
    const database = await createTestDatabase();
    const nodes: Kefu[] = [];
    try {
      const config = loadConfig({
        env: {
          KEFU_DEMO: 'true',
          KEFU_NLU: 'lexical',
          LOG_LEVEL: 'silent',
          REDIS_URL: requireRedisUrl(),
          KEFU_REDIS_PREFIX: prefix,
        },
        cwd: process.cwd(),
      });
      for (let index = 0; index < 2; index += 1) nodes.push(await createKefu(config, { database, logger: false }));
      const tenantId = await tenantIdOf(database.db, 'shop-zh');
      const rate = 4;
      const burst = 6;
      await assignPlan(database.db, null, tenantId, { limits: { requestsPerSecond: rate, burst } });
      for (const node of nodes) await node.bus.publish({ type: 'tenant.updated', tenantId });
      const key = nodes[0]!.demo.find((tenant) => tenant.slug === 'shop-zh')!.apiKey;
      const started = performance.now();
      const perNode = [0, 0];
      const statuses: number[] = [];
      for (let round = 0; round < 10; round += 1) {
        const batch = await Promise.all(
          Array.from({ length: 6 }, (_, index) =>
            nodes[index % 2]!.app.inject({ url: '/v1/tenant', headers: { authorization: `Bearer ${key}` } }).then(
              (response) => ({ node: index % 2, status: response.statusCode }),
            ),
          ),
        );
        for (const { node, status } of batch) {
          statuses.push(status);
          if (status === 200) perNode[node]! += 1;
        }
      }
      const elapsedSeconds = (performance.now() - started) / 1000;
      const allowed = statuses.filter((status) => status === 200).length;
      // One shared bucket: never more than the burst plus what refilled meanwhile. Two separate
      // in-process buckets would have let through at least 2 × burst at once.
      expect(allowed).toBeGreaterThanOrEqual(burst);
      expect(allowed).toBeLessThanOrEqual(burst + Math.ceil(rate * elapsedSeconds) + 1);
      expect(allowed).toBeLessThan(2 * burst + Math.floor(rate * elapsedSeconds));
      expect(statuses.filter((status) => status === 429).length).toBe(statuses.length - allowed);
      expect(perNode[0]).toBeGreaterThan(0);
      expect(perNode[1]).toBeGreaterThan(0);
      expect(await redis.exists(`${prefix}ratelimit:api:${tenantId}`)).toBe(1);
    } finally {
      for (const node of nodes) await node.close();
      await database.dispose();
    }
  }, 60_000);
});

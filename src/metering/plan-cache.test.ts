import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { PlanCache } from './plan-cache.js';

/** A node serving many tenants keeps a bounded number of plans, dropping the least recently used. */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.dispose();
});

describe('PlanCache', () => {
  it('holds at most `max` tenants and keeps the recently used ones', async () => {
    const cache = new PlanCache(database.db, 60_000, 3);
    const tenants = Array.from({ length: 6 }, () => randomUUID());
    const first = cache.get(tenants[0]!);
    for (const tenant of tenants.slice(1)) {
      await cache.get(tenant);
      // The first tenant stays warm: it is used between every other tenant's first request.
      expect(cache.get(tenants[0]!)).toBe(first);
    }
    expect(cache.size).toBe(3);
    expect((await first).slug).toBeTruthy();
  });

  it('reloads after invalidate and after its time to live', async () => {
    const cache = new PlanCache(database.db, 20, 10);
    const tenant = randomUUID();
    const plan = cache.get(tenant);
    expect(cache.get(tenant)).toBe(plan);
    cache.invalidate(tenant);
    const reloaded = cache.get(tenant);
    expect(reloaded).not.toBe(plan);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(cache.get(tenant)).not.toBe(reloaded);
  });
});

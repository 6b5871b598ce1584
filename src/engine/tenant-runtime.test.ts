import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/test-database.js';
import { importPack, loadPack } from '../packs/index.js';
import { loadTenantRuntime, runtimeFootprint, TenantRuntimeCache } from './tenant-runtime.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let tenantId: string;
const shop = loadPack(path.resolve('examples/packs/shop-zh')).pack!;

beforeAll(async () => {
  database = await createTestDatabase();
  tenantId = (await importPack(database.db, shop, { actor: 'test' })).tenantId;
});
afterAll(async () => database?.dispose());

const activeModels = () =>
  database.db
    .selectFrom('model_versions')
    .select(['version', 'active'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'intent')
    .orderBy('version')
    .execute();

describe('tenant runtime and intent models', () => {
  it('trains the classifier once, stores it as version 1, and reloads it without retraining', async () => {
    const runtime = await new TenantRuntimeCache(database.db).get(tenantId);
    expect(runtime.model).toMatchObject({ kind: 'classifier', version: 1 });
    const understanding = runtime.understander.understand('七天无理由退货怎么申请');
    expect(understanding.model).toBe('intent-classifier@v1');
    expect(understanding.intent).toMatch(/^faq-/);
    expect(await activeModels()).toEqual([{ version: 1, active: true }]);
    const again = await new TenantRuntimeCache(database.db).get(tenantId);
    expect(again.model.version).toBe(1);
    expect(await activeModels()).toHaveLength(1);
  }, 120_000);

  it('retrains after a change while the old model keeps serving, then switches atomically', async () => {
    const cache = new TenantRuntimeCache(database.db);
    const before = await cache.get(tenantId);
    const changed = {
      ...shop,
      intents: shop.intents.map((intent) =>
        intent.name === 'greeting' ? { ...intent, examples: [...intent.examples, '哈喽哈喽在吗'] } : intent,
      ),
    };
    await importPack(database.db, changed, { actor: 'test' });
    const refreshing = cache.refresh(tenantId);
    // Turns during training still get the old, complete runtime.
    expect(await cache.get(tenantId)).toBe(before);
    const after = await refreshing;
    expect(after.model.version).toBe(2);
    expect(await cache.get(tenantId)).toBe(after);
    expect((await activeModels()).filter((model) => model.active)).toEqual([{ version: 2, active: true }]);
  }, 120_000);

  it('falls back to the lexical lookup, and says why, for a tenant with a single intent', async () => {
    const single = {
      ...shop,
      tenant: { ...shop.tenant, slug: 'single-intent' },
      faq: shop.faq.slice(0, 1),
      intents: [],
      playbooks: [],
    };
    const { tenantId: singleId } = await importPack(database.db, single, { actor: 'test' });
    const runtime = await new TenantRuntimeCache(database.db).get(singleId);
    expect(runtime.model).toMatchObject({ kind: 'lexical', version: null });
    expect(runtime.model.note).toMatch(/fewer than two intents/);
    expect(runtime.understander.understand(single.faq[0]!.question.toLowerCase()).intent).toBe(single.faq[0]!.id);
  });
});

describe('tenant hand-over settings (tenant.yaml handover:)', () => {
  it('validates the section, compiles it into the runtime and the turn applies it', async () => {
    const { tenantFileSchema } = await import('../packs/pack-schema.js');
    expect(tenantFileSchema.safeParse({ slug: 'x', name: 'x', handover: { disable: ['not-a-group'] } }).success).toBe(
      false,
    );
    expect(tenantFileSchema.safeParse({ slug: 'x', name: 'x', handover: { patterns: ['(unclosed'] } }).success).toBe(
      false,
    );
    const tenant = tenantFileSchema.parse({
      ...shop.tenant,
      slug: 'handover-settings',
      handover: { keywords: ['團購退款'], disable: ['complaint'] },
    });
    const { tenantId: id } = await importPack(database.db, { ...shop, tenant }, { actor: 'test' });
    const runtime = await new TenantRuntimeCache(database.db).get(id);
    expect(runtime.handover).toEqual({
      patterns: [/团购退款/],
      disabled: ['complaint'],
      additions: [],
      crisisLines: {},
    });
    const { runTurn } = await import('./run-turn.js');
    const services = {
      connector: { read: async () => [] } as never,
      contact: {},
      now: new Date('2026-11-25T10:00:00Z'),
    };
    const keyword = await runTurn(runtime, { text: '我的團購退款呢', state: {} }, services);
    expect(keyword.route).toBe('human');
    expect(keyword.trace.handover?.rule).toBe('tenant:团购退款');
    const media = await runTurn(runtime, { text: '我要找媒体曝光你们', state: {} }, services);
    expect(media.trace.handover).toBeNull();
    const fraud = await runTurn(runtime, { text: '我的账号被盗了', state: {} }, services);
    expect(fraud.trace.handover?.rule).toBe('fraud.account');
  }, 120_000);
});

describe('tenant runtime cache: least recently used out, under a memory budget', () => {
  /** Small FAQ-only tenants with the same FAQ text, so their estimated sizes are equal. */
  const small = async (slug: string, entries = 4) =>
    (
      await importPack(
        database.db,
        {
          ...shop,
          tenant: { ...shop.tenant, slug, name: `小店 ${slug}` },
          faq: shop.faq.slice(0, entries),
          intents: [],
          playbooks: [],
          documents: [],
          dictionary: [],
        },
        { actor: 'test' },
      )
    ).tenantId;
  let a: string, b: string, c: string, d: string;
  let size: number;
  beforeAll(async () => {
    [a, b, c, d] = [await small('lru-a'), await small('lru-b'), await small('lru-c'), await small('lru-d')];
    size = (await loadTenantRuntime(database.db, a)).estimatedBytes!;
    expect((await loadTenantRuntime(database.db, d)).estimatedBytes).toBe(size);
  }, 120_000);

  it('drops the least recently used runtime past the budget; a dropped runtime still serves whoever holds it', async () => {
    const cache = new TenantRuntimeCache(database.db, 'classifier', { budgetBytes: 3 * size });
    await cache.get(a);
    const firstB = await cache.get(b);
    await cache.get(c);
    expect(cache.stats()).toMatchObject({ tenants: 3, bytes: 3 * size, evictions: 0, loads: 3 });
    await cache.get(a); // a is now the most recently used: b is the oldest
    await cache.get(d);
    expect([...cache.loadedTimes().keys()]).toEqual([c, a, d]);
    expect(cache.stats()).toMatchObject({ tenants: 3, bytes: 3 * size, evictions: 1, loads: 4 });
    // A turn that had b's runtime before it was dropped finishes with it.
    expect(firstB.understander.understand(shop.faq[0]!.question).intent).toBe(shop.faq[0]!.id);
    // b's next message loads it again (a new runtime), and c, now the oldest, goes.
    const secondB = await cache.get(b);
    expect(secondB).not.toBe(firstB);
    expect([...cache.loadedTimes().keys()]).toEqual([a, d, b]);
    expect(cache.stats()).toMatchObject({ tenants: 3, evictions: 2, loads: 5 });
  }, 120_000);

  it('keeps the newest runtime even when it alone is over the budget', async () => {
    const cache = new TenantRuntimeCache(database.db, 'classifier', { budgetBytes: 1 });
    await cache.get(a);
    await cache.get(b);
    expect([...cache.loadedTimes().keys()]).toEqual([b]);
    expect(cache.stats()).toMatchObject({ tenants: 1, bytes: size, budgetBytes: 1, evictions: 1 });
  }, 120_000);

  it('has no limit with a budget of 0 (or none)', async () => {
    const cache = new TenantRuntimeCache(database.db, 'classifier', { budgetBytes: 0 });
    for (const tenantId of [a, b, c, d]) await cache.get(tenantId);
    expect(cache.stats()).toMatchObject({ tenants: 4, bytes: 4 * size, budgetBytes: Infinity, evictions: 0 });
  }, 120_000);

  it('gives concurrent callers during a build the same build: one load', async () => {
    const cache = new TenantRuntimeCache(database.db, 'classifier', { budgetBytes: 3 * size });
    const first = cache.get(a);
    const second = cache.get(a);
    expect(second).toBe(first);
    expect(cache.stats()).toMatchObject({ building: 1, tenants: 0, loads: 0 });
    const runtimes = await Promise.all([first, second, cache.get(a)]);
    expect(new Set(runtimes).size).toBe(1);
    expect(cache.stats()).toMatchObject({ building: 0, tenants: 1, loads: 1 });
  }, 120_000);

  it('refreshes a dropped tenant: callers meanwhile join the refresh, which then takes its place as the newest', async () => {
    const cache = new TenantRuntimeCache(database.db, 'classifier', { budgetBytes: 2 * size });
    await cache.get(a);
    await cache.get(b);
    await cache.get(c); // a goes
    expect([...cache.loadedTimes().keys()]).toEqual([b, c]);
    const refreshing = cache.refresh(a);
    expect(cache.get(a)).toBe(refreshing);
    const refreshed = await refreshing;
    expect(await cache.get(a)).toBe(refreshed);
    expect([...cache.loadedTimes().keys()]).toEqual([c, a]);
    expect(cache.stats()).toMatchObject({ loads: 4, evictions: 2, building: 0 });
  }, 120_000);

  it('a refresh that finishes after its tenant was dropped still becomes the current runtime', async () => {
    const cache = new TenantRuntimeCache(database.db, 'classifier', { budgetBytes: 2 * size });
    const old = await cache.get(a);
    await cache.get(b);
    const refreshing = cache.refresh(a);
    // Until the refresh is ready a keeps its old runtime; c's load and a's refresh race.
    expect(await cache.get(a)).toBe(old);
    await cache.get(c);
    const refreshed = await refreshing;
    expect(refreshed).not.toBe(old);
    expect(await cache.get(a)).toBe(refreshed);
    expect(new Set(cache.loadedTimes().keys())).toEqual(new Set([a, c]));
    expect(cache.stats().bytes).toBeLessThanOrEqual(2 * size);
  }, 120_000);

  it('forgets a failed build, so the next call tries again', async () => {
    const cache = new TenantRuntimeCache(database.db, 'classifier', { budgetBytes: 2 * size });
    const missing = '00000000-0000-4000-8000-000000000000';
    await expect(cache.get(missing)).rejects.toThrow();
    expect(cache.stats()).toMatchObject({ building: 0, tenants: 0, loads: 0 });
    const again = cache.get(missing);
    expect(cache.stats().building).toBe(1);
    await expect(again).rejects.toThrow();
  }, 120_000);

  it('estimates a runtime from the text it was built from, and counts a tenant dictionary’s own tokenizer', async () => {
    const larger = (await loadTenantRuntime(database.db, await small('lru-larger', 20))).estimatedBytes!;
    expect(larger).toBeGreaterThan(size);
    const withDictionary = (await loadTenantRuntime(database.db, tenantId)).estimatedBytes!;
    expect(shop.dictionary.length).toBeGreaterThan(0);
    expect(withDictionary).toBeGreaterThan(32 * 1024 * 1024);
    const input = { phrasings: [{ text: '怎么退货' }], answers: ['七天无理由'], passages: [] };
    expect(
      runtimeFootprint({ ...input, ownTokenizer: true }) - runtimeFootprint({ ...input, ownTokenizer: false }),
    ).toBe(32 * 1024 * 1024);
  }, 120_000);
});

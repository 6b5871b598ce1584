import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/test-database.js';
import { importPack, loadPack } from '../packs/index.js';
import { TenantRuntimeCache } from './tenant-runtime.js';

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

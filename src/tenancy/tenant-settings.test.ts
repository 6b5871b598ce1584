import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/test-database.js';
import { loadTenantRuntime } from '../engine/tenant-runtime.js';
import { isKefuError } from '../errors/index.js';
import { importPack, loadPack } from '../packs/index.js';
import {
  checkTenantSettings,
  parseTenantSettings,
  readTenantSettings,
  TENANT_SETTINGS_VERSION,
  toStoredTenantSettings,
} from './tenant-settings.js';

/** The message and details of what `run` throws, or a failure when it does not throw. */
function thrown(run: () => unknown): { message: string; code: string; details: Record<string, unknown> | undefined } {
  try {
    run();
  } catch (error) {
    if (!isKefuError(error)) throw error;
    return { message: error.message, code: error.code, details: error.details };
  }
  throw new Error('expected an error');
}

describe('parseTenantSettings', () => {
  it('reads settings stored before the version field existed, keeping Chinese values and filling defaults', () => {
    const settings = parseTenantSettings(
      {
        timezone: 'Asia/Taipei',
        messages: { greeting: '您好，歡迎光臨小滿優品！', handoff: '正在为您转接人工客服' },
        dictionary: ['小满优品', '顺丰'],
        handoff: { queues: [{ name: '售后', skills: ['退换货'] }, { name: '通用' }] },
        connectorTables: { orders: ['订单号', '金额'] },
      },
      'shop-zh',
    );
    expect(settings.version).toBe(TENANT_SETTINGS_VERSION);
    expect(settings.timezone).toBe('Asia/Taipei');
    expect(settings.messages.greeting).toBe('您好，歡迎光臨小滿優品！');
    expect(settings.dictionary).toEqual(['小满优品', '顺丰']);
    expect(settings.handoff!.queues.map((queue) => [queue.name, queue.assignment])).toEqual([
      ['售后', 'least_busy'],
      ['通用', 'least_busy'],
    ]);
    expect(settings.connectorTables).toEqual({ orders: ['订单号', '金额'] });
    expect(settings.gate).toBeUndefined();
    expect(settings.style).toBeNull();
    expect(settings.connectors).toEqual([]);
  });

  it('gives an empty row (a tenant created without a pack) every default', () => {
    for (const raw of [{}, null, '{}']) {
      const settings = parseTenantSettings(raw, 'empty');
      expect(settings).toMatchObject({
        version: 1,
        timezone: 'Asia/Shanghai',
        messages: {},
        dictionary: [],
        connectors: [],
      });
    }
  });

  it('names the tenant and every wrong field instead of falling back to defaults', () => {
    const error = thrown(() =>
      parseTenantSettings(
        {
          version: 1,
          gate: '0.9',
          timezone: 'Asia/北京',
          messages: { greeting: 42 },
          handoff: { default_queue: '投訴', queues: [{ name: '售后' }, { name: '投诉', assignment: '最快' }] },
          prices: { llm_input_per_1k: -1, llm_output_per_1k: 0.01 },
        },
        'bank-zh',
      ),
    );
    expect(error.code).toBe('CS_CONFIG_INVALID');
    expect(error.message).toMatch(/^tenant bank-zh has invalid settings: /);
    const paths = (error.details!.problems as Array<{ path: string }>).map((problem) => problem.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'gate',
        'timezone',
        'messages.greeting',
        'handoff.queues.1.assignment',
        'prices.llm_input_per_1k',
      ]),
    );
    expect(error.details!.tenant).toBe('bank-zh');
  });

  it('points a duplicate or unknown queue at its own field, with Chinese queue names in the message', () => {
    const checked = checkTenantSettings({
      handoff: { default_queue: '投訴', queues: [{ name: '售后' }, { name: '投诉' }, { name: '售后' }] },
    });
    expect(checked.settings).toBeNull();
    expect(checked.problems).toEqual(
      expect.arrayContaining([
        { path: 'handoff.queues.2.name', message: 'queue 售后 is defined twice' },
        { path: 'handoff.default_queue', message: 'default_queue 投訴 is not one of the queues' },
      ]),
    );
  });

  it('refuses settings written by a newer kefu, and rows that are not an object', () => {
    expect(thrown(() => parseTenantSettings({ version: TENANT_SETTINGS_VERSION + 1 }, 'future')).message).toMatch(
      /tenant future has invalid settings: version: written by a newer kefu/,
    );
    expect(thrown(() => parseTenantSettings(['通用'], 'list')).message).toContain('settings must be an object');
    expect(thrown(() => parseTenantSettings('{not json', 'text')).message).toContain('not valid JSON');
  });

  it('checks before writing and stamps the version', () => {
    expect(toStoredTenantSettings({ timezone: 'Asia/Hong_Kong', messages: { fallback: '抱歉' } }, 'hk')).toEqual({
      timezone: 'Asia/Hong_Kong',
      messages: { fallback: '抱歉' },
      version: 1,
    });
    const error = thrown(() => toStoredTenantSettings({ gate: 2 }, 'hk'));
    expect(error.message).toMatch(/tenant hk has invalid settings: gate: /);
  });
});

describe('stored settings that do not parse', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let tenantId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const { pack } = loadPack(path.resolve('examples/packs/shop-zh'));
    tenantId = (await importPack(database.db, pack!, { actor: 'test' })).tenantId;
  }, 120_000);
  afterAll(async () => {
    await database?.dispose();
  });

  it('stores the current version on import and reads it back typed', async () => {
    const row = await database.db
      .selectFrom('tenants')
      .select('settings')
      .where('id', '=', tenantId)
      .executeTakeFirstOrThrow();
    expect(row.settings.version).toBe(TENANT_SETTINGS_VERSION);
    const settings = await readTenantSettings(database.db, tenantId);
    expect(settings.handoff!.queues.length).toBeGreaterThan(0);
    expect(settings.gate).toBe(0.7);
  });

  it('stop the tenant runtime with the tenant and the field named, rather than running on defaults', async () => {
    // A hand edit (or an older kefu) left a queue with an assignment mode that does not exist.
    await sql`update tenants set settings = jsonb_set(settings, '{handoff,queues,0,assignment}', '"轮流"'::jsonb)
      where id = ${tenantId}`.execute(database.db);
    await expect(readTenantSettings(database.db, tenantId)).rejects.toThrow(
      /tenant shop-zh has invalid settings: handoff\.queues\.0\.assignment: /,
    );
    await expect(loadTenantRuntime(database.db, tenantId, 'lexical')).rejects.toThrow(
      /tenant shop-zh has invalid settings: handoff\.queues\.0\.assignment: /,
    );
  }, 60_000);
});

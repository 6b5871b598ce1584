import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/test-database.js';
import { syncUploadedFile } from '../knowledge/index.js';
import { importPack, type TenantPack } from '../packs/index.js';
import { runTurn } from './run-turn.js';
import { TenantRuntimeCache } from './tenant-runtime.js';

// The sheet the eval-faq tests use: 5 entries, Simplified + English phrasings, one 敏感.
const sheet = readFileSync(path.resolve('src/cli/commands/__fixtures__/eval-faq/faq.csv'));
const services = {
  connector: { name: 'none', query: async () => [] },
  contact: {},
  now: new Date('2026-11-25T10:00:00+08:00'),
};

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let tenantId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  // A tenant with nothing in it, as `kefu tenant create` or the console makes one.
  const empty = {
    tenant: {
      slug: 'uploaded',
      name: '上传的小店',
      locale: 'zh-CN',
      domain: 'travel',
      timezone: 'Asia/Shanghai',
      messages: {},
      channels: [],
    },
    intents: [],
    faq: [],
    documents: [],
    playbooks: [],
    tables: [],
    dictionary: [],
    style: null,
  } as unknown as TenantPack;
  tenantId = (await importPack(database.db, empty, { actor: 'test' })).tenantId;
  await syncUploadedFile(database.db, tenantId, 'faq.csv', sheet);
}, 120_000);
afterAll(async () => database?.dispose());

describe('an FAQ sheet uploaded as knowledge (PUT /v1/knowledge/files)', () => {
  it('is answered by the few-shot matcher like a pack faq.csv: answers, declines, drafts 敏感 entries and hands over', async () => {
    const runtime = await new TenantRuntimeCache(database.db).get(tenantId);
    expect(runtime.model.kind).toBe('fewshot');
    expect([...runtime.faq.keys()]).toEqual(['refund', 'delivery', 'invoice', 'password', 'charge']);
    expect(runtime.faq.get('charge')?.sensitive).toBe(true);

    const answered = await runTurn(runtime, { text: '多久能發貨？', state: {} }, services);
    expect(answered).toMatchObject({ route: 'auto', tier: 'light', intent: 'delivery' });
    expect(answered.trace.citations).toEqual([{ source: 'faq', id: 'delivery', version: 1 }]);

    const english = await runTurn(runtime, { text: 'I forgot my password', state: {} }, services);
    expect(english.intent).toBe('password');

    const declined = await runTurn(runtime, { text: 'what is the weather in Paris', state: {} }, services);
    expect(declined.tier).toBe('fallback');

    const sensitive = await runTurn(runtime, { text: '扣了两次钱', state: {} }, services);
    expect(sensitive.route).toBe('assist');

    const handover = await runTurn(runtime, { text: '轉人工', state: {} }, services);
    expect(handover.route).toBe('human');
  }, 120_000);
});

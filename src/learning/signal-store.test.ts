// ci: embedded only (it skips itself on PostgreSQL; .ci/run runs it embedded on both Node versions)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFaqSheet } from '../cli/commands/eval-faq.js';
import { loadConfig } from '../config/index.js';
import { importPack, type TenantPack } from '../packs/index.js';
import { createKefu, type Kefu } from '../server/kefu.js';
import { migrateToLatest, openDatabase, type Database } from '../store/database.js';
import { listSignals, recordSignal } from './signal-store.js';

const faq = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/travel-zh/faq.csv');

const pack = (slug: string): TenantPack =>
  ({
    tenant: {
      slug,
      name: slug,
      locale: 'zh-CN',
      domain: 'travel',
      timezone: 'Asia/Shanghai',
      messages: {},
      channels: [],
    },
    intents: [],
    faq: readFaqSheet(faq).slice(0, 6),
    documents: [],
    playbooks: [],
    tables: [],
    dictionary: [],
    style: null,
  }) as unknown as TenantPack;

// In-memory PGlite of its own whatever DATABASE_URL says (the store code is plain Kysely, the same on PostgreSQL).
describe.skipIf(Boolean(process.env.DATABASE_URL))('learning signals', () => {
  let database: Database;
  let kefu: Kefu;
  let tenantA: string;
  let tenantB: string;
  let conversationA: string;
  let traceA: string;
  let conversationB: string;

  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: null });
    await migrateToLatest(database.db);
    tenantA = (await importPack(database.db, pack('signals-a'), { actor: 'test' })).tenantId;
    tenantB = (await importPack(database.db, pack('signals-b'), { actor: 'test' })).tenantId;
    kefu = await createKefu(loadConfig({ env: { KEFU_DEMO: 'false', LOG_LEVEL: 'silent' } }), {
      database,
      logger: false,
    });
    const a = await kefu.conversations.createConversation(tenantA, { channel: { kind: 'api' } });
    const turn = await kefu.conversations.postCustomerMessage(tenantA, a.id, { text: '機票退了要扣多少錢' });
    conversationA = a.id;
    traceA = turn.turn!.traceId;
    conversationB = (await kefu.conversations.createConversation(tenantB, { channel: { kind: 'api' } })).id;
  }, 120_000);

  afterAll(async () => {
    await kefu?.close();
    await database?.close().catch(() => undefined);
  });

  it('stores a click and thumbs joined to the turn trace, the latest thumbs winning', async () => {
    const click = await recordSignal(database.db, tenantA, {
      conversationId: conversationA,
      traceId: traceA,
      kind: 'suggestion_click',
      value: 'faq-01',
      actor: 'contact',
    });
    expect(click.turn?.text).toBe('機票退了要扣多少錢');
    expect(click.turn?.route).toBeTruthy();
    await recordSignal(database.db, tenantA, {
      conversationId: conversationA,
      traceId: traceA,
      kind: 'thumbs',
      value: 'up',
      actor: 'contact',
    });
    await recordSignal(database.db, tenantA, {
      conversationId: conversationA,
      traceId: traceA,
      kind: 'thumbs',
      value: 'down',
      actor: 'contact',
    });
    const thumbs = await listSignals(database.db, tenantA, { kind: 'thumbs' });
    expect(thumbs.map((signal) => signal.value)).toEqual(['down']);
    await recordSignal(database.db, tenantA, {
      conversationId: conversationA,
      kind: 'resolution',
      value: 'new',
      actor: 'agent',
      actorId: 'agent-1',
      details: { draftApproved: false },
    });
    await recordSignal(database.db, tenantA, {
      conversationId: conversationA,
      kind: 'outcome',
      value: 'resolved_by_agent',
      actor: 'system',
    });
    const all = await listSignals(database.db, tenantA, { conversationId: conversationA });
    expect(all.map((signal) => signal.kind).sort()).toEqual(['outcome', 'resolution', 'suggestion_click', 'thumbs']);
    expect(all.find((signal) => signal.kind === 'resolution')?.details).toEqual({ draftApproved: false });
  });

  it('is tenant-scoped: another tenant neither sees nor writes to these turns', async () => {
    expect(await listSignals(database.db, tenantB)).toEqual([]);
    await expect(
      recordSignal(database.db, tenantB, {
        conversationId: conversationA,
        traceId: traceA,
        kind: 'thumbs',
        value: 'down',
        actor: 'contact',
      }),
    ).rejects.toThrow(/conversation not found/);
    await expect(
      recordSignal(database.db, tenantB, {
        conversationId: conversationB,
        traceId: traceA,
        kind: 'thumbs',
        value: 'down',
        actor: 'contact',
      }),
    ).rejects.toThrow(/turn not found/);
  });

  it('refuses bad values, unknown FAQ ids and clicks without a turn', async () => {
    const base = { conversationId: conversationA, traceId: traceA, actor: 'contact' as const };
    await expect(recordSignal(database.db, tenantA, { ...base, kind: 'thumbs', value: 'sideways' })).rejects.toThrow(
      /not a valid value/,
    );
    await expect(
      recordSignal(database.db, tenantA, { ...base, kind: 'suggestion_click', value: 'faq-99' }),
    ).rejects.toThrow(/FAQ entry "faq-99" not found/);
    await expect(
      recordSignal(database.db, tenantA, { ...base, traceId: null, kind: 'suggestion_click', value: 'faq-01' }),
    ).rejects.toThrow(/needs the turn/);
    await expect(
      recordSignal(database.db, tenantA, {
        conversationId: conversationA,
        kind: 'outcome',
        value: 'won',
        actor: 'system',
      }),
    ).rejects.toThrow(/not a valid value/);
  });
});

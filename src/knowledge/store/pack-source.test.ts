import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/test-database.js';
import { repositoryRoot } from '../../../test/support/datasets.js';
import { packSource, syncPackKnowledge } from './pack-source.js';
import { readerForSource } from './source-readers.js';
import { activeKnowledge, syncSource } from './sync-source.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let tenantId: string;
let pack: string;

beforeAll(async () => {
  database = await createTestDatabase();
  tenantId = randomUUID();
  await sql`insert into tenants (id, slug, name) values (${tenantId}, ${`pack-${tenantId.slice(0, 8)}`}, '小满优品')`.execute(
    database.db,
  );
  pack = await mkdtemp(join(tmpdir(), 'kefu-pack-'));
  await cp(join(repositoryRoot, 'examples/packs/shop-zh'), pack, { recursive: true });
});

afterAll(async () => {
  await database?.dispose();
  if (pack) await rm(pack, { recursive: true, force: true });
});

describe('the tenant pack as a knowledge source', () => {
  it('lists only the pack FAQ sheet and docs/, never its intents, playbooks or business data', async () => {
    const paths = (await packSource(pack).list()).map((item) => item.path);
    expect(paths).toEqual(['docs/退换货政策.md', 'docs/配送说明.md', 'faq.csv']);
    await expect(packSource(pack).read('data/orders.csv')).rejects.toThrow(/not knowledge of the pack/);
  });

  it('syncs the pack FAQ and documents into the versioned store; re-importing an unchanged pack stores nothing', async () => {
    const first = await syncPackKnowledge(database.db, tenantId, pack);
    expect(first.status).toBe('succeeded');
    expect(first.added).toEqual(['docs/退换货政策.md', 'docs/配送说明.md', 'faq.csv']);
    expect(first.faq.added).toContain('faq-01');
    const chunks = await activeKnowledge(database.db, tenantId);
    expect(chunks.some((chunk) => chunk.faq_external_id === 'faq-02' && chunk.text.includes('修改地址'))).toBe(true);
    expect(chunks.some((chunk) => chunk.path === 'docs/退换货政策.md' && chunk.text.includes('7 天内'))).toBe(true);

    const again = await syncPackKnowledge(database.db, tenantId, pack);
    expect(again.sourceId).toBe(first.sourceId);
    expect(again).toMatchObject({ added: [], changed: [], removed: [], unchanged: 3, chunksIndexed: 0 });
  });

  it('re-syncs only the FAQ entry edited in Traditional characters and keeps the old version for audit', async () => {
    const csv = await readFile(join(pack, 'faq.csv'), 'utf8');
    await writeFile(join(pack, 'faq.csv'), csv.replace('每个订单可修改 1 次', '每個訂單可修改 2 次'));
    const report = await syncPackKnowledge(database.db, tenantId, pack);
    expect(report.changed).toEqual(['faq.csv']);
    expect(report.faq.changed).toEqual(['faq-02']);
    const versions = await sql<{
      n: string;
    }>`select count(*) as n from knowledge_document_versions where tenant_id = ${tenantId}`.execute(database.db);
    expect(Number(versions.rows[0]!.n)).toBe(4);

    // The source row remembers the folder, so the scheduled re-sync finds the same reader.
    const source = await database.db
      .selectFrom('knowledge_sources')
      .select(['kind', 'config'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', report.sourceId)
      .executeTakeFirstOrThrow();
    const rerun = await syncSource(
      database.db,
      tenantId,
      report.sourceId,
      readerForSource({ kind: source.kind, config: source.config as Record<string, unknown> }),
    );
    expect(rerun).toMatchObject({ changed: [], unchanged: 3 });
  });
});

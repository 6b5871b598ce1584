import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as knowledgeMigration from '../../store/migrations/20261125-0100-knowledge.js';
import { createTestDatabase } from '../../../test/support/test-database.js';
import type { Embedder } from '../embedder.js';
import { folderSource, type SourceReader } from './folder-source.js';
import { syncDueSources } from './source-readers.js';
import { activeKnowledge, nextSyncAt, syncSource } from './sync-source.js';

const fixture = (name: string): string => new URL(`../__fixtures__/${name}`, import.meta.url).pathname;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let tenantId: string;

async function newSource(name: string, schedule: string | null = null): Promise<string> {
  const id = randomUUID();
  await sql`insert into knowledge_sources (id, tenant_id, kind, name, schedule) values (${id}, ${tenantId}, 'folder', ${name}, ${schedule})`.execute(
    database.db,
  );
  return id;
}

async function count(table: string, where = sql`true`): Promise<number> {
  const result = await sql<{
    n: string;
  }>`select count(*) as n from ${sql.table(table)} where tenant_id = ${tenantId} and ${where}`.execute(database.db);
  return Number(result.rows[0]!.n);
}

beforeAll(async () => {
  database = await createTestDatabase();
  const exists = await sql<{ name: string | null }>`select to_regclass('knowledge_sources')::text as name`.execute(
    database.db,
  );
  // Until the migration is registered in src/store/migrations/index.ts, apply it here.
  if (exists.rows[0]!.name === null) await knowledgeMigration.up(database.db);
  tenantId = randomUUID();
  await sql`insert into tenants (id, slug, name) values (${tenantId}, ${`kb-${tenantId.slice(0, 8)}`}, 'KB test')`.execute(
    database.db,
  );
});

afterAll(async () => {
  await database?.dispose();
});

describe('syncSource with a watched folder', () => {
  it('indexes a folder, re-indexes only what changed, keeps old versions and reports changes', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'kefu-kb-'));
    await mkdir(join(folder, 'policies'));
    await copyFile(fixture('policy.md'), join(folder, 'policies/policy.md'));
    await copyFile(fixture('handbook.docx'), join(folder, 'handbook.docx'));
    await copyFile(fixture('faq-gbk.csv'), join(folder, 'faq.csv'));
    await writeFile(join(folder, '~$handbook.docx'), 'office lock file');
    const sourceId = await newSource('folder-basic', '0 3 * * *');
    const embedded: string[] = [];
    const embedder: Embedder = {
      dimension: 2,
      async embed(texts) {
        embedded.push(...texts);
        return texts.map((text) => Float32Array.of(text.length, 1));
      },
    };

    const first = await syncSource(database.db, tenantId, sourceId, folderSource(folder), { embedder });
    expect(first).toMatchObject({
      status: 'succeeded',
      added: ['faq.csv', 'handbook.docx', 'policies/policy.md'],
      changed: [],
      removed: [],
      unchanged: 0,
      failed: [],
    });
    expect(first.faq.added).toEqual(['g-01', 'g-02']);
    expect(first.chunksIndexed).toBe(embedded.length);
    const chunks = await activeKnowledge(database.db, tenantId);
    expect(chunks.find((chunk) => chunk.faq_external_id === 'g-01')).toMatchObject({
      path: 'faq.csv',
      text: '在订单详情页点击“修改地址”。',
    });
    expect(
      chunks.find(
        (chunk) => chunk.path === 'policies/policy.md' && (chunk.heading_trail as string[]).includes('退货期限'),
      )!.text,
    ).toContain('7 天内');
    const source = await sql<{
      next_sync_at: Date | null;
    }>`select next_sync_at from knowledge_sources where id = ${sourceId}`.execute(database.db);
    expect(source.rows[0]!.next_sync_at).toBeInstanceOf(Date);

    // Unchanged: nothing is read, nothing re-indexed.
    embedded.length = 0;
    const again = await syncSource(database.db, tenantId, sourceId, folderSource(folder), { embedder });
    expect(again).toMatchObject({
      status: 'succeeded',
      added: [],
      changed: [],
      removed: [],
      unchanged: 3,
      chunksIndexed: 0,
    });
    expect(embedded).toEqual([]);

    // One edited section: a new version, the old one kept; only the edited chunk is embedded again.
    const policy = (await import('node:fs')).readFileSync(fixture('policy.md'), 'utf8');
    await writeFile(
      join(folder, 'policies/policy.md'),
      policy.replace('本政策适用于云途商城的全部自营商品。', '本政策适用于云途商城的全部商品（含第三方）。'),
    );
    const edited = await syncSource(database.db, tenantId, sourceId, folderSource(folder), { embedder });
    expect(edited).toMatchObject({ changed: ['policies/policy.md'], unchanged: 2, chunksIndexed: 1 });
    expect(edited.chunksReused).toBeGreaterThan(0);
    expect(embedded).toHaveLength(1);
    expect(await count('knowledge_document_versions')).toBe(4);

    // The same bytes with a new modification time: read, hashed, found unchanged.
    await writeFile(join(folder, 'faq.csv'), (await import('node:fs')).readFileSync(fixture('faq-gbk.csv')));
    expect(await syncSource(database.db, tenantId, sourceId, folderSource(folder))).toMatchObject({
      unchanged: 3,
      changed: [],
    });

    // Removed files are retired (their versions stay for audit).
    await rm(join(folder, 'faq.csv'));
    const removed = await syncSource(database.db, tenantId, sourceId, folderSource(folder));
    expect(removed).toMatchObject({ removed: ['faq.csv'], faq: { removed: ['g-01', 'g-02'] } });
    expect((await activeKnowledge(database.db, tenantId)).some((chunk) => chunk.path === 'faq.csv')).toBe(false);

    const runs = await sql<{
      status: string;
      report: { runId: string };
    }>`select status, report from knowledge_sync_runs where source_id = ${sourceId} order by started_at`.execute(
      database.db,
    );
    expect(runs.rows.map((run) => run.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(runs.rows[0]!.report.runId).toBe(first.runId);
  });

  it('keeps the previous good version active when a file turns corrupt, and records the failure', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'kefu-kb-'));
    await copyFile(fixture('policy.pdf'), join(folder, 'policy.pdf'));
    await writeFile(join(folder, 'hours.txt'), '营业时间：每天 9:00–21:00。');
    const sourceId = await newSource('folder-broken');
    await syncSource(database.db, tenantId, sourceId, folderSource(folder));

    await copyFile(fixture('corrupt.pdf'), join(folder, 'policy.pdf'));
    await copyFile(fixture('empty.docx'), join(folder, 'new.docx'));
    const report = await syncSource(database.db, tenantId, sourceId, folderSource(folder));
    expect(report.status).toBe('partial');
    expect(report.failed.map((failure) => [failure.path, failure.code])).toEqual([
      ['new.docx', 'no_text'],
      ['policy.pdf', 'unreadable_pdf'],
    ]);
    expect(report.unchanged).toBe(1);
    const active = await activeKnowledge(database.db, tenantId);
    expect(
      active
        .filter((chunk) => chunk.path === 'policy.pdf')
        .map((chunk) => chunk.text)
        .join('\n'),
    ).toContain('7 天内');
    const status = await sql<{
      path: string;
      status: string;
      failure_code: string;
      active: boolean;
    }>`select path, status, failure_code, active_version_id is not null as active from knowledge_documents where source_id = ${sourceId} order by path`.execute(
      database.db,
    );
    expect(status.rows).toEqual([
      { path: 'hours.txt', status: 'ready', failure_code: null, active: true },
      { path: 'new.docx', status: 'failed', failure_code: 'no_text', active: false },
      { path: 'policy.pdf', status: 'failed', failure_code: 'unreadable_pdf', active: true },
    ]);
  });

  it('reports a file that vanishes mid-sync and a source that cannot be listed', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'kefu-kb-'));
    await writeFile(join(folder, 'a.md'), '# A\n\n内容。');
    await writeFile(join(folder, 'b.md'), '# B\n\n内容。');
    const sourceId = await newSource('folder-vanishing');
    const inner = folderSource(folder);
    const vanishing: SourceReader = {
      list: () => inner.list(),
      async read(path) {
        if (path === 'b.md') await rm(join(folder, 'b.md'));
        return inner.read(path);
      },
    };
    const report = await syncSource(database.db, tenantId, sourceId, vanishing);
    expect(report).toMatchObject({ status: 'partial', added: ['a.md'], failed: [{ path: 'b.md', code: 'vanished' }] });

    const missing = await syncSource(database.db, tenantId, sourceId, folderSource(join(folder, 'gone')));
    expect(missing.status).toBe('failed');
    expect(missing.error).toMatch(/could not be listed/);
    expect(missing.removed).toEqual([]);
    expect((await activeKnowledge(database.db, tenantId)).some((chunk) => chunk.path === 'a.md')).toBe(true);
  });

  it('flags a conflict between an FAQ sheet and a policy document, with both sources', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'kefu-kb-'));
    await writeFile(join(folder, 'faq.csv'), 'id,问题,答案\nr-1,退货期限是多久？,签收后 15 天内可以退货。\n');
    await copyFile(fixture('policy.md'), join(folder, 'policy.md'));
    const sourceId = await newSource('folder-conflict');
    const report = await syncSource(database.db, tenantId, sourceId, folderSource(folder));
    expect(report.conflicts).toBeGreaterThanOrEqual(1);
    const conflicts = await sql<{
      reason: string;
      detail: string;
      first: { source: string };
      second: { source: string };
    }>`select reason, detail, first, second from knowledge_conflicts where sync_run_id = ${report.runId}`.execute(
      database.db,
    );
    const conflict = conflicts.rows.find((row) => row.detail.includes('15'))!;
    expect(conflict.reason).toBe('numbers');
    expect([conflict.first.source, conflict.second.source].join(' | ')).toMatch(/faq\.csv row 2/);
    expect([conflict.first.source, conflict.second.source].join(' | ')).toMatch(/policy\.md › 退换货政策 › 退货期限/);
    // Not reported twice while it is open.
    await writeFile(join(folder, 'extra.md'), '# 其他\n\n无关内容。');
    expect((await syncSource(database.db, tenantId, sourceId, folderSource(folder))).conflicts).toBe(0);
  });

  it('re-syncs an unchanged 1,000-document folder in seconds without re-indexing anything', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'kefu-kb-'));
    for (let index = 0; index < 1000; index += 1) {
      await writeFile(
        join(folder, `doc-${String(index).padStart(4, '0')}.md`),
        `# 文档 ${index}\n\n第 ${index} 号文档的内容。Document number ${index}.`,
      );
    }
    const sourceId = await newSource('folder-large');
    const first = await syncSource(database.db, tenantId, sourceId, folderSource(folder), { detectConflicts: false });
    expect(first.added).toHaveLength(1000);
    const started = performance.now();
    const again = await syncSource(database.db, tenantId, sourceId, folderSource(folder));
    const seconds = (performance.now() - started) / 1000;
    expect(again).toMatchObject({ unchanged: 1000, added: [], changed: [], chunksIndexed: 0 });
    expect(seconds).toBeLessThan(5);
  }, 300_000);

  it('syncs due sitemap sources on schedule: a 404 page is a per-page failure, the rest is indexed', async () => {
    const pages: Record<string, string> = {
      '/sitemap.xml': '',
      '/faq':
        '<html><head><title>常见问题</title></head><body><h1>发票</h1><p>电子发票在订单完成后 24 小时内开具。</p></body></html>',
    };
    const server = createServer((request, response) => {
      const body =
        request.url === '/sitemap.xml'
          ? `<urlset><url><loc>${base}/faq</loc></url><url><loc>${base}/deleted</loc></url></urlset>`
          : pages[request.url ?? ''];
      if (body === undefined) return void response.writeHead(404).end();
      response.writeHead(200).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const id = randomUUID();
      await sql`insert into knowledge_sources (id, tenant_id, kind, name, config, schedule, next_sync_at)
        values (${id}, ${tenantId}, 'sitemap', 'help-centre', ${JSON.stringify({ url: `${base}/sitemap.xml` })}, '*/30 * * * *', ${new Date('2026-01-01T00:00:00Z')})`.execute(
        database.db,
      );
      const results = await syncDueSources(database.db, { web: { allowPrivateNetwork: true }, detectConflicts: false });
      const mine = results.find((result) => result.sourceId === id)!;
      expect(mine.report).toMatchObject({
        status: 'partial',
        added: [`${base}/faq`],
        failed: [{ path: `${base}/deleted`, code: 'http_404' }],
      });
      const chunks = await activeKnowledge(database.db, tenantId);
      expect(chunks.find((chunk) => chunk.path === `${base}/faq`)).toMatchObject({
        heading_trail: ['发票'],
        text: '电子发票在订单完成后 24 小时内开具。',
      });
      // Not due again until its next slot.
      expect(
        (await syncDueSources(database.db, { web: { allowPrivateNetwork: true } })).some(
          (result) => result.sourceId === id,
        ),
      ).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('computes the next scheduled sync from a cron expression', () => {
    expect(nextSyncAt('0 3 * * *', new Date('2026-11-25T12:00:00Z'))?.toISOString()).toBe('2026-11-26T03:00:00.000Z');
    expect(nextSyncAt('0 3 * * *', new Date('2026-11-25T12:00:00Z'), 'Asia/Shanghai')?.toISOString()).toBe(
      '2026-11-25T19:00:00.000Z',
    );
    expect(nextSyncAt(null, new Date())).toBeNull();
    expect(() => nextSyncAt('not a cron', new Date())).toThrow();
  });
});

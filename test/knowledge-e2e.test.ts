import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readerForSource, syncSource } from '../src/knowledge/index.js';
import { importPack, loadPack } from '../src/packs/index.js';
import { createApiKey } from '../src/tenancy/index.js';
import { askOnce, createTestKefu, type TestKefu } from './support/test-kefu.js';

/**
 * S4 end to end: a tenant adds a folder of real documents, customers ask about them, a file is
 * edited, the re-sync changes only that file, and the next answer cites the new version.
 */
const fixtures = path.resolve('src/knowledge/__fixtures__');
const scratch = mkdtempSync(path.join(tmpdir(), 'kefu-kb-e2e-'));
let kefu: TestKefu;
let tenantId: string;
let key: string;
let sourceId: string;
const folder = path.join(scratch, 'docs');

beforeAll(async () => {
  kefu = await createTestKefu();
  const packDir = path.join(scratch, 'pack');
  mkdirSync(packDir, { recursive: true });
  // A tenant that answers from its documents: chunk match scores are conservative (docs/knowledge.md), so its gate is 0.4.
  writeFileSync(path.join(packDir, 'tenant.yaml'), 'slug: docs-shop\nname: 文档小店\ndomain: ecommerce\ngate: 0.4\n');
  tenantId = (await importPack(kefu.database.db, loadPack(packDir).pack!, { actor: 'test' })).tenantId;
  key = (await createApiKey(kefu.database.db, tenantId, { name: 'test', scopes: ['chat', 'conversations:read'] })).key;
  mkdirSync(folder, { recursive: true });
  for (const file of ['policy.md', 'handbook.docx', 'faq.xlsx', 'faq-page.html', 'corrupt.pdf'])
    cpSync(path.join(fixtures, file), path.join(folder, file));
  sourceId = randomUUID();
  await kefu.database.db
    .insertInto('knowledge_sources')
    .values({
      id: sourceId,
      tenant_id: tenantId,
      kind: 'folder',
      name: 'docs',
      config: JSON.stringify({ path: folder }),
      schedule: null,
      last_sync_at: null,
      next_sync_at: null,
    })
    .execute();
});
afterAll(async () => {
  await kefu?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

const sync = () =>
  syncSource(kefu.database.db, tenantId, sourceId, readerForSource({ kind: 'folder', config: { path: folder } }));

async function ask(text: string) {
  await kefu.runtimes.refresh(tenantId);
  return askOnce(kefu, key, text);
}

describe('a folder of documents', () => {
  it('is loaded, broken files are reported, and questions about it are answered with a citation', async () => {
    const report = await sync();
    expect(report.added).toEqual(expect.arrayContaining(['policy.md', 'handbook.docx', 'faq.xlsx', 'faq-page.html']));
    expect(report.failed.map((failure) => failure.path)).toEqual(['corrupt.pdf']);
    const { body, trace } = await ask('生鲜商品签收后多久内要反馈？');
    expect(body.turn.route).toBe('auto');
    expect(body.reply.text).toContain('24 小时');
    expect(trace.trace.citations).toContainEqual({ source: 'kb', id: 'docs/policy.md', version: 1 });
  });

  it('re-syncs only the edited file, and the next answer cites the new version', async () => {
    const file = path.join(folder, 'policy.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('签收后 24 小时内反馈', '签收后 48 小时内反馈'));
    const report = await sync();
    expect(report.changed).toEqual(['policy.md']);
    expect(report.added).toEqual([]);
    expect(report.unchanged).toBe(3);
    expect(report.chunksReused).toBeGreaterThan(0);
    const { body, trace } = await ask('生鮮商品簽收後多久內要反饋？');
    // Asked in Traditional Chinese, answered in it.
    expect(body.reply.text).toContain('48 小時');
    expect(trace.trace.citations).toContainEqual({ source: 'kb', id: 'docs/policy.md', version: 2 });
  });

  it('flags two files that answer the same question differently', async () => {
    writeFileSync(
      path.join(folder, 'returns-faq.md'),
      '# 退货须知\n\n## 退货期限\n\n自签收之日起 15 天内，商品未使用、包装完好，可申请无理由退货。\n',
    );
    const report = await sync();
    expect(report.conflicts).toBeGreaterThan(0);
    const conflicts = await kefu.database.db
      .selectFrom('knowledge_conflicts')
      .select(['detail', 'first', 'second'])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'open')
      .execute();
    expect(JSON.stringify(conflicts)).toMatch(/15/);
    expect(JSON.stringify(conflicts)).toMatch(/7/);
  });
});

/**
 * Issue 17: on the embedded default (the tenant's default gate, no LLM), a question the document
 * answers word for word gets an extractive answer quoting the document's title, section and
 * version; after the document is edited and synced, the next answer quotes the new version.
 */
describe('documents answer without an LLM', () => {
  const promoFolder = path.join(scratch, 'promo');
  const promoFile = path.join(promoFolder, '以旧换新.md');
  let promoTenant: string;
  let promoKey: string;
  let promoSource: string;
  const promoSync = () =>
    syncSource(
      kefu.database.db,
      promoTenant,
      promoSource,
      readerForSource({ kind: 'folder', config: { path: promoFolder } }),
    );
  const promoAsk = async (text: string) => {
    await kefu.runtimes.refresh(promoTenant);
    return askOnce(kefu, promoKey, text);
  };

  beforeAll(async () => {
    const packDir = path.join(scratch, 'promo-pack');
    mkdirSync(packDir, { recursive: true });
    writeFileSync(path.join(packDir, 'tenant.yaml'), 'slug: promo-shop\nname: 活动小店\ndomain: ecommerce\n');
    promoTenant = (await importPack(kefu.database.db, loadPack(packDir).pack!, { actor: 'test' })).tenantId;
    promoKey = (
      await createApiKey(kefu.database.db, promoTenant, { name: 'test', scopes: ['chat', 'conversations:read'] })
    ).key;
    mkdirSync(promoFolder, { recursive: true });
    writeFileSync(
      promoFile,
      [
        '# 以旧换新活动说明',
        '',
        '## 活动时间',
        '',
        '以旧换新活动自 2026 年 11 月 1 日开始，到 2026 年 12 月 31 日结束。',
        '',
        '## 参与方式',
        '',
        '在 App 首页进入「以旧换新」，提交旧机型号和成色，估价后下单新机，旧机由快递上门回收。',
        '',
        '## 补贴标准',
        '',
        '- 旧手机：最高补贴 500 元；',
        '- 旧平板：最高补贴 300 元。',
        '',
      ].join('\n'),
    );
    promoSource = randomUUID();
    await kefu.database.db
      .insertInto('knowledge_sources')
      .values({
        id: promoSource,
        tenant_id: promoTenant,
        kind: 'folder',
        name: 'promo',
        config: JSON.stringify({ path: promoFolder }),
        schedule: null,
        last_sync_at: null,
        next_sync_at: null,
      })
      .execute();
  });

  it('quotes the answering sentence with title, section and version, edits re-sync, and the next answer quotes v2', async () => {
    expect((await promoSync()).added).toEqual(['以旧换新.md']);
    const first = await promoAsk('以旧换新活动什么时候结束？');
    expect(first.body.turn.route).toBe('auto');
    expect(first.body.turn.tier).toBe('light');
    expect(first.body.reply.text).toContain('根据《以旧换新活动说明》「活动时间」（第 1 版）');
    expect(first.body.reply.text).toContain('到 2026 年 12 月 31 日结束');
    // Only the answering sentence, not the other sections; a person is offered.
    expect(first.body.reply.text).not.toContain('补贴');
    expect(first.body.reply.text).toContain('转人工');
    expect(first.trace.trace.citations).toEqual([{ source: 'kb', id: 'promo/以旧换新.md', version: 1 }]);
    expect(first.trace.trace.reasons.join(' ')).toMatch(/document answer: promo\/以旧换新\.md v1/);

    writeFileSync(promoFile, readFileSync(promoFile, 'utf8').replace('2026 年 12 月 31 日', '2027 年 1 月 15 日'));
    expect((await promoSync()).changed).toEqual(['以旧换新.md']);
    const second = await promoAsk('以旧换新活动到哪天截止，什么时候结束？');
    expect(second.body.turn.route).toBe('auto');
    expect(second.body.reply.text).toContain('（第 2 版）');
    expect(second.body.reply.text).toContain('到 2027 年 1 月 15 日结束');
    expect(second.trace.trace.citations).toEqual([{ source: 'kb', id: 'promo/以旧换新.md', version: 2 }]);
  });
});

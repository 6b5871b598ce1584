import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/test-database.js';
import type { Db } from '../store/database.js';
import { exportPack, importPack, loadPack } from './index.js';

const packs = path.resolve('examples/packs');
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const scratch = mkdtempSync(path.join(tmpdir(), 'kefu-packs-'));

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

/** Everything an import writes for a tenant, without ids and timestamps. */
async function snapshot(db: Db, slug: string) {
  const tenant = await db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirstOrThrow();
  const by = <T>(rows: T[], key: (row: T) => string) => [...rows].sort((a, b) => key(a).localeCompare(key(b)));
  return {
    tenant: {
      slug: tenant.slug,
      name: tenant.name,
      locale: tenant.locale,
      domain: tenant.domain,
      settings: tenant.settings,
    },
    channels: by(
      await db.selectFrom('channels').select(['kind', 'name']).where('tenant_id', '=', tenant.id).execute(),
      (r) => r.kind + r.name,
    ),
    intents: await db
      .selectFrom('intents')
      .select(['name', 'description', 'route', 'threshold', 'examples', 'answer', 'playbook', 'position'])
      .where('tenant_id', '=', tenant.id)
      .orderBy('position')
      .execute(),
    faq: await db
      .selectFrom('faq_entries')
      .select([
        'external_id',
        'question',
        'answer',
        'alternatives',
        'category',
        'sensitive',
        'content_hash',
        'position',
      ])
      .where('tenant_id', '=', tenant.id)
      .orderBy('position')
      .execute(),
    documents: by(
      await db
        .selectFrom('documents')
        .select(['path', 'title', 'content', 'content_hash'])
        .where('tenant_id', '=', tenant.id)
        .execute(),
      (r) => r.path,
    ),
    playbooks: by(
      await db
        .selectFrom('playbooks')
        .select(['name', 'source', 'definition'])
        .where('tenant_id', '=', tenant.id)
        .execute(),
      (r) => r.name,
    ),
    records: await db
      .selectFrom('connector_records')
      .select(['table_name', 'position', 'data'])
      .where('tenant_id', '=', tenant.id)
      .orderBy('table_name')
      .orderBy('position')
      .execute(),
  };
}

describe('demo packs', () => {
  it.each(['shop-zh', 'bank-zh'])('%s loads without problems', (slug) => {
    const { pack, problems } = loadPack(path.join(packs, slug));
    expect(problems).toEqual([]);
    expect(pack!.tenant.slug).toBe(slug);
    expect(pack!.faq.length).toBeGreaterThanOrEqual(25);
    expect(pack!.intents.length).toBeGreaterThan(3);
    expect(pack!.documents.length).toBeGreaterThan(0);
    expect(pack!.tables.length).toBeGreaterThan(0);
  });
});

describe('import', () => {
  it('is idempotent: a second import of the same pack changes nothing', async () => {
    const { pack } = loadPack(path.join(packs, 'shop-zh'));
    const first = await importPack(database.db, pack!, { actor: 'test' });
    const before = await snapshot(database.db, 'shop-zh');
    const second = await importPack(database.db, pack!, { actor: 'test' });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.faq).toEqual({ added: 0, changed: 0, removed: 0, unchanged: pack!.faq.length });
    expect(second.documents.changed + second.documents.added + second.documents.removed).toBe(0);
    expect(await snapshot(database.db, 'shop-zh')).toEqual(before);
  });

  it('bumps the version of a changed FAQ entry only, and removes a deleted one', async () => {
    const copy = path.join(scratch, 'shop-edit');
    cpSync(path.join(packs, 'shop-zh'), copy, { recursive: true });
    const csv = readFileSync(path.join(copy, 'faq.csv'), 'utf8').split('\n');
    // Edit the first entry's answer and drop the second entry.
    const [header, firstRow, , ...rest] = csv;
    const editedFirst = firstRow!.replace('，', '，（已更新）');
    writeFileSync(path.join(copy, 'faq.csv'), [header, editedFirst, ...rest].join('\n'));
    const { pack, problems } = loadPack(copy);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const result = await importPack(database.db, pack!, { actor: 'test' });
    expect(result.faq.changed).toBe(1);
    expect(result.faq.removed).toBe(1);
    const edited = await database.db
      .selectFrom('faq_entries')
      .select(['version', 'answer', 'question'])
      .where('external_id', '=', pack!.faq[0]!.id)
      .executeTakeFirstOrThrow();
    expect(edited.version).toBe(2);
    // restore the original for the next tests
    await importPack(database.db, loadPack(path.join(packs, 'shop-zh')).pack!, { actor: 'test' });
  });
});

describe('export', () => {
  it('writes a pack that re-imports to the same state', async () => {
    for (const slug of ['shop-zh', 'bank-zh']) {
      await importPack(database.db, loadPack(path.join(packs, slug)).pack!, { actor: 'test' });
      const original = await snapshot(database.db, slug);
      const directory = path.join(scratch, `export-${slug}`);
      await exportPack(database.db, slug, directory);
      const reloaded = loadPack(directory);
      expect(reloaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
      const other = await createTestDatabase();
      try {
        await importPack(other.db, reloaded.pack!, { actor: 'test' });
        expect(await snapshot(other.db, slug)).toEqual(original);
      } finally {
        await other.dispose();
      }
    }
  });
});

describe('invalid packs', () => {
  function pack(name: string, files: Record<string, string>): string {
    const directory = path.join(scratch, name);
    for (const [file, content] of Object.entries(files)) {
      const target = path.join(directory, file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    return directory;
  }

  it('refuses symbolic links that lead out of the pack (documents, sheets, tenant file), and keeps links inside it', () => {
    const secret = path.join(scratch, 'outside-secret.md');
    writeFileSync(secret, '# 机密\nDATABASE_PASSWORD=hunter2\n');
    const directory = pack('linked', {
      'tenant.yaml': 'slug: linked-shop\nname: 链接测试\n',
      'docs/own.md': '# 退货政策\n七天无理由退货。\n',
    });
    symlinkSync(secret, path.join(directory, 'docs', 'leak.md'));
    symlinkSync(secret, path.join(directory, 'faq.csv'));
    symlinkSync(path.join(directory, 'docs', 'own.md'), path.join(directory, 'docs', 'alias.md'));
    const { pack: loaded, problems } = loadPack(directory);
    expect(loaded).toBeNull();
    const refused = problems.filter((problem) => problem.message.includes('outside the pack'));
    expect(refused.map((problem) => problem.file).sort()).toEqual(['docs/leak.md', 'faq.csv']);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
    rmSync(path.join(directory, 'docs', 'leak.md'));
    rmSync(path.join(directory, 'faq.csv'));
    const clean = loadPack(directory);
    expect(clean.pack?.documents.map((document) => document.path).sort()).toEqual(['docs/alias.md', 'docs/own.md']);
  });

  it('reports every problem with its file and line, and imports nothing', () => {
    const directory = pack('broken', {
      'tenant.yaml': 'slug: Bad Slug!\nname: 测试\ndomain: finance\ngate: 1.5\n',
      'intents.yaml':
        'intents:\n  - name: greeting\n    route: maybe\n    examples: [你好]\n  - name: refund\n    playbook: missing-one\n',
      'playbooks/broken.yaml': 'name: broken\nsteps: [\n',
      'data/orders.csv': 'order_no,amount\nXM1,10\nXM2,20,extra\n',
    });
    const { pack: loaded, problems } = loadPack(directory);
    expect(loaded).toBeNull();
    const find = (file: string, text: string) => problems.find((p) => p.file === file && p.message.includes(text));
    expect(find('tenant.yaml', 'slug')?.line).toBe(1);
    expect(find('tenant.yaml', 'gate')?.line).toBe(4);
    expect(find('intents.yaml', 'route')?.line).toBe(3);
    expect(find('intents.yaml', 'missing-one')).toBeDefined();
    expect(problems.find((p) => p.file === 'playbooks/broken.yaml')).toBeDefined();
    expect(problems.find((p) => p.file === 'data/orders.csv')?.line).toBe(3);
  });

  it('reports a bad handoff: section by field and line, with Chinese and Traditional queue names', () => {
    const directory = pack('bad-handoff', {
      'tenant.yaml': [
        'slug: bad-handoff',
        'name: 小满优品',
        'handoff:',
        '  default_queue: 投訴',
        '  queues:',
        '    - name: 售后',
        '      assignment: 最闲优先',
        '    - name: 投诉',
        '      sla:',
        '        first_response_seconds: 0',
        '    - name: 售后',
        '',
      ].join('\n'),
    });
    const { pack: loaded, problems } = loadPack(directory);
    expect(loaded).toBeNull();
    const at = (field: string) => problems.find((p) => p.file === 'tenant.yaml' && p.message.startsWith(`${field}: `));
    expect(at('handoff.queues.0.assignment')).toMatchObject({ severity: 'error', line: 7 });
    expect(at('handoff.queues.1.sla.first_response_seconds')).toMatchObject({ severity: 'error', line: 10 });
    // The duplicate and the unknown default are only found once every queue parses.
    const fixed = pack('bad-handoff-names', {
      'tenant.yaml':
        'slug: bad-handoff-names\nname: 小满优品\nhandoff:\n  default_queue: 投訴\n  queues:\n' +
        '    - name: 售后\n    - name: 投诉\n    - name: 售后\n',
    });
    const named = loadPack(fixed).problems;
    expect(named).toEqual(
      expect.arrayContaining([
        {
          severity: 'error',
          file: 'tenant.yaml',
          line: 8,
          message: 'handoff.queues.2.name: queue 售后 is defined twice',
        },
        {
          severity: 'error',
          file: 'tenant.yaml',
          line: 4,
          message: 'handoff.default_queue: default_queue 投訴 is not one of the queues',
        },
      ]),
    );
  });

  it('refuses a time zone it does not know, and warns about a field it does not read', () => {
    const { pack: loaded, problems } = loadPack(
      pack('bad-timezone', {
        'tenant.yaml': 'slug: bad-timezone\nname: 青禾银行\ntimezone: 北京时间\nhandof:\n  default_queue: 通用\n',
      }),
    );
    expect(loaded).toBeNull();
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          severity: 'error',
          file: 'tenant.yaml',
          line: 3,
          message: expect.stringMatching(/^timezone: /),
        }),
        { severity: 'warning', file: 'tenant.yaml', line: 4, message: 'unknown field "handof": kefu does not read it' },
      ]),
    );
  });

  it('says what is missing in an empty folder', () => {
    const { pack: loaded, problems } = loadPack(pack('empty', { 'README.md': '' }));
    expect(loaded).toBeNull();
    expect(problems[0]).toMatchObject({ file: 'tenant.yaml', severity: 'error' });
  });

  it('loads the valid FAQ rows of a sheet with bad rows, as warnings', () => {
    const directory = pack('faq-rows', {
      'tenant.yaml': 'slug: faq-rows\nname: FAQ 测试\n',
      'faq.csv':
        'id,问题,答案,相似问法,类别,敏感\nq1,怎么退货,七天内可退,退貨|退货流程,售后,no\nq1,重复的,答案,,售后,no\nq2,,没有问题的答案,,售后,no\nq3,怎么开发票,在订单页申请,,发票,no\n',
    });
    const { pack: loaded, problems } = loadPack(directory);
    expect(loaded).not.toBeNull();
    expect(loaded!.faq.map((entry) => entry.id)).toEqual(['q1', 'q3']);
    expect(
      problems.every(
        (problem) => problem.severity === 'warning' && problem.file === 'faq.csv' && problem.line !== null,
      ),
    ).toBe(true);
    expect(problems.length).toBeGreaterThanOrEqual(2);
  });
});

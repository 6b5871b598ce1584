/**
 * Contacts sync bench (docs/personal.md, "Sync"), on PGlite:
 *
 * 1. Webhook in: B batches of 1,000 records (zh-CN, zh-TW and English names and attributes)
 *    through syncContactBatch, timed per batch; then the same batches again (all unchanged).
 * 2. Scheduled pull: a CSV of the same contacts with one attribute changed, served on 127.0.0.1
 *    and pulled through ContactSyncService.pull (safe fetch → streaming importer).
 *
 *   npx tsx bench/contacts-sync.ts [--batches 20]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ContactSyncService, syncContactBatch } from '../src/contacts/sync.js';
import { migrateToLatest, openDatabase } from '../src/store/database.js';

const at = process.argv.indexOf('--batches');
const BATCHES = at > 0 ? Number(process.argv[at + 1]) : 20;
const percentile = (samples: number[], p: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

const work = mkdtempSync(path.join(tmpdir(), 'kefu-contacts-sync-'));
const database = await openDatabase({ kind: 'pglite', dataDir: path.join(work, 'data') });
await migrateToLatest(database.db);
const db = database.db;
const tenantId = randomUUID();
await db
  .insertInto('tenants')
  .values({
    id: tenantId,
    slug: 'bench-sync',
    name: '同步测试',
    locale: 'zh-CN',
    domain: 'general',
    status: 'active',
    settings: JSON.stringify({ version: 1, timezone: 'Asia/Shanghai' }),
  })
  .execute();

const names = ['林晓雨', '陳美玲', 'Emily Carter'];
const record = (index: number, points: number) => ({
  externalId: `CRM-${index}`,
  name: `${names[index % 3]}${index}`,
  phones: [`+86139${String(index).padStart(8, '0')}`],
  tier: ['金卡', '白金卡', 'Gold'][index % 3],
  attributes: { 积分: points, 城市: ['上海', '臺北', 'London'][index % 3]! },
  locale: ['zh-CN', 'zh-TW', 'en'][index % 3],
});

const timeBatches = async (points: number) => {
  const times: number[] = [];
  const totals = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
  for (let batch = 0; batch < BATCHES; batch += 1) {
    const records = Array.from({ length: 1000 }, (_, i) => record(batch * 1000 + i, points));
    const started = performance.now();
    const result = await syncContactBatch(db, tenantId, records);
    times.push(performance.now() - started);
    for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += result[key];
  }
  return { totals, p50Ms: Math.round(percentile(times, 50)), p99Ms: Math.round(percentile(times, 99)) };
};

const first = await timeBatches(100);
const repeat = await timeBatches(100);

const lines = ['会员号,姓名,手机,积分,会员等级'];
for (let index = 0; index < BATCHES * 1000; index += 1) {
  const r = record(index, index % 2 === 0 ? 200 : 100);
  lines.push(`${r.externalId},${r.name},${r.phones[0]},${r.attributes.积分},${r.tier}`);
}
const csv = lines.join('\n');
const server = createServer((_request, response) => response.writeHead(200).end(csv));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/contacts.csv`;
const service = new ContactSyncService({ db, allowPrivateNetwork: true });
const pullStarted = performance.now();
const pull = await service.pull(
  tenantId,
  { url, format: 'csv', every: 60, mapping: { 积分: 'attr.积分:number' }, enabled: true },
  'pull:bench',
);
const pullMs = Math.round(performance.now() - pullStarted);
server.close();
await database.close();
rmSync(work, { recursive: true, force: true });

const report = {
  records: BATCHES * 1000,
  webhookFirst: { ...first, recordsPerSecond: Math.round((1000 / first.p50Ms) * 1000) },
  webhookRepeat: repeat,
  pull: { ms: pullMs, status: pull?.status, rows: pull?.rows, updated: pull?.updated, unchanged: pull?.unchanged },
  node: process.version,
  at: new Date().toISOString(),
};
const md = `# Contacts sync bench (PGlite)

\`npx tsx bench/contacts-sync.ts --batches ${BATCHES}\` — ${report.records} records, batches of 1,000.

| step | result |
|---|---|
| webhook batch, first time (creates) | p50 ${first.p50Ms} ms, p99 ${first.p99Ms} ms per 1,000; created ${first.totals.created}, skipped ${first.totals.skipped} |
| webhook batch, same again | p50 ${repeat.p50Ms} ms, p99 ${repeat.p99Ms} ms per 1,000; unchanged ${repeat.totals.unchanged}, updated ${repeat.totals.updated} |
| scheduled pull, CSV on 127.0.0.1 (half the rows changed) | ${pullMs} ms; ${pull?.status}, rows ${pull?.rows}, updated ${pull?.updated}, unchanged ${pull?.unchanged} |

${report.node}, ${report.at}
`;
writeFileSync(path.join('bench', 'results', 'contacts-sync.md'), md);
writeFileSync(path.join('bench', 'results', 'contacts-sync.json'), JSON.stringify(report, null, 2));
console.log(md);

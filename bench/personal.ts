/**
 * Personal service bench (docs/personal.md), on PGlite:
 *
 * 1. Import: a generated CSV of N contacts (default 100,000; Chinese headers, 0.5% bad rows) through
 *    the streaming importer, timed, with the process RSS sampled every 250 ms (the curve).
 * 2. Fan-out: W widget conversations (default 10,000), each followed the way an open widget socket
 *    follows it (bus → followConversation → deliver), and one audience event for all of them.
 *    Per widget: the time from the event's POST to the message's delivery; every delivery is
 *    checked for duplicates.
 *
 *   npm run bench:personal                     # 100,000 contacts, 10,000 widgets
 *   npx tsx bench/personal.ts --contacts 20000 --widgets 2000
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { sql } from 'kysely';
import { createInProcessEventBus } from '../src/bus/index.js';
import { csvRecords, importContacts, type ImportRowError } from '../src/contacts/import-contacts.js';
import { ConversationService } from '../src/conversations/index.js';
import { OutreachService } from '../src/outreach/outreach-service.js';
import { WidgetPresence } from '../src/outreach/widget-presence.js';
import { followConversation } from '../src/server/conversation-stream.js';
import { migrateToLatest, openDatabase } from '../src/store/database.js';

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const CONTACTS = argument('contacts', 100_000);
const WIDGETS = argument('widgets', 10_000);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const percentile = (samples: number[], p: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

const work = mkdtempSync(path.join(tmpdir(), 'kefu-personal-'));
const database = await openDatabase({ kind: 'pglite', dataDir: path.join(work, 'data') });
await migrateToLatest(database.db);
const db = database.db;
const tenantId = randomUUID();
await db
  .insertInto('tenants')
  .values({
    id: tenantId,
    slug: 'bench-travel',
    name: '出行旅行社',
    locale: 'zh-CN',
    domain: 'general',
    status: 'active',
    settings: JSON.stringify({
      version: 1,
      timezone: 'Asia/Shanghai',
      outreach: {
        quiet_hours: { start: '00:00', end: '00:00' },
        cap: { per_day: 5, per_week: 20 },
        rules: [
          {
            name: 'flight-changed',
            event: 'flight.changed',
            template: '{{contact.name | "您"}}您好，您的航班 {{event.flight}} 起飞时间改为 {{event.departs}}。',
          },
        ],
      },
    }),
  })
  .execute();
const channelId = randomUUID();
await db
  .insertInto('channels')
  .values({ id: channelId, tenant_id: tenantId, kind: 'widget', name: '官网', config: '{}' })
  .execute();

// 1. Import.
const file = path.join(work, 'contacts.csv');
const out = createWriteStream(file);
out.write('会员号,姓名,手机号,邮箱,会员等级,标签,积分,时区\n');
let bad = 0;
for (let index = 0; index < CONTACTS; index += 1) {
  const id = `T${String(index).padStart(7, '0')}`;
  const broken = index % 200 === 199;
  if (broken) bad += 1;
  const phone = broken ? '12ab' : `139${String(index).padStart(8, '0')}`;
  const tags = index < WIDGETS ? 'MU5101' : index % 3 === 0 ? '常旅客' : '';
  const line = `${id},旅客${index},${phone},t${index}@example.com,${index % 10 === 0 ? '金卡' : '普通'},${tags},${index % 5000},Asia/Shanghai\n`;
  if (!out.write(line)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');

const rss: Array<{ t: number; mb: number; heapMb: number }> = [];
const started = performance.now();
const sampler = setInterval(
  () =>
    rss.push({
      t: Math.round(performance.now() - started),
      mb: mb(process.memoryUsage().rss),
      heapMb: mb(process.memoryUsage().heapUsed),
    }),
  250,
);
const malformed: ImportRowError[] = [];
const summary = await importContacts(
  db,
  tenantId,
  csvRecords(createReadStream(file), (line, message) => malformed.push({ line, code: 'malformed', message })),
  { map: { 积分: 'attr.points:number' } },
  malformed,
);
clearInterval(sampler);
const importSeconds = (performance.now() - started) / 1000;
console.error(
  `import: ${summary.rows} rows in ${importSeconds.toFixed(1)} s (${summary.created} new, ${summary.skipped} skipped)`,
);

// 2. Fan-out to W followed widget conversations.
const bus = createInProcessEventBus();
const conversations = new ConversationService({ db, bus, runtimes: {} as never, maxMessageChars: 4000 });
const presence = new WidgetPresence();
const targets = await db
  .selectFrom('contact_profiles')
  .select('contact_id')
  .where('tenant_id', '=', tenantId)
  .where(sql<boolean>`tags @> '["MU5101"]'::jsonb`)
  .execute();
const rows = targets.map((row, index) => ({ contactId: row.contact_id, conversationId: randomUUID(), index }));
for (let index = 0; index < rows.length; index += 1000) {
  const slice = rows.slice(index, index + 1000);
  await db
    .insertInto('contact_identities')
    .values(
      slice.map((row) => ({
        id: randomUUID(),
        tenant_id: tenantId,
        channel_id: channelId,
        contact_id: row.contactId,
        external_id: `v-${row.index}`,
      })),
    )
    .execute();
  await db
    .insertInto('conversations')
    .values(
      slice.map((row) => ({
        id: row.conversationId,
        tenant_id: tenantId,
        display_id: row.index + 1,
        channel_id: channelId,
        contact_id: row.contactId,
        status: 'open' as const,
        assignee_kind: 'bot' as const,
        assignee_id: null,
        state: '{}',
      })),
    )
    .execute();
}
const delivered = new Map<string, number[]>();
let duplicates = 0;
let postedAt = 0;
const seen = new Map<string, Set<string>>();
const followers = [];
for (const row of rows) {
  seen.set(row.conversationId, new Set());
  const follower = followConversation(
    { bus, conversations },
    { tenantId, conversationId: row.conversationId, includeInternal: false },
    undefined,
    (message) => {
      const ids = seen.get(row.conversationId)!;
      if (ids.has(message.id)) duplicates += 1;
      ids.add(message.id);
      delivered.set(row.conversationId, [...(delivered.get(row.conversationId) ?? []), performance.now() - postedAt]);
    },
  );
  presence.join(tenantId, row.contactId, row.conversationId);
  followers.push(follower);
}
await Promise.all(followers.map((follower) => follower.ready));
const outreach = new OutreachService({ db, bus, presence });
postedAt = performance.now();
const result = await outreach.receive(tenantId, {
  type: 'flight.changed',
  audience: { tag: 'MU5101' },
  payload: { flight: 'MU5101', departs: '12月6日 09:40' },
  id: 'bench-flight-change',
});
const accepted = performance.now() - postedAt;
const deadline = Date.now() + 120_000;
while ([...delivered.values()].length < rows.length && Date.now() < deadline)
  await new Promise((resolve) => setTimeout(resolve, 50));
const latencies = [...delivered.values()].map((times) => times[0]!);
for (const follower of followers) follower.stop();

const report = {
  date: new Date().toISOString(),
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  import: {
    contacts: CONTACTS,
    rows: summary.rows,
    created: summary.created,
    skipped: summary.skipped,
    expectedBad: bad,
    seconds: Math.round(importSeconds * 10) / 10,
    rowsPerSecond: Math.round(summary.rows / importSeconds),
    rssMb: { start: rss[0]?.mb ?? null, peak: Math.max(...rss.map((s) => s.mb)), end: rss[rss.length - 1]?.mb ?? null },
    rssCurve: rss.filter((_, index) => index % Math.max(1, Math.floor(rss.length / 24)) === 0),
  },
  fanOut: {
    widgets: rows.length,
    deliveredStatus: result.counts,
    acceptedMs: Math.round(accepted),
    received: latencies.length,
    duplicates,
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
    maxMs: Math.round(Math.max(...latencies)),
  },
};
console.log(JSON.stringify(report, null, 2));
const md = `# Personal service bench (\`npm run bench:personal\`)

Run ${report.date} on ${report.machine.cpus} CPUs, Node ${report.machine.node}, PGlite on disk. Command: \`npx tsx bench/personal.ts --contacts ${CONTACTS} --widgets ${WIDGETS}\`.

## Import (streaming CSV, Chinese headers, batches of 500)

| contacts | rows read | created | skipped (bad, expected ${bad}) | time | rows/s | RSS start → peak → end |
|---|---|---|---|---|---|---|
| ${CONTACTS.toLocaleString('en')} | ${summary.rows.toLocaleString('en')} | ${summary.created.toLocaleString('en')} | ${summary.skipped} | ${report.import.seconds} s | ${report.import.rowsPerSecond.toLocaleString('en')} | ${report.import.rssMb.start} → ${report.import.rssMb.peak} → ${report.import.rssMb.end} MB |

RSS curve (ms → RSS MB / JS heap MB; RSS includes PGlite's WebAssembly memory, which only grows): ${report.import.rssCurve.map((s) => `${s.t}→${s.mb}/${s.heapMb}`).join(', ')}

## Fan-out: one audience event to every followed widget

Each widget conversation is followed the way an open widget socket follows it (bus event → \`followConversation\` reads the new message → deliver); the socket's own send is not included.

| widgets | statuses | event accepted after | received | duplicates | p50 | p99 | max |
|---|---|---|---|---|---|---|---|
| ${rows.length.toLocaleString('en')} | ${JSON.stringify(result.counts)} | ${report.fanOut.acceptedMs} ms | ${latencies.length.toLocaleString('en')} | ${duplicates} | ${report.fanOut.p50Ms} ms | ${report.fanOut.p99Ms} ms | ${report.fanOut.maxMs} ms |
`;
writeFileSync(path.join('bench', 'results', 'personal.md'), md);
writeFileSync(path.join('bench', 'results', 'personal.json'), JSON.stringify(report, null, 2));
await database.close();
rmSync(work, { recursive: true, force: true });

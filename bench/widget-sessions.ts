/**
 * Widget sessions under a flash crowd: how many new visitors per second one tenant can open
 * (`POST /widget/v1/sessions`: a new contact, identity and conversation with its display id, and a
 * signed token). One kefu server (a child process on 127.0.0.1, PGlite, or PostgreSQL with
 * DATABASE_URL) with the demo tenants; the tenant is moved to an unlimited plan first, so the
 * session is measured, not the rate limiter. Afterwards the display ids are checked for duplicates.
 *
 *   npm run bench:widget-sessions [-- --duration 10 --connections 50] [--label NAME] [--kefu-dir DIR]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import {
  processCpuMs,
  runAutocannon,
  startProcess,
  stopProcess,
  unlimitedPlan,
  waitUntilIdle,
} from './support/processes.js';

const option = (name: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const duration = Number(option('duration') ?? 10);
const connections = Number(option('connections') ?? 50);
const label = option('label');
const kefuDir = path.resolve(option('kefu-dir') ?? process.cwd());
const database = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const tenant = 'shop-zh';

const dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-bench-sessions-'));
const operatorKey = `kefu_op_bench${randomBytes(18).toString('hex')}`;
const kefu = await startProcess(
  ['bin/kefu.js', 'serve'],
  {
    PORT: '0',
    KEFU_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DATABASE_URL: process.env.DATABASE_URL ?? '',
    KEFU_OPERATOR_KEY: operatorKey,
  },
  /API\s+(http:\/\/\S+)\/v1[\s\S]*Demo tenant\s+shop-zh .*API key: (kefu_sk_\w+)/,
  { cwd: kefuDir },
);
const baseUrl = kefu.match[1]!;
const apiKey = kefu.match[2]!;
await unlimitedPlan(baseUrl, operatorKey, tenant);
// Start-up work (demo models trained in worker threads) is over before anything is measured.
await waitUntilIdle(kefu.child.pid!);

const before = (await displayIds()).length;
const request = {
  url: `${baseUrl}/widget/v1/sessions`,
  method: 'POST' as const,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ tenant, locale: 'zh-CN' }),
};
await runAutocannon({ ...request, duration: 2, connections });
const cpuBefore = processCpuMs(kefu.child.pid!);
const result = await runAutocannon({ ...request, duration, connections });
const cpuMs = processCpuMs(kefu.child.pid!) - cpuBefore;
const ids = await displayIds();
const after = ids.length;
const duplicates = ids.length - new Set(ids).size;
await stopProcess(kefu.child);
rmSync(dataDir, { recursive: true, force: true });

/** The display ids of the tenant's conversations, through the API, page by page. */
async function displayIds(): Promise<number[]> {
  const ids: number[] = [];
  for (;;) {
    const before = ids.length > 0 ? `&before=${ids.at(-1)}` : '';
    const response = await fetch(`${baseUrl}/v1/conversations?limit=100${before}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const page = (await response.json()) as { conversations: Array<{ displayId: number }> };
    ids.push(...page.conversations.map((conversation) => conversation.displayId));
    if (page.conversations.length < 100) return ids;
  }
}

const summary = {
  date: new Date().toISOString(),
  command: `npm run bench:widget-sessions -- --duration ${duration} --connections ${connections}${label ? ` --label ${label}` : ''}${option('kefu-dir') ? ` --kefu-dir ${option('kefu-dir')}` : ''}`,
  kefu_commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: kefuDir }).toString().trim(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
  database,
  sessions_per_second: Math.round(result.requests.average),
  // Server CPU per session: the figure a busy shared machine does not distort (PostgreSQL's own is not counted).
  cpu_ms_per_session: Number((cpuMs / Math.max(1, result.requests.total)).toFixed(3)),
  latency_p50_ms: result.latency.p50,
  latency_p99_ms: result.latency.p99,
  non_2xx: result.non2xx,
  errors: result.errors,
  sessions: result.requests.total,
  conversations_created: after - before,
  duplicate_display_ids: duplicates,
  load_average: loadavg().map((value) => Number(value.toFixed(2))),
};
const name = `widget-sessions-${database}${label ? `-${label}` : ''}`;
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/${name}.json`, `${JSON.stringify(summary, null, 2)}\n`);
const markdown = `# Widget sessions (${database})

\`${summary.command}\` — ${summary.date}, ${summary.machine}, kefu at ${summary.kefu_commit}; load average after
the run ${summary.load_average.join(' ')} (a shared 2-core machine: compare runs made side by side).
autocannon opens ${connections} connections to one tenant's \`POST /widget/v1/sessions\` for ${duration} s (after 2 s of
warm-up); each request is a new visitor: contact, identity, conversation and a signed token. The tenant is on an
unlimited plan.

| sessions/s | server CPU ms per session | p50 ms | p99 ms | non-2xx | errors | conversations created | duplicate display ids |
|---:|---:|---:|---:|---:|---:|---:|---:|
| ${summary.sessions_per_second} | ${summary.cpu_ms_per_session} | ${summary.latency_p50_ms} | ${summary.latency_p99_ms} | ${summary.non_2xx} | ${summary.errors} | ${summary.conversations_created} | ${summary.duplicate_display_ids} |
`;
writeFileSync(`bench/results/${name}.md`, markdown);
process.stdout.write(markdown);
process.exit(0);

/**
 * Noisy-neighbour benchmark (issue 8): two tenants on one kefu process on 127.0.0.1. Tenant A
 * (shop-zh, default plan) posts messages at a steady rate and its latency is measured alone, then
 * again while tenant B (bank-zh, a small plan: BENCH_FLOOD_RPS requests/s) floods with many
 * connections, far above its rate limit. Reports A's p50/p99 both ways, the p99 ratio (target
 * ≤ 2) and B's share of 429s.
 *
 *   npm run bench:tenants [-- --duration 10 --rate 10 --flood-rps 5 --flood-connections 100 --label name]
 *   DATABASE_URL=postgres://… npm run bench:tenants   (PostgreSQL; results in tenants-postgres.*)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const duration = argument('duration', 10);
const quietRate = argument('rate', 10);
const quietConnections = argument('connections', 4);
const floodConnections = argument('flood-connections', 100);
const floodRps = argument('flood-rps', 5);
const labelIndex = process.argv.indexOf('--label');
const label = labelIndex >= 0 ? String(process.argv[labelIndex + 1]).replace(/[^a-z0-9-]/gi, '') : '';
const postgres = Boolean(process.env.DATABASE_URL);

function start(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; quietKey: string; floodKey: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/tenants-server.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`kefu did not start:\n${output}`)), 120_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /READY (\S+) (\S+) (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, quietKey: match[2]!, floodKey: match[3]! });
      }
    });
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => reject(new Error(`kefu exited ${code}: ${output}`)));
  });
}

function run(options: autocannon.Options): { done: Promise<autocannon.Result>; stop: () => void } {
  let instance: { stop(): void } | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    // With a callback autocannon returns its instance (typed as a promise): keep it to stop it.
    instance = autocannon(options, (error: unknown, result) =>
      error
        ? reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }))
        : resolve(result),
    ) as unknown as {
      stop(): void;
    };
  });
  return { done, stop: () => instance?.stop() };
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-bench-tenants-'));
const server = await start({
  PORT: '0',
  KEFU_DATA_DIR: dataDir,
  DATABASE_URL: process.env.DATABASE_URL ?? '',
  BENCH_FLOOD_RPS: String(floodRps),
  KEFU_RECOVER_AFTER_MS: '600000',
});
const json = { 'content-type': 'application/json' };
const quietHeaders = { authorization: `Bearer ${server.quietKey}`, ...json };
const floodHeaders = { authorization: `Bearer ${server.floodKey}`, ...json };

async function conversationsOf(headers: Record<string, string>, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const response = await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers, body: '{}' });
    ids.push(((await response.json()) as { id: string }).id);
  }
  return ids;
}
const quietConversations = await conversationsOf(quietHeaders, 40);
// B's conversations are created slowly enough to fit its own rate limit.
const floodConversations: string[] = [];
for (let index = 0; index < 10; index += 1) {
  floodConversations.push(...(await conversationsOf(floodHeaders, 1)));
  await new Promise((resolve) => setTimeout(resolve, 1000 / floodRps + 5));
}

const quietQuestions = [
  '七天无理由退货怎么申请？',
  '运费怎么算',
  '怎么开发票',
  '優惠券怎麼用',
  'How do I get an invoice?',
];
const floodQuestions = ['信用卡怎么分期？', '信用卡年费怎么收', '怎麼掛失信用卡', 'How do I raise my credit limit?'];
function turns(conversations: string[], questions: string[]) {
  let counter = 0;
  return {
    method: 'POST' as const,
    setupRequest: (request: autocannon.Request): autocannon.Request => {
      counter += 1;
      return {
        ...request,
        path: `/v1/conversations/${conversations[counter % conversations.length]}/messages`,
        body: JSON.stringify({ text: questions[counter % questions.length] }),
      };
    },
  };
}
const quiet = (seconds: number) =>
  run({
    url: server.url,
    headers: quietHeaders,
    requests: [turns(quietConversations, quietQuestions)],
    duration: seconds,
    connections: quietConnections,
    overallRate: quietRate,
  });

// Warm-up (JIT, caches), then A alone, then A while B floods.
await quiet(3).done;
const alone = await quiet(duration).done;
const flood = run({
  url: server.url,
  headers: floodHeaders,
  requests: [turns(floodConversations, floodQuestions)],
  duration: duration + 30,
  connections: floodConnections,
});
await new Promise((resolve) => setTimeout(resolve, 1500));
const underFlood = await quiet(duration).done;
flood.stop();
const floodResult = await flood.done;

// A sample of what each tenant got during the run.
const sample = await fetch(`${server.url}/v1/conversations/${quietConversations[0]}/messages`, {
  method: 'POST',
  headers: quietHeaders,
  body: JSON.stringify({ text: quietQuestions[0] }),
});
const sampleTurn = ((await sample.json()) as { turn: { route: string; tier: string; intent: string } }).turn;
const refused = await fetch(`${server.url}/v1/conversations/${floodConversations[0]}/messages`, {
  method: 'POST',
  headers: floodHeaders,
  body: JSON.stringify({ text: floodQuestions[0] }),
});

server.child.kill('SIGTERM');
await new Promise((resolve) => server.child.once('exit', resolve));
rmSync(dataDir, { recursive: true, force: true });

const statusCount = (result: autocannon.Result, status: number) =>
  (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats?.[String(status)]
    ?.count ?? 0;
const row = (result: autocannon.Result) => ({
  requests: result.requests.total,
  requests_per_second: Math.round(result.requests.average),
  latency_p50_ms: result.latency.p50,
  latency_p90_ms: result.latency.p90,
  latency_p99_ms: result.latency.p99,
  latency_max_ms: result.latency.max,
  status_201: statusCount(result, 201),
  status_429: statusCount(result, 429),
  non_2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
});
const aAlone = row(alone);
const aFlood = row(underFlood);
const b = row(floodResult);
const ratio = (x: number, y: number) => (y > 0 ? Number((x / y).toFixed(2)) : null);
const summary = {
  date: new Date().toISOString(),
  command: `npm run bench:tenants -- --duration ${duration} --rate ${quietRate} --connections ${quietConnections} --flood-connections ${floodConnections} --flood-rps ${floodRps}${label ? ` --label ${label}` : ''}`,
  database: postgres ? 'PostgreSQL' : 'PGlite',
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
  quiet_tenant: {
    slug: 'shop-zh',
    plan: 'default (200 req/s, burst 400)',
    offered_rate: quietRate,
    connections: quietConnections,
  },
  flood_tenant: { slug: 'bank-zh', plan: `${floodRps} req/s, burst ${floodRps * 2}`, connections: floodConnections },
  a_alone: aAlone,
  a_under_flood: aFlood,
  b_flood: b,
  ratio_p50: ratio(aFlood.latency_p50_ms, aAlone.latency_p50_ms),
  ratio_p99: ratio(aFlood.latency_p99_ms, aAlone.latency_p99_ms),
  b_429_share: b.requests > 0 ? Number((b.status_429 / b.requests).toFixed(4)) : null,
  b_accepted_per_second: Number((b.status_201 / (floodResult.duration || 1)).toFixed(1)),
  sample_a_turn: sampleTurn,
  sample_b_status_after: refused.status,
};
const suffix = `${postgres ? '-postgres' : ''}${label ? `-${label}` : ''}`;
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/tenants${suffix}.json`, `${JSON.stringify(summary, null, 2)}\n`);
const markdown = `# Noisy neighbour (${summary.database})

\`${summary.command}\`${postgres ? ' with DATABASE_URL set' : ''} — ${summary.date}, ${summary.machine}.
One kefu process on 127.0.0.1 (${summary.database}); autocannon in the parent process. Tenant A (shop-zh)
offers ${quietRate} messages/s on ${quietConnections} connections (FAQ turns: two commits each); tenant B
(bank-zh, plan ${summary.flood_tenant.plan}) floods POST messages on ${floodConnections} connections.
Shared 2-core machine (other engineers' jobs run too): read the ratios, not the absolute numbers.

| tenant A | requests | p50 ms | p90 ms | p99 ms | max ms | non-2xx | errors |
|---|---:|---:|---:|---:|---:|---:|---:|
| alone | ${aAlone.requests} | ${aAlone.latency_p50_ms} | ${aAlone.latency_p90_ms} | ${aAlone.latency_p99_ms} | ${aAlone.latency_max_ms} | ${aAlone.non_2xx} | ${aAlone.errors} |
| while B floods | ${aFlood.requests} | ${aFlood.latency_p50_ms} | ${aFlood.latency_p90_ms} | ${aFlood.latency_p99_ms} | ${aFlood.latency_max_ms} | ${aFlood.non_2xx} | ${aFlood.errors} |

**A's p99 under flood / alone: ${summary.ratio_p99}×** (target ≤ 2×); p50 ratio ${summary.ratio_p50}×.

Tenant B: ${b.requests} requests (${b.requests_per_second}/s offered), ${b.status_201} accepted (${summary.b_accepted_per_second}/s),
${b.status_429} refused with 429 — **${summary.b_429_share === null ? 'n/a' : (summary.b_429_share * 100).toFixed(1)} %** — other non-2xx ${b.non_2xx - b.status_429}, errors ${b.errors}.
B's refusals are held back 1 s on the early (pre-authentication) path, so each of its connections
gets about one answer a second; B's offered rate is what its ${floodConnections} connections managed.
A sample turn of A afterwards: route \`${sampleTurn.route}\`, tier \`${sampleTurn.tier}\`, intent \`${sampleTurn.intent}\`; B's next message got ${refused.status}.
`;
writeFileSync(`bench/results/tenants${suffix}.md`, markdown);
process.stdout.write(markdown);
process.exit(0);

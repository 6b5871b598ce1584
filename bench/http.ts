/**
 * HTTP benchmark: turns/s and latency of POST /v1/conversations/:id/messages on the FAQ path,
 * against two baselines measured in the same run: a bare Fastify echo route, and the durable
 * floor (bench/support/floor-server.ts: look the key up, write the customer message and a reply
 * in one transaction, on the same kind of database). All servers run as child processes on
 * 127.0.0.1; autocannon drives them from this process, one after the other. The bench tenant is
 * moved to an unlimited plan first, so the turn is measured, not the rate limiter.
 *
 *   npm run bench:http [-- --duration 10 --connections 10] [--cpu-prof DIR] [--label NAME]
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import {
  processCpuMs,
  runAutocannon as run,
  startProcess as start,
  unlimitedPlan,
  waitUntilIdle,
} from './support/processes.js';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const duration = argument('duration', 10);
const connections = argument('connections', 10);
// --label NAME writes bench/results/http-NAME.{json,md} (e.g. a baseline kept beside the current result).
const labelIndex = process.argv.indexOf('--label');
const label = labelIndex >= 0 ? `-${process.argv[labelIndex + 1]}` : '';
// --cpu-prof DIR writes a V8 CPU profile of the kefu server (the whole run) into DIR.
const profileIndex = process.argv.indexOf('--cpu-prof');
const profileArgs =
  profileIndex >= 0
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.argv[profileIndex + 1] ?? 'bench/profiles')}`]
    : [];
// --kefu-dir DIR runs the kefu server of another checkout (a baseline commit, e.g. a git worktree).
const kefuDirIndex = process.argv.indexOf('--kefu-dir');
const kefuDir = kefuDirIndex >= 0 ? path.resolve(process.argv[kefuDirIndex + 1]!) : process.cwd();
const operatorKey = `kefu_op_bench${randomBytes(18).toString('hex')}`;

const dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-bench-http-'));
const kefu = await start(
  [...profileArgs, 'bin/kefu.js', 'serve'],
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
const echo = await start(['--import', 'tsx', 'bench/support/echo-server.ts'], {}, /LISTENING (\S+)/);
const floor = await start(
  ['--import', 'tsx', 'bench/support/floor-server.ts'],
  { DATABASE_URL: process.env.DATABASE_URL ?? '' },
  /LISTENING (\S+) KEY (\S+) CONVERSATIONS (\S+)/,
);
const kefuUrl = kefu.match[1]!;
const apiKey = kefu.match[2]!;
const echoUrl = echo.match[1]!;
const floorUrl = floor.match[1]!;
const floorHeaders = { authorization: `Bearer ${floor.match[2]!}`, 'content-type': 'application/json' };
const floorConversations = floor.match[3]!.split(',');
const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };

// The bench tenant runs on an unlimited plan: the turn is measured, not the 429 hold-back.
await unlimitedPlan(kefuUrl, operatorKey, 'shop-zh');
// Start-up work (demo models trained in worker threads) is over before anything is measured.
await waitUntilIdle(kefu.child.pid!);

// 100 conversations, rotated, so turns do not all queue on one conversation's row lock.
const conversations: string[] = [];
for (let index = 0; index < 100; index += 1) {
  const response = await fetch(`${kefuUrl}/v1/conversations`, { method: 'POST', headers, body: '{}' });
  conversations.push(((await response.json()) as { id: string }).id);
}
const questions = ['七天无理由退货怎么申请？', '运费怎么算', '怎么开发票', '優惠券怎麼用', '会员积分有什么用'];
let counter = 0;
const faqBody = JSON.stringify({ text: questions[0] });

// Warm up both (JIT, caches), then measure each alone.
await run({
  url: `${echoUrl}/echo`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: faqBody,
  duration: 2,
  connections,
});
const turnRequest = {
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
let floorCounter = 0;
const floorRequest = {
  method: 'POST' as const,
  setupRequest: (request: autocannon.Request): autocannon.Request => {
    floorCounter += 1;
    return {
      ...request,
      path: `/v1/conversations/${floorConversations[floorCounter % floorConversations.length]}/messages`,
      body: JSON.stringify({ text: questions[floorCounter % questions.length] }),
    };
  },
};
await run({ url: kefuUrl, headers, requests: [turnRequest], duration: 2, connections });
await run({ url: floorUrl, headers: floorHeaders, requests: [floorRequest], duration: 2, connections });

const echoResult = await run({
  url: `${echoUrl}/echo`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: faqBody,
  duration,
  connections,
});
const floorCpu = processCpuMs(floor.child.pid!);
const floorResult = await run({
  url: floorUrl,
  headers: floorHeaders,
  requests: [floorRequest],
  duration,
  connections,
});
const floorCpuMs = processCpuMs(floor.child.pid!) - floorCpu;
const kefuCpu = processCpuMs(kefu.child.pid!);
const kefuResult = await run({ url: kefuUrl, headers, requests: [turnRequest], duration, connections });
const kefuCpuMs = processCpuMs(kefu.child.pid!) - kefuCpu;

// Check the turns were real FAQ answers, not errors.
const sample = await fetch(`${kefuUrl}/v1/conversations/${conversations[0]}/messages`, {
  method: 'POST',
  headers,
  body: JSON.stringify({ text: questions[0] }),
});
const sampleBody = (await sample.json()) as { turn: { route: string; tier: string; intent: string } };

const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));
const stopped = [exited(kefu.child), exited(floor.child)];
kefu.child.kill('SIGTERM');
echo.child.kill('SIGTERM');
floor.child.kill('SIGTERM');
await Promise.all(stopped);
rmSync(dataDir, { recursive: true, force: true });

const row = (name: string, result: autocannon.Result, cpuMs?: number) => ({
  name,
  // Server CPU (ms) per answered request: the figure a busy shared machine does not distort.
  cpu_ms_per_request: cpuMs === undefined ? null : Number((cpuMs / Math.max(1, result.requests.total)).toFixed(3)),
  requests_per_second: Math.round(result.requests.average),
  latency_p50_ms: result.latency.p50,
  latency_p99_ms: result.latency.p99,
  non_2xx: result.non2xx,
  errors: result.errors,
  total: result.requests.total,
});
const echoRow = row('bare Fastify echo', echoResult);
const database = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const floorRow = row(
  `durable floor (key lookup + message and reply in one transaction, ${database})`,
  floorResult,
  floorCpuMs,
);
const kefuRow = row(
  `kefu POST message (FAQ path, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`,
  kefuResult,
  kefuCpuMs,
);
const summary = {
  date: new Date().toISOString(),
  command: `npm run bench:http -- --duration ${duration} --connections ${connections}${label ? ` --label ${label.slice(1)}` : ''}${kefuDirIndex >= 0 ? ` --kefu-dir ${process.argv[kefuDirIndex + 1]}` : ''}`,
  kefu_commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: kefuDir }).toString().trim(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
  sample_turn: sampleBody.turn,
  echo: echoRow,
  floor: floorRow,
  kefu: kefuRow,
  ratio_throughput_kefu_to_floor: Number((kefuRow.requests_per_second / floorRow.requests_per_second).toFixed(3)),
  // Floor CPU per turn ÷ kefu CPU per turn: the throughput ratio both would reach on a machine of their own.
  ratio_cpu_floor_to_kefu: Number((floorRow.cpu_ms_per_request! / kefuRow.cpu_ms_per_request!).toFixed(3)),
  load_average: loadavg().map((value) => Number(value.toFixed(2))),
  ratio_throughput_kefu_to_echo: Number((kefuRow.requests_per_second / echoRow.requests_per_second).toFixed(4)),
  // autocannon reports whole milliseconds: an echo p50 of 0 means "under 1 ms", no ratio to take.
  ratio_p50_kefu_to_echo:
    echoRow.latency_p50_ms >= 1 ? Number((kefuRow.latency_p50_ms / echoRow.latency_p50_ms).toFixed(2)) : null,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/http${process.env.DATABASE_URL ? '-postgres' : ''}${label}.json`,
  `${JSON.stringify(summary, null, 2)}\n`,
);
const markdown = `# HTTP benchmark

\`${summary.command}\` — ${summary.date}, ${summary.machine}, kefu at ${summary.kefu_commit}. Both servers are child processes on
127.0.0.1; autocannon (${connections} connections, ${duration} s each, after a 2 s warm-up) runs in the parent process.
Shared 2-core machine (load average after the run: ${summary.load_average.join(' ')}): read the ratios, not the absolute numbers.
The bench tenant is on an unlimited plan (100,000 req/s), so the rate limiter does not shape the result.

| server | req/s | p50 ms | p99 ms | non-2xx | errors | server CPU ms per request |
|---|---:|---:|---:|---:|---:|---:|
| ${echoRow.name} | ${echoRow.requests_per_second} | ${echoRow.latency_p50_ms} | ${echoRow.latency_p99_ms} | ${echoRow.non_2xx} | ${echoRow.errors} | |
| ${floorRow.name} | ${floorRow.requests_per_second} | ${floorRow.latency_p50_ms} | ${floorRow.latency_p99_ms} | ${floorRow.non_2xx} | ${floorRow.errors} | ${floorRow.cpu_ms_per_request} |
| ${kefuRow.name} | ${kefuRow.requests_per_second} | ${kefuRow.latency_p50_ms} | ${kefuRow.latency_p99_ms} | ${kefuRow.non_2xx} | ${kefuRow.errors} | ${kefuRow.cpu_ms_per_request} |

**kefu / durable floor: ${summary.ratio_throughput_kefu_to_floor} by throughput, ${summary.ratio_cpu_floor_to_kefu} by server CPU per turn** (goal ≥ 0.5); kefu / echo: ${summary.ratio_throughput_kefu_to_echo}; p50 latency: kefu ${kefuRow.latency_p50_ms} ms vs echo ${echoRow.latency_p50_ms >= 1 ? `${echoRow.latency_p50_ms} ms (${summary.ratio_p50_kefu_to_echo}x)` : 'under 1 ms (autocannon resolution)'}.
A sample turn during the run: route \`${sampleBody.turn.route}\`, tier \`${sampleBody.turn.tier}\`, intent \`${sampleBody.turn.intent}\`.
Each kefu request authenticates the key (a database lookup), reads the conversation, runs the turn pipeline
(normalise, guard, classifier, routing, FAQ answer, style guard) and, as a one-commit turn, stores the customer
message, the reply, its trace, ledger rows and the dialogue state in one transaction, shared with the other turns
ready at that moment (group commit). The floor writes two small rows and nothing else. Server CPU per request is
the kefu (or floor) process's own; with PostgreSQL the database server's CPU is not in it.
`;
writeFileSync(`bench/results/http${process.env.DATABASE_URL ? '-postgres' : ''}${label}.md`, markdown);
process.stdout.write(markdown);
process.exit(0);

/**
 * WebSocket benchmark: N widget WebSocket connections against one kefu process on 127.0.0.1,
 * each sending customer messages at a steady rate; reports connect time, message round trip
 * (customer message sent → the bot's reply frame received) p50/p99, and the server's RSS and
 * CPU. The server is a child process started through a shell that raises its open-file limit
 * to the hard limit; this process (the clients) shares the same 2 cores.
 *
 *   npm run bench:ws -- --connections 1000 [--rate 40] [--duration 60] [--database pglite|postgres]
 *   npm run bench:ws -- --report-only     (rebuild ws.md from the JSON runs)
 *
 * --rate is messages per second over all connections (each connection sends every
 * connections/rate seconds, starting at a random offset), so runs at different N put the same
 * turn load on the server and differ in the connections it holds. Results: one JSON file per run
 * in bench/results/ws-<database>-<N>.json, and bench/results/ws.md rebuilt from all of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { frameText } from '../test/support/socket-text.js';
import { unlimitedPlan, waitUntilIdle } from './support/processes.js';

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
};
const connections = Math.max(1, Math.min(10_000, Number(argument('connections', '100'))));
const rate = Math.max(0.1, Number(argument('rate', '40')));
const durationSeconds = Math.max(5, Math.min(600, Number(argument('duration', '60'))));
const database = argument('database', 'pglite') as 'pglite' | 'postgres';
const replyTimeoutMs = 15_000;
if (database !== 'pglite' && database !== 'postgres') throw new Error('--database is pglite or postgres');
const postgresUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

if (process.argv.includes('--report-only')) {
  // Rebuild bench/results/ws.md from the runs kept there, without running anything.
  writeMarkdown();
  process.exit(0);
}

const openFileLimit = () => Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 0);
if (openFileLimit() < connections + 200) {
  throw new Error(
    `this process may open ${openFileLimit()} files; ${connections} connections need more (run under a shell with a higher ulimit -n)`,
  );
}

// ---------------------------------------------------------------------------------------------
// The server: a child `kefu serve` with its open-file limit raised as far as the hard limit allows.

const dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-bench-ws-'));
const schema = `bench_ws_${randomBytes(4).toString('hex')}`;
let admin: pg.Client | null = null;
if (database === 'postgres') {
  admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
}
const databaseUrl =
  database === 'postgres'
    ? `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
    : '';

const operatorKey = `kefu_op_bench${randomBytes(18).toString('hex')}`;

function startServer(): Promise<{ child: ChildProcess; url: string; fileLimit: number }> {
  return new Promise((resolve, reject) => {
    const script = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; echo "FILE_LIMIT $(ulimit -n)"; exec "$0" bin/kefu.js serve';
    const child = spawn('bash', ['-c', script, process.execPath], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        KEFU_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        KEFU_DEMO: 'true',
        KEFU_TODAY: '2026-11-25',
        DATABASE_URL: databaseUrl,
        REDIS_URL: '',
        KEFU_OPERATOR_KEY: operatorKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`kefu did not start in 180 s: ${output.slice(-2000)}`)), 180_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const url = /API\s+(http:\/\/\S+)\/v1/.exec(output)?.[1];
      const limit = /FILE_LIMIT (\d+)/.exec(output)?.[1];
      if (url && limit && /npx kefu chat[^\n]*\n/.test(output)) {
        clearTimeout(timer);
        resolve({ child, url, fileLimit: Number(limit) });
      }
    });
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kefu exited ${code}: ${output.slice(-2000)}`));
    });
  });
}

/** The server's RSS (MB) and CPU time (s) from /proc: PGlite runs inside it, PostgreSQL does not. */
function serverUsage(pid: number): { rssMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15 of stat)
  return { rssMb: Math.round(rssKb / 1024), cpuSeconds: ticks / 100 };
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

const started = new Date();
const server = await startServer();
const pid = server.child.pid!;
console.error(`kefu on ${server.url} (pid ${pid}, open-file limit ${server.fileLimit}, ${database})`);
// The tenant runs on an unlimited plan, so a burst of sessions and messages measures kefu, not its limiter.
await unlimitedPlan(server.url, operatorKey, 'shop-zh');
await waitUntilIdle(pid);
if (server.fileLimit < connections + 200) console.error(`warning: the server may open only ${server.fileLimit} files`);

// ---------------------------------------------------------------------------------------------
// Sessions (one conversation per connection, the two demo tenants alternating), then connections.

// shop-zh's FAQ questions the light tier answers itself (zh-Hans, zh-Hant, English): every message
// gets a bot reply, none goes to a person (whose conversation the bot would leave alone).
const tenants = ['shop-zh'];
const questions: Record<string, string[]> = {
  'shop-zh': [
    '运费怎么算？',
    '七天無理由退貨怎麼申請？',
    'How much is shipping?',
    '怎么开发票',
    '優惠券怎麼用',
    '会员积分有什么用',
  ],
};

async function inBatches<T>(count: number, concurrency: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await work(index);
      }
    }),
  );
  return results;
}

interface Client {
  tenant: string;
  socket: WebSocket;
  sentAt: number | null;
  sent: number;
  closed: boolean;
}

const idle = serverUsage(pid);
const sessionsStarted = performance.now();
const sessions = await inBatches(connections, 32, async (index) => {
  const tenant = tenants[index % tenants.length]!;
  const response = await fetch(`${server.url}/widget/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant }),
  });
  if (response.status !== 201) throw new Error(`session ${index}: ${response.status} ${await response.text()}`);
  return { tenant, ...((await response.json()) as { token: string; conversationId: string }) };
});
const sessionsSeconds = (performance.now() - sessionsStarted) / 1000;

const roundTrips: number[] = [];
const connectTimes: number[] = [];
let errorsFrames = 0;
let replyTimeouts = 0;
let unexpectedCloses = 0;
let measuring = false;

const connectStarted = performance.now();
const clients = await inBatches(connections, 200, (index) => {
  const session = sessions[index]!;
  return new Promise<Client>((resolve, reject) => {
    const opened = performance.now();
    const query = new URLSearchParams({ token: session.token, conversationId: session.conversationId });
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/widget/v1/ws?${query.toString()}`);
    const client: Client = { tenant: session.tenant, socket, sentAt: null, sent: 0, closed: false };
    socket.on('open', () => {
      connectTimes.push(performance.now() - opened);
      resolve(client);
    });
    socket.on('error', (error) => reject(error));
    socket.on('close', () => {
      client.closed = true;
      if (measuring) unexpectedCloses += 1;
    });
    socket.on('message', (data) => {
      const frame = JSON.parse(frameText(data)) as { type: string; message?: { direction: string } };
      if (frame.type === 'error') errorsFrames += 1;
      if (frame.type === 'message.created' && frame.message?.direction === 'outgoing' && client.sentAt !== null) {
        if (measuring) roundTrips.push(performance.now() - client.sentAt);
        client.sentAt = null;
      }
    });
  });
});
const connectSeconds = (performance.now() - connectStarted) / 1000;
await new Promise((resolve) => setTimeout(resolve, 2_000));
const connectedUsage = serverUsage(pid);

// Warm up: one message on each of the first 20 connections (models load, JIT), not measured.
const send = (client: Client) => {
  if (client.closed) return;
  if (client.sentAt !== null) {
    if (performance.now() - client.sentAt < replyTimeoutMs) return; // still waiting: skip this tick
    if (measuring) replyTimeouts += 1;
  }
  const texts = questions[client.tenant]!;
  client.sent += 1;
  client.sentAt = performance.now();
  client.socket.send(
    JSON.stringify({
      type: 'message.create',
      clientId: `c${client.sent}-${randomBytes(3).toString('hex')}`,
      text: texts[client.sent % texts.length],
    }),
  );
};
for (const client of clients.slice(0, 20)) send(client);
const warmDeadline = Date.now() + 60_000;
while (clients.slice(0, 20).some((client) => client.sentAt !== null) && Date.now() < warmDeadline)
  await new Promise((resolve) => setTimeout(resolve, 50));
for (const client of clients) client.sentAt = null;

// Load: every connection sends every connections/rate seconds from a random offset.
const intervalMs = (connections / rate) * 1000;
measuring = true;
const loadStart = serverUsage(pid);
const clientCpuStart = process.cpuUsage();
const loadAverageStart = loadavg()[0]!;
const loadStarted = performance.now();
const timers: NodeJS.Timeout[] = [];
let peakRssMb = loadStart.rssMb;
const sampler = setInterval(() => {
  peakRssMb = Math.max(peakRssMb, serverUsage(pid).rssMb);
}, 1_000);
for (const client of clients) {
  // A random phase in the connection's own interval: R messages/s overall from the first second
  // (connections whose first turn falls after the load phase send nothing).
  const offset = Math.random() * intervalMs;
  if (offset >= durationSeconds * 1000) continue;
  timers.push(
    setTimeout(() => {
      send(client);
      timers.push(setInterval(() => send(client), intervalMs));
    }, offset),
  );
}
await new Promise((resolve) => setTimeout(resolve, durationSeconds * 1000));
for (const timer of timers) clearTimeout(timer);
const loadSeconds = (performance.now() - loadStarted) / 1000;
const loadEnd = serverUsage(pid);
const clientCpu = process.cpuUsage(clientCpuStart);
const loadAverageEnd = loadavg()[0]!;
// Let the last replies arrive (counted), then stop.
const drainDeadline = Date.now() + replyTimeoutMs;
while (clients.some((client) => client.sentAt !== null && !client.closed) && Date.now() < drainDeadline)
  await new Promise((resolve) => setTimeout(resolve, 50));
replyTimeouts += clients.filter((client) => client.sentAt !== null).length;
measuring = false;
clearInterval(sampler);
const sentTotal = clients.reduce((sum, client) => sum + client.sent, 0) - Math.min(20, clients.length);

for (const client of clients) client.socket.terminate();
server.child.kill('SIGTERM');
await new Promise((resolve) => server.child.once('exit', resolve));
rmSync(dataDir, { recursive: true, force: true });
if (admin) {
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
}

const result = {
  date: started.toISOString(),
  command: `npm run bench:ws -- --connections ${connections} --rate ${rate} --duration ${durationSeconds} --database ${database}`,
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
  database,
  connections,
  serverFileLimit: server.fileLimit,
  sessionsSeconds: round(sessionsSeconds),
  connectSeconds: round(connectSeconds, 2),
  connectMs: {
    p50: round(percentile(connectTimes, 50)),
    p99: round(percentile(connectTimes, 99)),
    max: round(Math.max(...connectTimes)),
  },
  rateTarget: rate,
  messagesSent: sentTotal,
  replies: roundTrips.length,
  replyTimeouts,
  errorFrames: errorsFrames,
  unexpectedCloses,
  throughput: round(roundTrips.length / loadSeconds),
  roundTripMs: {
    p50: round(percentile(roundTrips, 50)),
    p90: round(percentile(roundTrips, 90)),
    p99: round(percentile(roundTrips, 99)),
    max: round(Math.max(...roundTrips)),
  },
  serverRssMb: { idle: idle.rssMb, connected: connectedUsage.rssMb, peakUnderLoad: peakRssMb },
  serverCpuPercent: round(((loadEnd.cpuSeconds - loadStart.cpuSeconds) / loadSeconds) * 100),
  clientCpuPercent: round(((clientCpu.user + clientCpu.system) / 1e6 / loadSeconds) * 100),
  loadAverage1m: { start: round(loadAverageStart, 2), end: round(loadAverageEnd, 2) },
};
console.log(JSON.stringify(result, null, 2));
writeFileSync(path.join('bench/results', `ws-${database}-${connections}.json`), `${JSON.stringify(result, null, 2)}\n`);
writeMarkdown();

/** bench/results/ws.md from every ws-*.json run kept there. */
function writeMarkdown(): void {
  const runs = readdirSync('bench/results')
    .filter((file) => /^ws-(pglite|postgres)-\d+\.json$/.test(file))
    .map((file) => JSON.parse(readFileSync(path.join('bench/results', file), 'utf8')) as typeof result)
    .sort((a, b) => a.database.localeCompare(b.database) || a.connections - b.connections);
  const lines = [
    '# WebSocket benchmark',
    '',
    '`npm run bench:ws -- --connections N --rate R --duration S --database pglite|postgres` (bench/ws.ts). One kefu',
    'process on 127.0.0.1 (demo tenants, light tier, no LLM) started through a shell that raises its open-file',
    'limit to the hard limit; N widget sessions of shop-zh (one conversation each), then N WebSocket connections',
    'from this one client process; every connection sends a customer message (FAQ questions in zh-Hans, zh-Hant and',
    'English) every N/R seconds from a random offset, so R messages/s in total at every N.',
    'Round trip = the message frame sent → the bot reply frame received on the same socket. Connect = WebSocket',
    "handshake (TCP + HTTP upgrade) until open. RSS/CPU are the server process's (from /proc; PGlite runs inside it,",
    'a PostgreSQL server does not). CPU is % of one core over the load phase: 200 % is both cores.',
    '',
    "**Shared machine**: 2 cores, shared with ~7 engineers' builds and tests (the 1-minute load average is in the",
    'table: above 2 the cores were oversubscribed), and with this client process; read the figures as an order of',
    'magnitude and the trend with N, not as capacity. The open-file limit is the hard limit of this machine',
    '(`ulimit -Hn` = 20000; raising it further is not permitted here), so 10,000 connections is the ceiling per process.',
    '',
    '| database | N | files (server) | sessions s | connect all s | connect p50/p99 ms | msg/s target | replies/s | RTT p50 ms | RTT p99 ms | timeouts | errors | RSS idle → connected → peak MB | server CPU % | client CPU % | load avg 1 min |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|',
    ...runs.map(
      (run) =>
        `| ${run.database} | ${run.connections} | ${run.serverFileLimit} | ${run.sessionsSeconds} | ${run.connectSeconds} | ${run.connectMs.p50} / ${run.connectMs.p99} | ${run.rateTarget} | ${run.throughput} | ${run.roundTripMs.p50} | ${run.roundTripMs.p99} | ${run.replyTimeouts} | ${run.errorFrames + run.unexpectedCloses} | ${run.serverRssMb.idle} → ${run.serverRssMb.connected} → ${run.serverRssMb.peakUnderLoad} | ${run.serverCpuPercent} | ${run.clientCpuPercent} | ${run.loadAverage1m.start} → ${run.loadAverage1m.end} |`,
    ),
    '',
    "Reading the figures. A WebSocket costs the server a few queries when it opens (the token's identity, the",
    "conversation, the tenant's status, the hand-off state, the backlog after `after`); PGlite runs every query on",
    "the server's own thread, one at a time, so under a burst of connections each handshake waits behind the others'",
    'queries, while with PostgreSQL they overlap. Sessions (`POST /widget/v1/sessions`) are serialised per tenant by',
    "the lock that hands out display ids, and all sessions here are one tenant's. Holding idle connections costs",
    'little (RSS from idle to connected); the turns, not the sockets, use the CPU. A reply timeout is a message with',
    'no bot reply within 15 s.',
    '',
    'Runs (date, command, machine):',
    '',
    ...runs.map(
      (run) =>
        `- ${run.date} — \`${run.command}\` — ${run.machine}; ${run.messagesSent} messages sent, ${run.replies} replies in the load phase.`,
    ),
    '',
  ];
  // Runs of older code kept for comparison (ws-<database>-<N>-before-<change>.json).
  const before = readdirSync('bench/results').filter((file) =>
    /^ws-(pglite|postgres)-\d+-before-[\w-]+\.json$/.test(file),
  );
  if (before.length > 0) {
    lines.push('Earlier runs, before a change, kept for comparison:', '');
    for (const file of before.sort()) {
      const run = JSON.parse(readFileSync(path.join('bench/results', file), 'utf8')) as typeof result;
      const change = /-before-([\w-]+)\.json$/.exec(file)![1]!.replace(/-/g, ' ');
      lines.push(
        `- before "${change}" (${file}, ${run.date}): ${run.database}, N = ${run.connections}, ${run.rateTarget} msg/s target → ${run.throughput} replies/s, RTT p50 ${run.roundTripMs.p50} ms, p99 ${run.roundTripMs.p99} ms, ${run.replyTimeouts} timeouts, server CPU ${run.serverCpuPercent} %, load ${run.loadAverage1m.start} → ${run.loadAverage1m.end}.`,
      );
    }
    lines.push(
      '',
      'The change: every open widget had its own handler on the event bus (the hand-off link in',
      '`src/handoff/widget-link.ts`), so each event ran 10,000 handlers; it now uses `eventRouter(bus)` like the',
      "message stream, and each event reaches only its own conversation's sockets.",
      '',
    );
  }
  writeFileSync('bench/results/ws.md', lines.join('\n'));
}

/**
 * Soak: one kefu process on 127.0.0.1 under a steady, bounded mix of work that opens and closes
 * everything a node holds (REST chat turns, SSE streams, widget sockets, agent console sockets),
 * for --minutes. Every 15 s it reads the server's RSS (/proc) and event-loop delay p99 (its
 * /metrics), and reports both curves: a leak shows as a rising RSS, a stall as a rising delay.
 *
 *   npm run bench:soak -- [--minutes 20] [--label name]
 *
 * Results: bench/results/soak[-label].json and .md. Bounded: it stops after --minutes (at most
 * 60), and every loop waits for its previous round.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
};
const minutes = Math.max(1, Math.min(60, Number(argument('minutes', '20'))));
const label = argument('label', '');
const sampleEveryMs = 15_000;

const dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-soak-'));
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/soak-server.ts'], {
  env: { ...process.env, KEFU_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', KEFU_TODAY: '2026-11-25' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const ready = await new Promise<string[]>((resolve, reject) => {
  let output = '';
  const timer = setTimeout(() => reject(new Error('kefu did not start in 300 s')), 300_000);
  child.stdout!.on('data', (chunk) => {
    output += chunk;
    const line = /READY (.+)\n/.exec(output)?.[1];
    if (line) {
      clearTimeout(timer);
      resolve(line.split(' '));
    }
  });
  child.on('exit', (code) => reject(new Error(`kefu exited ${code}`)));
});
const [base, apiKey, agentEmail, agentPassword] = ready as [string, string, string, string];
console.error(`kefu on ${base} (pid ${child.pid}), soaking for ${minutes} min`);

const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
const questions = ['运费怎么算？', '七天無理由退貨怎麼申請？', 'How much is shipping?', '怎么开发票', '优惠券怎么用'];
const counts = { turns: 0, sse: 0, widgetSockets: 0, agentSockets: 0, errors: 0 };
const deadline = Date.now() + minutes * 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;

async function json<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${base}${url}`, init);
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status}`);
  return (await response.json()) as T;
}

/** REST: a conversation, two turns, and an SSE stream held open for a few seconds, then closed. */
async function chatLoop(): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const conversation = await json<{ id: string }>('/v1/conversations', {
        method: 'POST',
        headers: auth,
        body: '{}',
      });
      const controller = new AbortController();
      const stream = fetch(`${base}/v1/conversations/${conversation.id}/stream`, {
        headers: { authorization: auth.authorization },
        signal: controller.signal,
      })
        .then(async (response) => {
          counts.sse += 1;
          for await (const _chunk of response.body!) {
            // drain until aborted
          }
        })
        .catch(() => undefined);
      for (let turn = 0; turn < 2; turn += 1) {
        await json<unknown>(`/v1/conversations/${conversation.id}/messages`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ text: pick(questions) }),
        });
        counts.turns += 1;
      }
      await sleep(2_000);
      controller.abort();
      await stream;
    } catch {
      counts.errors += 1;
      await sleep(500);
    }
  }
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Widget: a session, a socket, one message and its answer, then close. */
async function widgetLoop(): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const session = await json<{ token: string; conversationId: string }>('/widget/v1/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'shop-zh' }),
      });
      const query = new URLSearchParams({ token: session.token, conversationId: session.conversationId });
      const socket = await openSocket(`${base.replace(/^http/, 'ws')}/widget/v1/ws?${query.toString()}`);
      counts.widgetSockets += 1;
      const answered = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        socket.on('message', (data: Buffer) => {
          const frame = JSON.parse(data.toString('utf8')) as { type?: string; message?: { direction?: string } };
          if (frame.type === 'message.created' && frame.message?.direction === 'outgoing') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      socket.send(JSON.stringify({ type: 'message.create', clientId: `soak-${Date.now()}`, text: pick(questions) }));
      await answered;
      socket.close();
      await sleep(250);
    } catch {
      counts.errors += 1;
      await sleep(500);
    }
  }
}

/** Agent console: log in once, then open a socket, stay a few seconds, close, again. */
async function agentLoop(): Promise<void> {
  const session = await json<{ token: string }>('/v1/agent/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'shop-zh', email: agentEmail, password: agentPassword }),
  });
  while (Date.now() < deadline) {
    try {
      const socket = await openSocket(
        `${base.replace(/^http/, 'ws')}/v1/agent/ws?token=${encodeURIComponent(session.token)}`,
      );
      counts.agentSockets += 1;
      await sleep(3_000);
      socket.close();
      await sleep(500);
    } catch {
      counts.errors += 1;
      await sleep(1_000);
    }
  }
}

interface Sample {
  minute: number;
  rssMb: number;
  heapUsedMb: number | null;
  eventLoopP99Ms: number | null;
  turns: number;
  load1: number;
}
const samples: Sample[] = [];
const started = Date.now();

function metricValue(text: string, name: string): number | null {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

async function sample(): Promise<void> {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rssMb = Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  let heapUsedMb: number | null = null;
  let eventLoopP99Ms: number | null = null;
  try {
    const text = await (await fetch(`${base}/metrics`)).text();
    const heap = metricValue(text, 'kefu_nodejs_heap_size_used_bytes');
    const lag = metricValue(text, 'kefu_nodejs_eventloop_lag_p99_seconds');
    heapUsedMb = heap === null ? null : Math.round(heap / 1024 / 1024);
    eventLoopP99Ms = lag === null ? null : Math.round(lag * 10_000) / 10;
  } catch {
    counts.errors += 1;
  }
  const entry = {
    minute: Math.round(((Date.now() - started) / 60_000) * 100) / 100,
    rssMb,
    heapUsedMb,
    eventLoopP99Ms,
    turns: counts.turns,
    load1: Math.round(loadavg()[0]! * 10) / 10,
  };
  samples.push(entry);
  console.error(JSON.stringify({ ...entry, ...counts }));
}

const sampler = (async () => {
  while (Date.now() < deadline) {
    await sample();
    await sleep(sampleEveryMs);
  }
  await sample();
})();
await Promise.all([chatLoop(), chatLoop(), widgetLoop(), widgetLoop(), agentLoop(), sampler]);

child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
rmSync(dataDir, { recursive: true, force: true });

// The trend of the second half against the first: a flat curve stays near 0.
const half = samples.filter((entry) => entry.minute >= minutes / 2);
const firstHalf = samples.filter((entry) => entry.minute < minutes / 2 && entry.minute >= 1);
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const summary = {
  minutes,
  ...counts,
  rssMb: { first: samples[0]?.rssMb, last: samples.at(-1)?.rssMb, max: Math.max(...samples.map((s) => s.rssMb)) },
  rssSecondHalfVsFirstMb: Math.round(mean(half.map((s) => s.rssMb)) - mean(firstHalf.map((s) => s.rssMb))),
  eventLoopP99Ms: {
    median: [...samples.map((s) => s.eventLoopP99Ms ?? 0)].sort((a, b) => a - b)[Math.floor(samples.length / 2)],
    max: Math.max(...samples.map((s) => s.eventLoopP99Ms ?? 0)),
  },
};
const name = `soak${label ? `-${label}` : ''}`;
writeFileSync(`bench/results/${name}.json`, JSON.stringify({ summary, samples }, null, 2) + '\n');
const lines = [
  `# Soak: ${minutes} minutes on PGlite (${new Date(started).toISOString()})`,
  '',
  'Generated by `npm run bench:soak`: one kefu process; two REST chat loops (a conversation, two turns, an SSE',
  'stream opened and closed), two widget loops (session, socket, one message and its answer, close) and one agent',
  'console loop (socket open for 3 s, close), all on 127.0.0.1. The machine has 2 cores shared with the clients;',
  '`load` is the 1-minute load average when the sample was taken.',
  '',
  `Turns ${counts.turns}, SSE streams ${counts.sse}, widget sockets ${counts.widgetSockets}, agent sockets ${counts.agentSockets}, errors ${counts.errors}.`,
  `RSS first ${summary.rssMb.first} MB, last ${summary.rssMb.last} MB, max ${summary.rssMb.max} MB; second half minus first half (after minute 1): ${summary.rssSecondHalfVsFirstMb} MB.`,
  `Event-loop delay p99 (prom-client, per sample): median ${summary.eventLoopP99Ms.median} ms, max ${summary.eventLoopP99Ms.max} ms.`,
  '',
  '| minute | RSS MB | heap used MB | event-loop p99 ms | turns so far | load |',
  '|---:|---:|---:|---:|---:|---:|',
  ...samples.map(
    (s) =>
      `| ${s.minute} | ${s.rssMb} | ${s.heapUsedMb ?? '–'} | ${s.eventLoopP99Ms ?? '–'} | ${s.turns} | ${s.load1} |`,
  ),
  '',
];
writeFileSync(`bench/results/${name}.md`, lines.join('\n'));
console.error(`wrote bench/results/${name}.md`);

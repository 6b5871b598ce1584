/**
 * Voice benchmark (docs/voice.md): kefu runs as a child process on PGlite, driven by the
 * protocol-level simulators of test/voice/simulators.ts.
 *
 * 1. Latency and server CPU: CALLS simulated calls at once, each a closed loop as a phone call is:
 *    the platform posts a turn, waits for kefu's answer, plays it, the caller speaks, and only then
 *    posts the next turn (a think time of THINK ms ± 50 % between an answer and the next turn).
 *    Calls arrive spread over one think time. The same turns go over REST
 *    (POST /v1/conversations/:id/messages) from CALLS clients with the same think time, same run.
 *    Server CPU per turn (the kefu process's own user + system time, from /proc) is the figure a
 *    busy shared machine does not distort; latencies are reported with the load average.
 * 2. Scenarios: a scripted 10-turn call of each demo scenario (late parcel, instalment quote) in
 *    each adapter, ending in a transfer to an agent's line.
 * 3. Durability: kefu is killed (SIGKILL) with a turn in flight, restarted on the same data
 *    directory, and the platform retries the same request.
 *
 *   npm run bench:voice [-- --calls 200 --turns 3 --think-ms 8000] [--only latency] [--mixed]
 *     [--kefu-dir DIR (another checkout's server, e.g. a baseline worktree)] [--label NAME]
 *     [--cpu-prof DIR (V8 CPU profile of the kefu server)]
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  cloudPlatform,
  freeswitchPlatform,
  genericPlatform,
  twilioPlatform,
  type Heard,
  type Platform,
} from '../test/voice/simulators.js';
import { FAQ_QUESTIONS, INSTALMENT, LATE_PARCEL, playScript } from '../test/support/voice-scripts.js';
import { processCpuMs, startProcess, stopProcess, unlimitedPlan, waitUntilIdle } from './support/processes.js';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const option = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const CALLS = argument('calls', 200);
const TURNS = argument('turns', 3);
const THINK_MS = argument('think-ms', 8000);
const ONLY = option('only');
const LABEL = option('label') ? `-${option('label')}` : '';
const KEFU_DIR = option('kefu-dir') ? path.resolve(option('kefu-dir')!) : process.cwd();
const PROFILE_ARGS = option('cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(option('cpu-prof')!)}`] : [];
const OPERATOR_KEY = `kefu_op_bench${randomBytes(18).toString('hex')}`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  url: string;
  keys: Record<string, string>;
}

async function startKefu(dataDir: string, port: number): Promise<Started> {
  const { child, match } = await startProcess(
    [...PROFILE_ARGS, 'bin/kefu.js', 'serve'],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      KEFU_DATA_DIR: dataDir,
      KEFU_PUBLIC_URL: `http://127.0.0.1:${port}`,
      KEFU_OPERATOR_KEY: OPERATOR_KEY,
      LOG_LEVEL: 'warn',
      DATABASE_URL: process.env.DATABASE_URL ?? '',
    },
    // The demo tenants are listed in any order: lookaheads find each key.
    /^(?=[\s\S]*?API\s+(http:\/\/\S+)\/v1)(?=[\s\S]*?Demo tenant\s+shop-zh .*API key: (kefu_sk_\w+))(?=[\s\S]*?Demo tenant\s+bank-zh .*API key: (kefu_sk_\w+))/,
    { cwd: KEFU_DIR },
  );
  return { child, url: match[1]!, keys: { 'shop-zh': match[2]!, 'bank-zh': match[3]! } };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: Math.round(percentile(sorted, 50)),
    p95: Math.round(percentile(sorted, 95)),
    p99: Math.round(percentile(sorted, 99)),
    max: Math.round(sorted[sorted.length - 1] ?? NaN),
  };
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () => loadavg().map((value) => Number(value.toFixed(1)));
/** The think time before turn `turn` of call `index`: THINK ± 50 %, the same in every run. */
const thinkMs = (index: number, turn: number) => {
  const x = Math.sin(index * 12.9898 + turn * 78.233) * 43758.5453;
  return THINK_MS * (0.5 + (x - Math.floor(x)));
};

const SECRETS = {
  twilio: 'bench-twilio-token-0123456789',
  freeswitch: 'bench-freeswitch-0123456789',
  cloud: 'bench-cloud-secret-0123456789',
  generic: 'bench-generic-secret-0123456789',
};
const NUMBERS: Record<string, Record<keyof typeof SECRETS, string>> = {
  'shop-zh': { twilio: '4008000101', freeswitch: '4008000102', cloud: '4008000103', generic: '4008000104' },
  'bank-zh': { twilio: '4008000201', freeswitch: '4008000202', cloud: '4008000203', generic: '4008000204' },
};

const dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-bench-voice-'));
const port = await freePort();
let kefu = await startKefu(dataDir, port);
// A failed run does not leave its server behind.
process.on('exit', () => {
  if (kefu.child.exitCode === null) kefu.child.kill('SIGKILL');
});
const baseUrl = kefu.url;
const kefuCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: KEFU_DIR }).toString().trim();
const rest = async (key: string, method: string, url: string, body?: unknown) => {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const answer: unknown = text ? JSON.parse(text) : null;
  return { status: response.status, body: answer };
};

// REST turns are measured, not the rate limiter (voice webhooks are not API-key traffic).
await unlimitedPlan(baseUrl, OPERATOR_KEY, 'shop-zh');
for (const tenant of ['shop-zh', 'bank-zh']) {
  for (const provider of Object.keys(SECRETS) as Array<keyof typeof SECRETS>) {
    const claimed = await rest(kefu.keys[tenant]!, 'PUT', `/v1/voice/numbers/${NUMBERS[tenant]![provider]}`, {
      provider,
      secret: SECRETS[provider],
    });
    if (claimed.status !== 200) throw new Error(`claiming a number failed: ${JSON.stringify(claimed.body)}`);
  }
}
const platforms = (): Record<keyof typeof SECRETS, Platform> => ({
  twilio: twilioPlatform(baseUrl, SECRETS.twilio),
  freeswitch: freeswitchPlatform(baseUrl, SECRETS.freeswitch),
  cloud: cloudPlatform(baseUrl, SECRETS.cloud),
  generic: genericPlatform(baseUrl, SECRETS.generic),
});

interface LoadResult {
  /** Latency of each call's first request (voice: the call's start; REST: creating the conversation). */
  starts: number[];
  /** Latency of each turn (an answered question). */
  turns: number[];
  errors: number;
  /** kefu's CPU over the turns phase divided by the turns answered in it. */
  cpuMsPerTurn: number;
  turnsPerSecond: number;
  load: number[];
}

/**
 * CALLS closed-loop sessions: each starts (arrivals spread over one think time), then, once every
 * session has started, takes TURNS turns with a think time before each. Only the turns phase is
 * billed for CPU, so starts (conversation creation) do not weigh on the per-turn figure.
 */
async function closedLoop(
  session: (index: number) => {
    start: () => Promise<boolean>;
    turn: (text: string) => Promise<boolean>;
    end: () => Promise<unknown>;
  },
  count = CALLS,
): Promise<LoadResult> {
  const result: LoadResult = { starts: [], turns: [], errors: 0, cpuMsPerTurn: NaN, turnsPerSecond: NaN, load: [] };
  const timed = async (into: number[], work: () => Promise<boolean>) => {
    const started = performance.now();
    const ok = await work().catch(() => false);
    into.push(performance.now() - started);
    if (!ok) result.errors++;
  };
  const sessions = Array.from({ length: count }, (_, index) => session(index));
  await Promise.all(
    sessions.map(async (call, index) => {
      await sleep((index * THINK_MS) / count);
      await timed(result.starts, call.start);
    }),
  );
  await waitUntilIdle(kefu.child.pid!, 100, 30);
  const cpuBefore = processCpuMs(kefu.child.pid!);
  const began = performance.now();
  await Promise.all(
    sessions.map(async (call, index) => {
      for (let turn = 0; turn < TURNS; turn++) {
        await sleep(thinkMs(index, turn));
        await timed(result.turns, () => call.turn(FAQ_QUESTIONS[(index + turn) % FAQ_QUESTIONS.length]!));
      }
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  result.cpuMsPerTurn = Number(((processCpuMs(kefu.child.pid!) - cpuBefore) / result.turns.length).toFixed(2));
  result.turnsPerSecond = Number((result.turns.length / seconds).toFixed(1));
  result.load = load();
  await Promise.all(sessions.map((call) => call.end().catch(() => undefined)));
  return result;
}

const answered = (heard: Heard) => heard.status === 200 && heard.said.length > 0;
const voiceSession = (provider: keyof typeof SECRETS) => {
  const platform = platforms()[provider];
  return (index: number) => {
    const call = platform.call(`139${String(10000000 + index).slice(-8)}`, NUMBERS['shop-zh']![provider]);
    return {
      start: async () => answered(await call.start()),
      turn: async (text: string) => answered(await call.say(text)),
      end: () => call.hangup(),
    };
  };
};
const voiceLoad = (provider: keyof typeof SECRETS) => closedLoop(voiceSession(provider));
const restSession = () => {
  const key = kefu.keys['shop-zh']!;
  return () => {
    let id = '';
    return {
      start: async () => {
        const created = await rest(key, 'POST', '/v1/conversations', {});
        id = (created.body as { id: string }).id;
        return created.status === 201;
      },
      turn: async (text: string) => {
        const response = await rest(key, 'POST', `/v1/conversations/${id}/messages`, { text });
        return response.status === 201 || response.status === 200;
      },
      end: async () => undefined,
    };
  };
};
const restLoad = () => closedLoop(restSession());
/**
 * --mixed: CALLS voice calls (neutral webhook) and CALLS REST clients in the same phase, turn for
 * turn under the same machine load: the fair latency comparison on a machine whose load drifts
 * between phases. (CPU is not split between the two here; the phases above give it.)
 */
async function mixedLoad() {
  const turns = { voice: [] as number[], rest: [] as number[] };
  const voice = voiceSession('generic');
  const text = restSession();
  const result = await closedLoop((index) => {
    const kind = index % 2 === 0 ? 'voice' : 'rest';
    const inner = kind === 'voice' ? voice(index) : text();
    return {
      ...inner,
      turn: async (line: string) => {
        const started = performance.now();
        const ok = await inner.turn(line);
        turns[kind].push(performance.now() - started);
        return ok;
      },
    };
  }, 2 * CALLS);
  return (['voice', 'rest'] as const).map((kind) => ({
    name: kind === 'voice' ? 'generic (same phase)' : 'rest (same phase)',
    ...summary(turns[kind]),
    errors_both: result.errors,
    turns_per_s_both: result.turnsPerSecond,
    load_after: result.load.join(' '),
  }));
}

// Start-up work (demo models trained in worker threads) is over before anything is measured.
await waitUntilIdle(kefu.child.pid!);
const loadBefore = load();
// Warm-up (JIT, runtimes): a few calls and REST turns, not measured.
{
  const warm = platforms().generic.call('13900000000', NUMBERS['shop-zh']!.generic);
  await warm.start();
  for (const question of FAQ_QUESTIONS) await warm.say(question);
  await warm.hangup();
  const twilioWarm = platforms().twilio.call('13900000001', NUMBERS['shop-zh']!.twilio);
  await twilioWarm.start();
  for (const question of FAQ_QUESTIONS) await twilioWarm.say(question);
  await twilioWarm.hangup();
  const created = await rest(kefu.keys['shop-zh']!, 'POST', '/v1/conversations', {});
  for (const text of FAQ_QUESTIONS)
    await rest(kefu.keys['shop-zh']!, 'POST', `/v1/conversations/${(created.body as { id: string }).id}/messages`, {
      text,
    });
}
// --only mixed: just the same-phase comparison below.
const latency: Record<string, LoadResult> =
  ONLY === 'mixed'
    ? {}
    : {
        generic: await voiceLoad('generic'),
        twilio: await voiceLoad('twilio'),
        rest: await restLoad(),
      };
const latencyRows = Object.entries(latency).map(([name, result]) => ({
  name,
  ...summary(result.turns),
  errors: result.errors,
  cpu_ms_per_turn: result.cpuMsPerTurn,
  turns_per_s: result.turnsPerSecond,
  start_p50: summary(result.starts).p50,
  start_p99: summary(result.starts).p99,
  load_after: result.load.join(' '),
}));
console.log(latencyRows);
const mixedRows = process.argv.includes('--mixed') || ONLY === 'mixed' ? await mixedLoad() : [];
if (mixedRows.length > 0) console.log(mixedRows);

// 2. Scripted 10-turn calls of each scenario in each adapter, ending with a transfer.
async function agentFor(tenant: string, index: number) {
  const key = kefu.keys[tenant]!;
  const password = 'bench-agent-password';
  const email = `voice-bench-${index}@${tenant}.example`;
  const created = await rest(key, 'POST', '/v1/agents', { email, name: `坐席${index}`, password });
  const agentId = (created.body as { id: string }).id;
  await rest(key, 'PUT', `/v1/voice/agent-lines/${agentId}`, { line: `sip:${1000 + index}@pbx.example.com` });
  const login = await fetch(`${baseUrl}/v1/agent/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, email, password }),
  });
  return { token: ((await login.json()) as { token: string }).token, line: `sip:${1000 + index}@pbx.example.com` };
}

interface ScenarioResult {
  adapter: string;
  scenario: string;
  turns: number;
  answered: number;
  /** The turn after which the caller held for a person (the bot handed over). */
  heldAfterTurn: number | null;
  transferredTo: string;
  /** The same lines over REST: the turn (counted as on the call, the greeting being 1) routed to a person. */
  textHandsOverAtTurn: number | null;
  ms: number;
}
const scenarioResults: ScenarioResult[] = [];
const durability: Array<{
  adapter: string;
  retriedStatus: number;
  answered: boolean;
  copies: number;
  continued: boolean;
}> = [];
if (ONLY !== 'latency' && ONLY !== 'mixed') {
  /** Parity: the same lines as text, through REST, to see the hand-over happen at the same turn. */
  async function restHandOver(tenant: string, lines: readonly string[]): Promise<number | null> {
    const key = kefu.keys[tenant]!;
    const conversation = await rest(key, 'POST', '/v1/conversations', {});
    const id = (conversation.body as { id: string }).id;
    for (const [index, line] of lines.entries()) {
      const answer = await rest(key, 'POST', `/v1/conversations/${id}/messages`, { text: line });
      if ((answer.body as { turn: { route: string } | null }).turn?.route === 'human') return index + 2;
    }
    return null;
  }
  let agentIndex = 0;
  for (const [scenario, tenant, lines] of [
    ['late parcel', 'shop-zh', LATE_PARCEL],
    ['instalment quote', 'bank-zh', INSTALMENT],
  ] as const) {
    for (const adapter of Object.keys(SECRETS) as Array<keyof typeof SECRETS>) {
      const started = performance.now();
      const call = platforms()[adapter].call(
        `1371234${String(agentIndex).padStart(4, '0')}`,
        NUMBERS[tenant]![adapter],
      );
      let heldAfterTurn: number | null = null;
      // Turns 2–8: the dialogue of examples/dialogues, while the bot answers (a hand-over ends it).
      const heard = await playScript(call, lines);
      if (heard[heard.length - 1]!.hold) heldAfterTurn = heard.length;
      // Turn 9: the caller asks for a person (unless the bot already handed over).
      if (heldAfterTurn === null) {
        const turn = await call.say('转人工');
        heard.push(turn);
        if (turn.hold) heldAfterTurn = heard.length;
      }
      // Turn 10: an agent accepts in the console; the next look transfers the call to their line.
      const agent = await agentFor(tenant, agentIndex++);
      const latest = await rest(kefu.keys[tenant]!, 'GET', '/v1/conversations?limit=1');
      const conversationId = (latest.body as { conversations: Array<{ id: string }> }).conversations[0]!.id;
      await fetch(`${baseUrl}/v1/agent/conversations/${conversationId}/accept`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent.token}` },
      });
      let last = await call.poll();
      heard.push(last);
      for (let look = 0; look < 3 && !last.transfer && last.hold; look++) {
        last = await call.poll();
        heard.push(last);
      }
      scenarioResults.push({
        adapter,
        scenario,
        turns: heard.length,
        answered: heard.filter((turn) => turn.status === 200 && (turn.said.length > 0 || turn.transfer || turn.hold))
          .length,
        heldAfterTurn,
        transferredTo: last.transfer ? last.transfer.target : 'none',
        textHandsOverAtTurn: await restHandOver(tenant, lines),
        ms: Math.round(performance.now() - started),
      });
      if (process.env.VOICE_BENCH_DEBUG)
        console.log(
          adapter,
          scenario,
          heard.map((turn) => [turn.status, turn.said.join(' ').slice(0, 60), turn.hold, turn.transfer]),
        );
      await call.hangup();
    }
  }
  console.log(scenarioResults);

  // 3. Kill with a turn in flight, restart, retry the same request.
  for (const adapter of ['twilio', 'cloud'] as const) {
    const call = platforms()[adapter].call('13512345678', NUMBERS['shop-zh'][adapter]);
    await call.start();
    await call.say(LATE_PARCEL[1]!);
    const text = `订单号 XM2026120599${adapter === 'twilio' ? 1 : 2}`;
    const inFlight = call.say(text).catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 40));
    kefu.child.kill('SIGKILL');
    await inFlight;
    kefu = await startKefu(dataDir, port);
    const retried = await call.retry();
    const next = await call.say('那帮我加急催一下吧');
    const messages = await rest(kefu.keys['shop-zh']!, 'GET', '/v1/conversations?limit=50');
    let copies = 0;
    for (const conversation of (messages.body as { conversations: Array<{ id: string }> }).conversations) {
      const list = await rest(kefu.keys['shop-zh']!, 'GET', `/v1/conversations/${conversation.id}/messages?limit=200`);
      copies += (list.body as { messages: Array<{ text: string }> }).messages.filter(
        (message) => message.text === text,
      ).length;
    }
    durability.push({
      adapter,
      retriedStatus: retried.status,
      answered: retried.said.length > 0,
      copies,
      continued: next.status === 200 && next.said.length > 0,
    });
    await call.hangup();
  }
  console.log(durability);
}

await stopProcess(kefu.child);
rmSync(dataDir, { recursive: true, force: true });

const when = new Date().toISOString();
const command = ['npm run bench:voice --', ...process.argv.slice(2)].join(' ');
const result = {
  when,
  command,
  kefuCommit,
  kefuDir: KEFU_DIR === process.cwd() ? '.' : KEFU_DIR,
  machine: { cpus: cpus().length, node: process.version },
  database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
  calls: CALLS,
  turnsPerCall: TURNS,
  thinkMs: THINK_MS,
  loadBefore,
  loadAfter: load(),
  latency: latencyRows,
  mixed: mixedRows,
  scenarios: scenarioResults,
  durability,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/voice${LABEL}.json`, `${JSON.stringify(result, null, 2)}\n`);
const table = (rows: Array<Record<string, unknown>>) => {
  const keys = Object.keys(rows[0] ?? {});
  return [
    `| ${keys.join(' | ')} |`,
    `| ${keys.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${keys.map((key) => String(row[key])).join(' | ')} |`),
  ].join('\n');
};
// --before FILE: a run of the same bench against a baseline server (--kefu-dir), shown beside this one.
const beforeFile = option('before');
const before = beforeFile ? (JSON.parse(readFileSync(beforeFile, 'utf8')) as typeof result) : null;
const side = before
  ? `
### Before and after, side by side

Before: \`${before.command}\` at ${before.kefuCommit} (${before.when}, load average ${before.loadBefore.join(' ')} before,
${before.loadAfter.join(' ')} after). After: this run at ${kefuCommit}${KEFU_DIR === process.cwd() ? ' plus the working tree' : ''}.

| name | p50 before | p50 after | p99 before | p99 after | CPU ms/turn before | CPU ms/turn after | errors before | errors after |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${latencyRows
  .map((row) => {
    const old = before.latency.find((entry) => entry.name === row.name);
    return `| ${row.name} | ${old?.p50} | ${row.p50} | ${old?.p99} | ${row.p99} | ${old?.cpu_ms_per_turn} | ${row.cpu_ms_per_turn} | ${old?.errors} | ${row.errors} |`;
  })
  .join('\n')}
`
  : '';
const sections =
  ONLY === 'latency' || ONLY === 'mixed'
    ? ''
    : `
## Scripted 10-turn calls (7 dialogue lines of examples/dialogues, 转人工, the agent accepts, transfer)

Turn 1 is the greeting, turns 2–8 the lines of examples/dialogues (until the bot hands over), then
转人工 if the bot has not handed over yet, then an agent accepts in the console and the next look
transfers the call to the agent's SIP line. \`textHandsOverAtTurn\` runs the same lines through REST:
the hand-over happens at the same turn by voice and by text (the same turn pipeline).

${table(scenarioResults as unknown as Array<Record<string, unknown>>)}

## Kill with a turn in flight, restart, platform retries the same request

${table(durability as unknown as Array<Record<string, unknown>>)}

\`copies\` counts the retried customer message in the tenant's transcripts (1 = nothing lost, nothing doubled).
`;
writeFileSync(
  `bench/results/voice${LABEL}.md`,
  `# Voice channel benchmark

Run: \`${command}\` (${when}), kefu at ${kefuCommit}${KEFU_DIR === process.cwd() ? '' : ` from ${KEFU_DIR}`}, ${result.database}, ${cpus().length} CPUs, Node ${process.version}.
kefu runs as a child process; the simulators of test/voice/simulators.ts drive it over HTTP on 127.0.0.1.
Load average (1, 5, 15 min) before the run: ${loadBefore.join(' ')}; after: ${result.loadAfter.join(' ')}.

## Webhook turns at ${CALLS} concurrent calls

What it models: ${CALLS} phone calls in progress at once. Each is a closed loop, as a real call is:
the platform posts a turn and waits for kefu's answer, plays it, the caller speaks, and only then
is the next turn posted. Between an answer and the next turn there is a think time of
${THINK_MS} ms ± 50 % (the reply played, the caller's words, the recogniser's end of speech), so
${CALLS} calls offer about ${Math.round(CALLS / (THINK_MS / 1000))} turns/s, not an unbounded flood.
Calls arrive spread over one think time; each takes ${TURNS} speech turns (FAQ questions of the
shop demo, zh-CN and zh-TW). \`generic\` is kefu's neutral webhook (HMAC + nonce), \`twilio\` the
TwiML webhook (X-Twilio-Signature); \`rest\` is the same turns over
\`POST /v1/conversations/:id/messages\` from ${CALLS} clients with the same think time, same run.
Latencies (ms) are of the turns; \`start_p50\`/\`start_p99\` are of each call's first request (the
greeting; for REST creating the conversation). \`cpu_ms_per_turn\` is the kefu process's CPU
(user + system, /proc) over the turns phase divided by the turns: the figure a busy shared machine
does not distort. \`load_after\` is the load average when the phase ended.

${latencyRows.length > 0 ? table(latencyRows) : '(not run: `--only mixed`)'}
${
  mixedRows.length > 0
    ? `
Same phase (\`--mixed\`): ${CALLS} calls on the neutral webhook and ${CALLS} REST clients at once,
with the same think time, so both see the same machine load.

${table(mixedRows)}
`
    : ''
}${side}${sections}`,
);
console.log(`wrote bench/results/voice${LABEL}.{json,md}`);
process.exit(0);

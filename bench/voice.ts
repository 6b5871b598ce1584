/**
 * Voice benchmark (docs/voice.md): kefu runs as a child process on PGlite, driven by the
 * protocol-level simulators of test/voice/simulators.ts.
 *
 * 1. Latency: webhook response times at N concurrent simulated calls (neutral webhook and
 *    Twilio), against the same turns over REST (POST /v1/conversations/:id/messages), same run.
 * 2. Scenarios: a scripted 10-turn call of each demo scenario (late parcel, instalment quote) in
 *    each adapter, ending in a transfer to an agent's line.
 * 3. Durability: kefu is killed (SIGKILL) with a turn in flight, restarted on the same data
 *    directory, and the platform retries the same request.
 *
 *   npm run bench:voice [-- --calls 200 --turns 3]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
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

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const CALLS = argument('calls', 200);
const TURNS = argument('turns', 3);

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

function startKefu(dataDir: string, port: number): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/kefu.js', 'serve'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        KEFU_DATA_DIR: dataDir,
        KEFU_PUBLIC_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'warn',
        DATABASE_URL: process.env.DATABASE_URL ?? '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /API\s+(http:\/\/\S+)\/v1/.exec(output)?.[1];
      const keys = Object.fromEntries(
        [...output.matchAll(/Demo tenant\s+(\S+) .*API key: (kefu_sk_\w+)/g)].map((match) => [match[1]!, match[2]!]),
      );
      if (url && keys['shop-zh'] && keys['bank-zh']) resolve({ child, url, keys });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`kefu exited ${code}: ${output.slice(-2000)}`)));
  });
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
const LATE_PARCEL = [
  '你好',
  '我的快递怎么还没到啊，都超过说好的日期好几天了',
  '订单号 XM20261115003',
  '那帮我加急催一下吧',
  '補償券是直接發到我帳戶裡嗎？',
  '算了，要是明天还不到我就想退货，运费谁出？',
  '好的谢谢，拜拜',
];
const INSTALMENT = [
  '您好',
  '这期账单有点多，想分期，12000分12期每个月要还多少',
  '手续费总共多少？年化利率是多少',
  '那分24期呢',
  '如果中途想提前还清，已經付的手續費會退嗎？',
  '分期最少要多少钱才能办',
  '好的，明白了谢谢',
];
const QUESTIONS = ['七天无理由退货怎么申请？', '运费怎么算', '怎么开发票', '優惠券怎麼用', '会员积分有什么用'];

const dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-bench-voice-'));
const port = await freePort();
let kefu = await startKefu(dataDir, port);
const baseUrl = kefu.url;
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

// 1. Latency at CALLS concurrent calls, then the same turns over REST.
async function voiceLoad(provider: keyof typeof SECRETS): Promise<{ samples: number[]; errors: number }> {
  const platform = platforms()[provider];
  const samples: number[] = [];
  let errors = 0;
  const timed = async (work: () => Promise<Heard>) => {
    const started = performance.now();
    const heard = await work();
    samples.push(performance.now() - started);
    if (heard.status !== 200 || heard.said.length === 0) errors++;
  };
  await Promise.all(
    Array.from({ length: CALLS }, async (_, index) => {
      const call = platform.call(`139${String(10000000 + index).slice(-8)}`, NUMBERS['shop-zh']![provider]);
      await timed(() => call.start());
      for (let turn = 0; turn < TURNS; turn++)
        await timed(() => call.say(QUESTIONS[(index + turn) % QUESTIONS.length]!));
      await call.hangup();
    }),
  );
  return { samples, errors };
}
async function restLoad(): Promise<{ samples: number[]; errors: number }> {
  const key = kefu.keys['shop-zh']!;
  const samples: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: CALLS }, async (_, index) => {
      const conversation = await rest(key, 'POST', '/v1/conversations', {});
      for (let turn = 0; turn < TURNS; turn++) {
        const started = performance.now();
        const response = await rest(
          key,
          'POST',
          `/v1/conversations/${(conversation.body as { id: string }).id}/messages`,
          {
            text: QUESTIONS[(index + turn) % QUESTIONS.length],
          },
        );
        samples.push(performance.now() - started);
        if (response.status !== 201 && response.status !== 200) errors++;
      }
    }),
  );
  return { samples, errors };
}

// Warm-up (JIT, runtimes), then measure.
await voiceLoad('generic').catch(() => undefined);
const latency = {
  generic: await voiceLoad('generic'),
  twilio: await voiceLoad('twilio'),
  rest: await restLoad(),
};
const latencyRows = Object.entries(latency).map(([name, result]) => ({
  name,
  ...summary(result.samples),
  errors: result.errors,
}));
console.log(latencyRows);

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
    const call = platforms()[adapter].call(`1371234${String(agentIndex).padStart(4, '0')}`, NUMBERS[tenant]![adapter]);
    const heard: Heard[] = [await call.start()];
    let heldAfterTurn: number | null = null;
    // Turns 2–8: the dialogue of examples/dialogues, while the bot answers (a hand-over ends it).
    for (const line of lines) {
      const turn = await call.say(line);
      heard.push(turn);
      if (turn.hold) {
        heldAfterTurn = heard.length;
        break;
      }
    }
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
const durability: Array<{
  adapter: string;
  retriedStatus: number;
  answered: boolean;
  copies: number;
  continued: boolean;
}> = [];
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

kefu.child.kill('SIGTERM');
rmSync(dataDir, { recursive: true, force: true });

const when = new Date().toISOString();
const result = {
  when,
  machine: { cpus: cpus().length, node: process.version },
  database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
  calls: CALLS,
  turnsPerCall: TURNS + 1,
  latency: latencyRows,
  scenarios: scenarioResults,
  durability,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/voice.json', `${JSON.stringify(result, null, 2)}\n`);
const table = (rows: Array<Record<string, unknown>>) => {
  const keys = Object.keys(rows[0] ?? {});
  return [
    `| ${keys.join(' | ')} |`,
    `| ${keys.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${keys.map((key) => String(row[key])).join(' | ')} |`),
  ].join('\n');
};
writeFileSync(
  'bench/results/voice.md',
  `# Voice channel benchmark

Run: \`npm run bench:voice\` (${when}), ${result.database}, ${cpus().length} CPUs, Node ${process.version}.
kefu runs as a child process; the simulators of test/voice/simulators.ts drive it over HTTP on 127.0.0.1.

## Webhook response time at ${CALLS} concurrent calls (ms)

Each call: the start plus ${TURNS} speech turns (FAQ questions of the shop demo), all calls at once.
\`generic\` is kefu's neutral webhook (HMAC + nonce), \`twilio\` the TwiML webhook (X-Twilio-Signature);
\`rest\` is the same turns over \`POST /v1/conversations/:id/messages\` from ${CALLS} concurrent clients.

${table(latencyRows)}

## Scripted 10-turn calls (7 dialogue lines of examples/dialogues, 转人工, the agent accepts, transfer)

Turn 1 is the greeting, turns 2–8 the lines of examples/dialogues (until the bot hands over), then
转人工 if the bot has not handed over yet, then an agent accepts in the console and the next look
transfers the call to the agent's SIP line. \`textHandsOverAtTurn\` runs the same lines through REST:
the hand-over happens at the same turn by voice and by text (the same turn pipeline).

${table(scenarioResults as unknown as Array<Record<string, unknown>>)}

## Kill with a turn in flight, restart, platform retries the same request

${table(durability as unknown as Array<Record<string, unknown>>)}

\`copies\` counts the retried customer message in the tenant's transcripts (1 = nothing lost, nothing doubled).
`,
);
console.log('wrote bench/results/voice.{json,md}');

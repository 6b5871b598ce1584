/**
 * Hand-off back end: how fast a conversation is queued, how long the console's queue and the
 * widget's place-in-line/ETA take to compute with many waiting, how fast waiting conversations are
 * assigned when agents come online, and that of several agents accepting one conversation at the
 * same moment exactly one wins (every round). Bounded: fixed counts, one process, 127.0.0.1 only.
 *
 *   npx tsx bench/handoff.ts                       # PGlite (in memory)
 *   DATABASE_URL=postgres://… npx tsx bench/handoff.ts   # PostgreSQL (a private schema, dropped after)
 *
 * Options: --waiting 200 --agents 10 --capacity 5 --rounds 40 --racers 8
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/index.js';
import { createAgent, loginAgent, verifyAgentToken } from '../src/handoff/index.js';
import { createKefu } from '../src/server/kefu.js';
import { migrateToLatest, openDatabase } from '../src/store/database.js';
import { requireTenantBySlug } from '../src/tenancy/index.js';

const { values } = parseArgs({
  options: {
    waiting: { type: 'string', default: '200' },
    agents: { type: 'string', default: '10' },
    capacity: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '40' },
    racers: { type: 'string', default: '8' },
  },
});
const WAITING = Math.min(Number(values.waiting), 2000);
const AGENTS = Math.min(Number(values.agents), 100);
const CAPACITY = Math.min(Number(values.capacity), 50);
const ROUNDS = Math.min(Number(values.rounds), 500);
const RACERS = Math.min(Number(values.racers), 32);

const url = process.env.DATABASE_URL;
const schema = url ? `bench_${randomBytes(5).toString('hex')}` : undefined;
const database = url
  ? await openDatabase({ kind: 'postgres', url, schema: schema!, poolSize: 10 })
  : await openDatabase({ kind: 'pglite', dataDir: null });
await migrateToLatest(database.db);
// The lexical understander: hand-over rules route 转人工 to a person either way, and no model is trained.
const config = loadConfig({
  env: {
    KEFU_DEMO: 'true',
    KEFU_TODAY: '2026-11-25',
    LOG_LEVEL: 'silent',
    KEFU_NLU: 'lexical',
    KEFU_HANDOFF_CHECK_INTERVAL_MS: '3600000',
  },
});
const kefu = await createKefu(config, { database, logger: false });
await kefu.app.ready();
const tenant = await requireTenantBySlug(database.db, 'shop-zh');
await kefu.runtimes.get(tenant.id);

const percentile = (samples: number[], p: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const summary = (samples: number[]) => ({
  n: samples.length,
  p50: +percentile(samples, 50).toFixed(2),
  p99: +percentile(samples, 99).toFixed(2),
  max: +Math.max(...samples).toFixed(2),
});
const texts = ['转人工', '轉人工', 'I want to talk to a human'];

// 1. Queueing: a customer message that needs a person (turn + handoff row + events), end to end.
const queueing: number[] = [];
const waitingIds: string[] = [];
for (let index = 0; index < WAITING; index += 1) {
  const conversation = await kefu.conversations.createConversation(tenant.id, {
    channel: { kind: 'api', name: 'bench' },
  });
  const started = performance.now();
  const result = await kefu.conversations.postCustomerMessage(tenant.id, conversation.id, {
    text: texts[index % texts.length]!,
  });
  queueing.push(performance.now() - started);
  if (result.turn?.route !== 'auto') waitingIds.push(conversation.id);
}
const queued = await database.db
  .selectFrom('handoffs')
  .select(sql<string>`count(*)`.as('count'))
  .where('tenant_id', '=', tenant.id)
  .where('status', '=', 'waiting')
  .executeTakeFirstOrThrow();

// 2. Agents (offline), each with a session.
const agents: Array<{ id: string; token: string }> = [];
for (let index = 0; index < AGENTS; index += 1) {
  const email = `bench-${index}@example.com`;
  const created = await createAgent(database.db, tenant.id, {
    email,
    name: `坐席 ${index}`,
    password: 'bench-password',
    skills: ['售后', '投诉'],
    maxConcurrent: CAPACITY,
  });
  const session = await loginAgent(database.db, { tenantSlug: 'shop-zh', email, password: 'bench-password' }, 3600);
  agents.push({ id: created.id, token: session.token });
}
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

// 3. Reading the queue and a widget's place in line + ETA with everything waiting.
const queueRead: number[] = [];
let queueItems = 0;
for (let index = 0; index < 20; index += 1) {
  const started = performance.now();
  const response = await kefu.app.inject({ url: '/v1/agent/queue', headers: auth(agents[0]!.token) });
  queueRead.push(performance.now() - started);
  queueItems = response.json<{ items: unknown[] }>().items.length;
}
const widgetState: number[] = [];
let lastState: unknown = null;
for (let index = 0; index < 100; index += 1) {
  const conversationId = waitingIds[Math.floor((index / 100) * waitingIds.length)]!;
  const started = performance.now();
  lastState = await kefu.handoff.views.widgetState(tenant.id, conversationId);
  widgetState.push(performance.now() - started);
}

// 4. Agents come online: waiting conversations are assigned (least busy) up to their capacity.
const assignStarted = performance.now();
for (const agent of agents) {
  const principal = (await verifyAgentToken(database.db, agent.token))!;
  await kefu.handoff.presence.setPresence(principal, 'online');
}
const assignMs = performance.now() - assignStarted;
const assignedRows = await database.db
  .selectFrom('handoffs')
  .select(['agent_id', sql<string>`count(*)`.as('count')])
  .where('tenant_id', '=', tenant.id)
  .where('status', '=', 'assigned')
  .groupBy('agent_id')
  .execute();
const assignedTotal = assignedRows.reduce((sum, row) => sum + Number(row.count), 0);
const perAgent = assignedRows.map((row) => Number(row.count));
const etaAfter = await kefu.handoff.views.widgetState(tenant.id, waitingIds[waitingIds.length - 1]!);

// 5. Accept races: RACERS fresh agents accept the same bot conversation at the same moment.
const racers: string[] = [];
for (let index = 0; index < RACERS; index += 1) {
  const email = `racer-${index}@example.com`;
  await createAgent(database.db, tenant.id, {
    email,
    name: `racer ${index}`,
    password: 'bench-password',
    skills: [],
    maxConcurrent: ROUNDS + 1,
  });
  racers.push(
    (await loginAgent(database.db, { tenantSlug: 'shop-zh', email, password: 'bench-password' }, 3600)).token,
  );
}
let roundsWithOneWinner = 0;
const acceptLatency: number[] = [];
const statusCounts: Record<string, number> = {};
for (let round = 0; round < ROUNDS; round += 1) {
  const conversation = await kefu.conversations.createConversation(tenant.id, {
    channel: { kind: 'api', name: 'bench' },
  });
  const results = await Promise.all(
    racers.map(async (token) => {
      const started = performance.now();
      const response = await kefu.app.inject({
        method: 'POST',
        url: `/v1/agent/conversations/${conversation.id}/accept`,
        headers: auth(token),
      });
      acceptLatency.push(performance.now() - started);
      const code =
        response.statusCode === 200 ? '200' : `${response.statusCode} ${response.json<{ code: string }>().code}`;
      statusCounts[code] = (statusCounts[code] ?? 0) + 1;
      return response.statusCode;
    }),
  );
  if (results.filter((status) => status === 200).length === 1) roundsWithOneWinner += 1;
}

await kefu.close();
if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
await database.close();

const result = {
  date: new Date().toISOString(),
  database: url ? 'postgres' : 'pglite (in memory)',
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
  parameters: { waiting: WAITING, agents: AGENTS, capacity: CAPACITY, rounds: ROUNDS, racers: RACERS },
  queueing: { ms: summary(queueing), handoffsWaiting: Number(queued.count) },
  queueRead: { ms: summary(queueRead), items: queueItems },
  widgetState: { ms: summary(widgetState), sample: lastState },
  assignment: {
    ms: +assignMs.toFixed(1),
    assigned: assignedTotal,
    perAgentMin: Math.min(...perAgent),
    perAgentMax: Math.max(...perAgent),
    nextInLine: etaAfter,
  },
  acceptRace: {
    rounds: ROUNDS,
    racers: RACERS,
    roundsWithExactlyOneWinner: roundsWithOneWinner,
    statuses: statusCounts,
    ms: summary(acceptLatency),
  },
};
const name = url ? 'handoff-postgres' : 'handoff';
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
const markdown = `# Hand-off back end (${result.database})

\`${url ? 'DATABASE_URL=… ' : ''}npx tsx bench/handoff.ts\` — ${result.date}, ${result.machine.cpus} CPUs (${result.machine.model}), Node ${result.machine.node}; shared machine, so treat times as indicative.
Tenant shop-zh, lexical understander; ${WAITING} customers ask for a person (转人工 / 轉人工 / English), ${AGENTS} agents with capacity ${CAPACITY}, then ${ROUNDS} rounds of ${RACERS} agents accepting one conversation at once. In-process \`app.inject\` (no sockets).

| what | result |
|---|---|
| customer message → turn → queued (handoff row, events, assignment attempt) | p50 ${result.queueing.ms.p50} ms, p99 ${result.queueing.ms.p99} ms (${result.queueing.handoffsWaiting} waiting) |
| \`GET /v1/agent/queue\` with ${result.queueRead.items} waiting (positions + ETAs) | p50 ${result.queueRead.ms.p50} ms, p99 ${result.queueRead.ms.p99} ms |
| widget place in line + ETA (one conversation) | p50 ${result.widgetState.ms.p50} ms, p99 ${result.widgetState.ms.p99} ms |
| ${AGENTS} agents go online → least-busy assignment | ${result.assignment.assigned} assigned in ${result.assignment.ms} ms (per agent ${result.assignment.perAgentMin}–${result.assignment.perAgentMax}); next in line: position ${(etaAfter as { position?: number } | null)?.position ?? '–'}, ETA ${(etaAfter as { etaSeconds?: number | null } | null)?.etaSeconds ?? '–'} s |
| accept races: rounds with exactly one winner | **${roundsWithOneWinner} / ${ROUNDS}** (${Object.entries(statusCounts)
  .map(([status, count]) => `${status}: ${count}`)
  .join(', ')}) |
| accept latency under the race | p50 ${result.acceptRace.ms.p50} ms, p99 ${result.acceptRace.ms.p99} ms |

ETA = median handle time (300 s default while a queue has fewer than 5 finished handoffs) × position ÷ slots of the queue's online agents.
`;
writeFileSync(`bench/results/${name}.md`, markdown);
process.stdout.write(markdown);

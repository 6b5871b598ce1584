import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisEventBus, type DomainEvent, type RedisEventBus } from '../../src/bus/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createKefu, type Kefu } from '../../src/server/kefu.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import {
  startThrowawayPostgres,
  throwawayPostgresAvailable,
  type ThrowawayPostgres,
} from '../support/throwaway-postgres.js';
import { findRedisServer, startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis.js';

/**
 * Faults with real components (docs/ARCHITECTURE.md, "Faults"): a PostgreSQL cluster and a
 * redis-server of this test's own, each behind a TCP proxy the test controls, under a bounded
 * load of customer turns. PostgreSQL is killed (SIGKILL to every process) and restarted, its
 * connections are cut and refused; Redis is killed (losing every key) and restarted.
 */

const pgCheck = throwawayPostgresAvailable();
const missing = [
  ...(pgCheck.ok ? [] : [pgCheck.reason]),
  ...(findRedisServer() ? [] : ['redis-server is not on PATH']),
];
// The embedded pass of CI (.ci/run) runs the suite once more with services; the faults run in that
// pass only (they start their own components either way).
const embeddedPass = process.env.KEFU_TEST_EMBEDDED === 'true';
const skipReason = embeddedPass
  ? 'KEFU_TEST_EMBEDDED=true: the fault tests run in the PostgreSQL + Redis pass'
  : missing.length > 0 && process.env.CI !== 'true'
    ? `fault tests skipped: ${missing.join('; ')}`
    : null;
if (skipReason) console.warn(skipReason);

/** How long any one request may take, outage or not: past this it counts as a hang. */
const REQUEST_BOUND_MS = 15_000;
/** The node must serve again within this long of the component's return. */
const RECOVERY_BOUND_MS = 10_000;

interface TurnResult {
  externalId: string;
  status: number;
  code: string | null;
  contentType: string;
  retryAfter: string | null;
  ms: number;
  handover: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(skipReason !== null)('faults with real PostgreSQL and Redis', () => {
  let postgres: ThrowawayPostgres | undefined;
  let redis: ThrowawayRedis | undefined;
  let pgProxy: TcpProxy | undefined;
  let redisProxy: TcpProxy | undefined;
  let kefu: Kefu | undefined;
  let peerBus: RedisEventBus | undefined;
  let packsDir: string | undefined;
  let apiKey = '';
  const conversations: string[] = [];
  const results: TurnResult[] = [];
  const texts = [
    '怎么开发票',
    '我的快遞到哪裡了',
    'How do I return an item?',
    '退货运费谁出',
    'Can I change my address?',
  ];
  const recoveries: Record<string, number> = {};

  const app = () => kefu!.app;
  const auth = () => ({ authorization: `Bearer ${apiKey}` });

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true runs the fault tests and needs: ${missing.join('; ')}`);
    [postgres, redis] = await Promise.all([startThrowawayPostgres(), startThrowawayRedis()]);
    [pgProxy, redisProxy] = await Promise.all([
      startTcpProxy({ port: postgres.port }),
      startTcpProxy({ port: redis.port }),
    ]);
    packsDir = mkdtempSync(path.join(os.tmpdir(), 'kefu-faults-packs-'));
    cpSync(path.resolve('examples/packs/shop-zh'), path.join(packsDir, 'shop-zh'), { recursive: true });
    const config = loadConfig({
      env: {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${pgProxy.port}/postgres`,
        REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
        KEFU_REDIS_PREFIX: 'kefu-faults:',
        KEFU_DEMO: 'true',
        KEFU_DEMO_PACKS: packsDir,
        KEFU_NLU: 'lexical',
        KEFU_TODAY: '2026-11-25',
        LOG_LEVEL: 'silent',
      },
      cwd: process.cwd(),
    });
    kefu = await createKefu(config, { logger: false });
    await kefu.app.ready();
    apiKey = kefu.demo.find((tenant) => tenant.slug === 'shop-zh')!.apiKey;
    peerBus = await createRedisEventBus({ url: `redis://127.0.0.1:${redisProxy.port}`, prefix: 'kefu-faults:' });
    for (let i = 0; i < 4; i += 1) {
      const created = await app().inject({ method: 'POST', url: '/v1/conversations', headers: auth(), payload: {} });
      expect(created.statusCode).toBe(201);
      conversations.push(created.json().id);
    }
  });

  afterAll(async () => {
    // Each step bounded, each step runs even when an earlier one failed.
    const steps: Array<() => Promise<unknown> | undefined> = [
      () => peerBus?.close(),
      () => kefu?.close(),
      () => pgProxy?.close(),
      () => redisProxy?.close(),
      () => postgres?.dispose(),
      () => redis?.dispose(),
    ];
    for (const step of steps) await bounded(Promise.resolve(step()), 15_000, 'cleanup').catch(() => undefined);
    if (packsDir) rmSync(packsDir, { recursive: true, force: true });
    if (Object.keys(recoveries).length > 0) console.info(`fault recovery times (ms): ${JSON.stringify(recoveries)}`);
    const outcomes: Record<string, Record<string, number>> = {};
    for (const result of results) {
      const phase = result.externalId.replace(/-\d+$/, '');
      const key = result.code ? `${result.status} ${result.code}` : String(result.status);
      outcomes[phase] ??= {};
      outcomes[phase][key] = (outcomes[phase][key] ?? 0) + 1;
      outcomes[phase]['max ms'] = Math.max(outcomes[phase]['max ms'] ?? 0, result.ms);
    }
    if (results.length > 0) console.info(`fault turn outcomes: ${JSON.stringify(outcomes)}`);
  });

  let sequence = 0;
  /** One customer turn with a unique external id, bounded; records what came back. */
  async function turn(phase: string, externalId = `${phase}-${(sequence += 1)}`): Promise<TurnResult> {
    const started = Date.now();
    // The same external id always goes to the same conversation with the same text: a client's
    // retry of one message (idempotency is per conversation).
    const hash = [...externalId].reduce((sum, ch) => (sum * 31 + ch.charCodeAt(0)) >>> 0, 7);
    const conversationId = conversations[hash % conversations.length]!;
    const response = await bounded(
      app().inject({
        method: 'POST',
        url: `/v1/conversations/${conversationId}/messages`,
        headers: auth(),
        payload: {
          text: texts[hash % texts.length],
          externalId,
        },
      }),
      REQUEST_BOUND_MS,
      `turn ${externalId}`,
    );
    const contentType = String(response.headers['content-type'] ?? '');
    let body: { code?: unknown; handover?: unknown; turn?: { route?: unknown } } = {};
    try {
      body = response.json();
    } catch {
      // reported below through the content type
    }
    const result: TurnResult = {
      externalId,
      status: response.statusCode,
      code: typeof body.code === 'string' ? body.code : null,
      contentType,
      retryAfter: typeof response.headers['retry-after'] === 'string' ? response.headers['retry-after'] : null,
      ms: Date.now() - started,
      handover: body.turn?.route === 'human',
    };
    results.push(result);
    return result;
  }

  /** Two clients sending turns back to back until `stop` resolves (at most `maxTurns` in all). */
  async function underLoad(phase: string, fault: () => Promise<void>, maxTurns = 300): Promise<TurnResult[]> {
    const mine: TurnResult[] = [];
    let stopped = false;
    let sent = 0;
    const client = async () => {
      while (!stopped && sent < maxTurns) {
        sent += 1;
        mine.push(await turn(phase));
        await sleep(60);
      }
    };
    const clients = [client(), client()];
    try {
      await fault();
    } finally {
      stopped = true;
      await Promise.all(clients);
    }
    return mine;
  }

  async function readyStatus(): Promise<number> {
    const response = await bounded(app().inject({ url: '/readyz' }), REQUEST_BOUND_MS, '/readyz');
    return response.statusCode;
  }

  /** Time from now until /readyz says 200 and a turn is acknowledged again. */
  async function timeToRecover(phase: string): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < RECOVERY_BOUND_MS + 5_000) {
      if ((await readyStatus()) === 200 && (await turn(`${phase}-probe`)).status === 201) return Date.now() - started;
      await sleep(100);
    }
    throw new Error(`${phase}: no recovery within ${RECOVERY_BOUND_MS + 5_000} ms`);
  }

  /** Every turn ended as an acknowledgement, a duplicate, or a 503 problem+json saying the database is away. */
  function expectClearOutcomes(turns: TurnResult[]) {
    for (const result of turns) {
      if (result.status === 201 || result.status === 200) continue;
      expect(result.status, JSON.stringify(result)).toBe(503);
      expect(result.contentType, JSON.stringify(result)).toContain('application/problem+json');
      expect(result.code, JSON.stringify(result)).toBe('CS_DATABASE_UNAVAILABLE');
      expect(result.retryAfter, JSON.stringify(result)).toMatch(/^\d+$/);
    }
    for (const result of turns) expect(result.ms).toBeLessThan(REQUEST_BOUND_MS);
  }

  it('answers turns with both components up', async () => {
    const turns = await underLoad('warmup', () => sleep(1_500), 40);
    expect(turns.length).toBeGreaterThan(4);
    expect(turns.every((result) => result.status === 201)).toBe(true);
    expect(await readyStatus()).toBe(200);
  });

  it('kill -9 of PostgreSQL: clear errors, /readyz 503, recovery within 10 s of its return', async () => {
    const readiness: number[] = [];
    const turns = await underLoad('pgkill', async () => {
      await sleep(500);
      await postgres!.kill();
      // Give in-flight work a moment to fail, then /readyz must say so for the whole outage.
      await sleep(500);
      for (let i = 0; i < 10; i += 1) {
        readiness.push(await readyStatus());
        await sleep(150);
      }
      await postgres!.start();
      recoveries.postgresKill = await timeToRecover('pgkill');
    });
    expect(
      readiness.every((status) => status === 503),
      JSON.stringify(readiness),
    ).toBe(true);
    expect(turns.some((result) => result.status === 503)).toBe(true);
    expectClearOutcomes(turns);
    expect(recoveries.postgresKill).toBeLessThan(RECOVERY_BOUND_MS);
  });

  it('connections cut and refused through the proxy: clear errors, /readyz 503, recovery', async () => {
    const readiness: number[] = [];
    const turns = await underLoad('pgcut', async () => {
      await sleep(500);
      // A cut alone: the pool's connections are dead, new ones succeed.
      pgProxy!.cut();
      await sleep(500);
      pgProxy!.refuse();
      pgProxy!.cut();
      await sleep(300);
      for (let i = 0; i < 8; i += 1) {
        readiness.push(await readyStatus());
        await sleep(150);
      }
      pgProxy!.resume();
      recoveries.postgresCut = await timeToRecover('pgcut');
    });
    expect(
      readiness.every((status) => status === 503),
      JSON.stringify(readiness),
    ).toBe(true);
    expectClearOutcomes(turns);
    expect(recoveries.postgresCut).toBeLessThan(RECOVERY_BOUND_MS);
  });

  it('kill -9 of Redis: turns still acknowledged, bus, jobs and limiter recover within 10 s', async () => {
    const seen: DomainEvent[] = [];
    peerBus!.subscribe((event) => seen.push(event));
    const turns = await underLoad('rediskill', async () => {
      await sleep(500);
      await redis!.kill();
      await sleep(2_000);
      await redis!.start();
      const back = Date.now();
      // The bus: an event published on this node reaches the other node again.
      let delivered = false;
      while (!delivered && Date.now() - back < RECOVERY_BOUND_MS + 5_000) {
        const marker = `fault-${Date.now()}`;
        await kefu!.bus.publish({
          type: 'message.delta',
          tenantId: 'faults',
          conversationId: 'faults',
          turnId: marker,
          delta: '',
        });
        await sleep(200);
        delivered = seen.some((event) => event.type === 'message.delta' && event.turnId === marker);
      }
      recoveries.redisBus = Date.now() - back;
      // The job queue: a job enqueued now runs.
      let ran = false;
      kefu!.jobs.register('faults.ping', async () => {
        ran = true;
      });
      await bounded(kefu!.jobs.enqueue('faults.ping', {}), RECOVERY_BOUND_MS, 'enqueue after Redis returned');
      while (!ran && Date.now() - back < RECOVERY_BOUND_MS + 5_000) await sleep(50);
      recoveries.redisJobs = Date.now() - back;
      expect(ran).toBe(true);
      // The limiter: its buckets live in Redis again (a second take from a 1-token bucket is refused).
      const limiter = kefu!.metering.limits.limiter;
      let limiting = false;
      for (let i = 0; !limiting && Date.now() - back < RECOVERY_BOUND_MS + 5_000; i += 1) {
        const bucket = `faults-probe-${i}`;
        const first = await limiter.take(bucket, { ratePerSecond: 0.01, burst: 1 }).catch(() => null);
        const second = await limiter.take(bucket, { ratePerSecond: 0.01, burst: 1 }).catch(() => null);
        limiting = first?.allowed === true && second?.allowed === false;
        if (!limiting) await sleep(100);
      }
      recoveries.redisLimiter = Date.now() - back;
      expect(limiting).toBe(true);
    });
    expect(recoveries.redisBus).toBeLessThan(RECOVERY_BOUND_MS);
    expect(recoveries.redisJobs).toBeLessThan(RECOVERY_BOUND_MS);
    expect(recoveries.redisLimiter).toBeLessThan(RECOVERY_BOUND_MS);
    // Redis holds nothing a turn needs: the limiter fails open, the bus publishes without waiting.
    expectClearOutcomes(turns);
    const failed = turns.filter((result) => result.status !== 201);
    expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
    // Nothing waits for Redis to come back (the limiter gives up after 500 ms and lets the turn pass).
    expect(Math.max(...turns.map((result) => result.ms))).toBeLessThan(2_000);
    // The cluster's schedule (lost with Redis's keys) is declared again.
    const queue = (kefu!.jobs as unknown as { queue?: { getJobSchedulers(): Promise<Array<{ key: string }>> } }).queue;
    if (queue) {
      const back = Date.now();
      let scheduled = false;
      while (!scheduled && Date.now() - back < RECOVERY_BOUND_MS) {
        scheduled = (await queue.getJobSchedulers()).some((entry) => entry.key === 'knowledge.sync-due');
        if (!scheduled) await sleep(100);
      }
      expect(scheduled).toBe(true);
    }
    expect(await readyStatus()).toBe(200);
  });

  it('lost nothing acknowledged and stored nothing twice', async () => {
    // A client retries each turn that did not end in an acknowledgement, with the same external id.
    const unacknowledged = results.filter((result) => result.status !== 201 && result.status !== 200);
    expect(unacknowledged.length).toBeGreaterThan(0);
    const queue = [...unacknowledged];
    const retrier = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const retry = await turn('retry', next.externalId);
        expect([200, 201], JSON.stringify(retry)).toContain(retry.status);
      }
    };
    await Promise.all([retrier(), retrier(), retrier()]);
    // Acknowledged ones sent again are recognised as duplicates.
    const acknowledged = results.filter((result) => result.status === 201);
    for (const result of acknowledged.slice(0, 5)) {
      expect((await turn('again', result.externalId)).status).toBe(200);
    }
    const client = new pg.Client({ connectionString: postgres!.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ external_id: string; copies: string }>(
        `select external_id, count(*) as copies from messages where external_id is not null group by external_id`,
      );
      const copies = new Map(rows.map((row) => [row.external_id, Number(row.copies)]));
      const ids = new Set(results.map((result) => result.externalId));
      for (const id of ids) expect(copies.get(id), id).toBe(1);
    } finally {
      await client.end();
    }
  });
});

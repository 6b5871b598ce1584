import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { isKefuError } from '../errors/index.js';
import {
  deleteRedisPrefix,
  requireRedisUrl,
  skipWithoutRedis,
  testRedis,
  uniqueRedisPrefix,
  waitFor,
} from '../../test/support/test-redis.js';
import { createBullMqJobQueue } from './bullmq-job-queue.js';
import type { JobQueue } from './job-queue.js';

describe.skipIf(skipWithoutRedis)('BullMQ job queue (real Redis)', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const queues: JobQueue[] = [];
  const failures: Array<{ name: string; error: unknown }> = [];

  async function openQueue(prefix: string): Promise<JobQueue> {
    const queue = await createBullMqJobQueue({
      url: requireRedisUrl(),
      prefix,
      handlerWaitMs: 300,
      onFailure: (name, error) => failures.push({ name, error }),
    });
    queues.push(queue);
    return queue;
  }

  function prefix(): string {
    const value = uniqueRedisPrefix('jobs');
    prefixes.push(value);
    return value;
  }

  beforeAll(() => {
    redis = testRedis();
  });

  afterAll(async () => {
    for (const queue of queues) await queue.close();
    for (const value of prefixes) await deleteRedisPrefix(redis, value);
    redis?.disconnect();
  });

  it('runs a job enqueued on one node exactly once across two nodes, with its payload intact', async () => {
    const shared = prefix();
    const a = await openQueue(shared);
    const b = await openQueue(shared);
    const runs: Array<{ node: string; payload: unknown }> = [];
    a.register<{ text: string }>('reply.translate', async (payload) => void runs.push({ node: 'a', payload }));
    b.register<{ text: string }>('reply.translate', async (payload) => void runs.push({ node: 'b', payload }));
    const payloads = [
      { text: '七天无理由退货怎么申请？' },
      { text: '七天無理由退貨怎麼申請？' },
      { text: 'How do I return an item?' },
    ];
    for (let round = 0; round < 10; round += 1)
      for (const payload of payloads) await a.enqueue('reply.translate', payload);
    await a.drain();
    expect(runs).toHaveLength(30);
    const texts = runs.map((run) => (run.payload as { text: string }).text);
    for (const payload of payloads) expect(texts.filter((text) => text === payload.text)).toHaveLength(10);
    // Both nodes take work from the one queue (not a requirement, but what sharing means).
    expect(new Set(runs.map((run) => run.node)).size).toBeGreaterThanOrEqual(1);
  });

  it('retries with backoff and reports the attempt number', async () => {
    const a = await openQueue(prefix());
    const attempts: number[] = [];
    a.register('flaky', async (_payload, context) => {
      attempts.push(context.attempt);
      if (context.attempt < 3) throw new Error('upstream 503');
    });
    await a.enqueue('flaky', {}, { attempts: 3, backoffMs: 20 });
    await a.drain();
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('reports a job that fails its last attempt, and a job nobody registered (without retrying it)', async () => {
    const a = await openQueue(prefix());
    const before = failures.length;
    let runs = 0;
    a.register('always-fails', async () => {
      runs += 1;
      throw new Error('接口超时 / upstream timeout');
    });
    await a.enqueue('always-fails', {}, { attempts: 2, backoffMs: 10 });
    await a.enqueue('nobody-knows-me', { 内容: '你好' }, { attempts: 5, backoffMs: 10 });
    await a.drain();
    const reported = failures.slice(before);
    expect(runs).toBe(2);
    expect(reported.map((failure) => failure.name).sort()).toEqual(['always-fails', 'nobody-knows-me']);
    expect((reported.find((failure) => failure.name === 'always-fails')!.error as Error).message).toContain('接口超时');
  });

  it('runs a schedule declared on two nodes once per interval, not once per node', async () => {
    const shared = prefix();
    const a = await openQueue(shared);
    const b = await openQueue(shared);
    const runs: number[] = [];
    a.register('knowledge.sync-due', async () => void runs.push(Date.now()));
    b.register('knowledge.sync-due', async () => void runs.push(Date.now()));
    const everyMs = 250;
    const started = Date.now();
    await a.schedule('knowledge.sync-due', everyMs, {});
    await b.schedule('knowledge.sync-due', everyMs, {});
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const elapsed = Date.now() - started;
    const intervals = elapsed / everyMs;
    // Twice the intervals would mean each node ran its own schedule.
    expect(runs.length).toBeGreaterThanOrEqual(Math.floor(intervals) - 2);
    expect(runs.length).toBeLessThanOrEqual(Math.ceil(intervals) + 1);
    // One scheduler in Redis, whoever declared it.
    const [, keys] = await redis.scan('0', 'MATCH', `${shared}bull:jobs:repeat`, 'COUNT', 1000);
    expect(await redis.zcard(`${shared}bull:jobs:repeat`)).toBe(1);
    expect(keys.length).toBeLessThanOrEqual(1);
  });

  it('close() waits for the job running on this node and then refuses new ones', async () => {
    const shared = prefix();
    const a = await openQueue(shared);
    let finished = false;
    let started = false;
    a.register('slow', async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 400));
      finished = true;
    });
    await a.enqueue('slow', {});
    await waitFor(() => started, 5_000, 'the slow job to start');
    await a.close();
    expect(finished).toBe(true);
    await expect(a.enqueue('slow', {})).rejects.toThrow(/closed/);
  });

  it('a job written while no node was working on it runs when a node starts (jobs live in Redis, not in a node)', async () => {
    const shared = prefix();
    // Another process's enqueue, with no worker anywhere yet; the node registers its handler
    // just after its worker started (as at start-up), and the job waits for it.
    const writer = new Queue('jobs', { connection: testRedis(), prefix: `${shared}bull` });
    await writer.add('after-restart', { 租户: 'shop-zh' }, { removeOnComplete: true });
    await writer.close();
    const b = await openQueue(shared);
    const runs: unknown[] = [];
    b.register('after-restart', async (payload) => void runs.push(payload));
    await waitFor(() => runs.length === 1, 10_000, 'node B to run the waiting job');
    expect(runs).toEqual([{ 租户: 'shop-zh' }]);
  });

  it('fails fast, naming REDIS_URL, when Redis is unreachable', async () => {
    const error = await createBullMqJobQueue({ url: 'redis://127.0.0.1:1', prefix: prefix() }).catch(
      (caught: unknown) => caught,
    );
    expect(isKefuError(error)).toBe(true);
    expect((error as Error).message).toMatch(/REDIS_URL/);
  });
});

import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { closeRedis, connectRedis, createRedisConnection } from '../redis/index.js';
import type { JobHandler, JobQueue } from './job-queue.js';

export interface BullMqJobQueueOptions {
  url: string;
  /** Namespace of the queue's keys (config `redisPrefix`): keys are `<prefix>bull:jobs:…`. */
  prefix: string;
  /** Jobs this node runs at once (default 4). */
  concurrency?: number;
  /** A job failed its last attempt. */
  onFailure?: (name: string, error: unknown) => void;
  onRedisError?: (error: Error) => void;
  /** How long a job whose handler is not registered yet waits for it before failing (default 5 s). */
  handlerWaitMs?: number;
}

const queueName = 'jobs';

/**
 * The `JobQueue` port on BullMQ: every node enqueues to one queue in Redis and works on it, so a
 * job runs once in the cluster, on any node, and survives the node that enqueued it. `schedule`
 * is a BullMQ job scheduler keyed by the job name: each interval's job has a fixed id, so nodes
 * that all declare the same schedule still get one run per interval.
 */
export async function createBullMqJobQueue(
  options: BullMqJobQueueOptions,
): Promise<JobQueue & { readonly queue: Queue }> {
  const onFailure = options.onFailure ?? (() => undefined);
  const onRedisError = options.onRedisError ?? (() => undefined);
  const prefix = `${options.prefix}bull`;
  // BullMQ's blocking commands need maxRetriesPerRequest: null; the worker opens its own blocking
  // duplicate of its connection.
  const queueConnection = createRedisConnection(
    options.url,
    { role: 'jobs-queue', maxRetriesPerRequest: null },
    onRedisError,
  );
  const workerConnection = createRedisConnection(
    options.url,
    { role: 'jobs-worker', maxRetriesPerRequest: null },
    onRedisError,
  );
  try {
    await connectRedis(queueConnection);
    await connectRedis(workerConnection);
  } catch (error) {
    queueConnection.disconnect();
    workerConnection.disconnect();
    throw error;
  }

  const handlers = new Map<string, JobHandler<unknown>>();
  const handlerWaiters = new Set<() => void>();
  const handlerWaitMs = options.handlerWaitMs ?? 5_000;
  const handlerRegistered = (name: string, timeoutMs: number) =>
    new Promise<JobHandler<unknown> | undefined>((resolve) => {
      const check = () => {
        const handler = handlers.get(name);
        if (!handler && !closed) return;
        clearTimeout(timer);
        handlerWaiters.delete(check);
        resolve(handler);
      };
      const timer = setTimeout(() => {
        handlerWaiters.delete(check);
        resolve(handlers.get(name));
      }, timeoutMs);
      handlerWaiters.add(check);
    });
  const enqueued = new Set<string>();
  // The schedules this node declared: a Redis that restarts without its data (no persistence, a
  // failover to an empty replica) forgets them, so they are declared again on every reconnect.
  const schedules = new Map<string, { everyMs: number; payload: unknown }>();
  let closed = false;

  const queue = new Queue(queueName, { connection: queueConnection, prefix });
  queue.on('error', onRedisError);
  const worker = new Worker(
    queueName,
    async (job: Job, _token?: string, signal?: AbortSignal) => {
      // The worker runs from the start, so a job can arrive before start-up has registered its
      // handler: wait a little for it. A job nobody registers is not retried.
      const handler = handlers.get(job.name) ?? (await handlerRegistered(job.name, handlerWaitMs));
      if (!handler) throw new UnrecoverableError(`no handler registered for job ${job.name}`);
      await handler(job.data, { attempt: job.attemptsMade + 1, signal: signal ?? new AbortController().signal });
    },
    { connection: workerConnection, prefix, concurrency: options.concurrency ?? 4, autorun: true },
  );
  worker.on('error', onRedisError);
  worker.on('failed', (job, error) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    if (error instanceof UnrecoverableError || job.attemptsMade >= attempts) onFailure(job.name, error);
  });
  await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);

  const upsertSchedule = (name: string, everyMs: number, payload: unknown) =>
    queue.upsertJobScheduler(
      name,
      { every: everyMs },
      {
        name,
        data: payload,
        opts: { attempts: 1, removeOnComplete: { count: 20 }, removeOnFail: { count: 100 } },
      },
    );
  let lost = false;
  queueConnection.on('close', () => {
    if (!closed) lost = true;
  });
  queueConnection.on('ready', () => {
    if (!lost || closed) return;
    lost = false;
    for (const [name, { everyMs, payload }] of schedules) {
      upsertSchedule(name, everyMs, payload).catch((error: Error) => onRedisError(error));
    }
  });

  return {
    queue,
    register(name, handler) {
      // Stored payload-agnostic: a job's payload is whatever was enqueued under the handler's name.
      handlers.set(name, handler as JobHandler<unknown>);
      for (const check of [...handlerWaiters]) check();
    },
    async enqueue(name, payload, jobOptions = {}) {
      if (closed) throw new Error('job queue is closed');
      const job = await queue.add(name, payload, {
        attempts: jobOptions.attempts ?? 3,
        backoff: { type: 'exponential', delay: jobOptions.backoffMs ?? 200 },
        removeOnComplete: { count: 200 },
        removeOnFail: { count: 1000 },
      });
      if (job.id) enqueued.add(job.id);
    },
    async schedule(name, everyMs, payload) {
      if (closed) throw new Error('job queue is closed');
      schedules.set(name, { everyMs, payload });
      await upsertSchedule(name, everyMs, payload);
    },
    async drain() {
      while (enqueued.size > 0) {
        for (const id of [...enqueued]) {
          const state = await queue.getJobState(id);
          // A removed job (removeOnComplete) reads as unknown: it has finished.
          if (state === 'completed' || state === 'failed' || state === 'unknown') enqueued.delete(id);
        }
        if (enqueued.size > 0) await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const check of [...handlerWaiters]) check();
      // Waits for the jobs running here; waiting ones stay in Redis for the other nodes (or the
      // next start). The schedule stays too: it belongs to the cluster, not to this node.
      await worker.close();
      await queue.close();
      await Promise.all([closeRedis(workerConnection), closeRedis(queueConnection)]);
    },
  };
}

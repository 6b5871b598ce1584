import type { JobHandler, JobOptions, JobQueue } from './job-queue.js';

/** Runs jobs in this process, one at a time per queue, with retries and backoff. */
export function createInProcessJobQueue(onFailure: (name: string, error: unknown) => void = () => undefined): JobQueue {
  const handlers = new Map<string, JobHandler<unknown>>();
  const running = new Set<Promise<void>>();
  const controller = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  let closed = false;

  async function run(name: string, payload: unknown, options: JobOptions): Promise<void> {
    const handler = handlers.get(name);
    if (!handler) {
      onFailure(name, new Error(`no handler registered for job ${name}`));
      return;
    }
    const attempts = options.attempts ?? 3;
    const backoffMs = options.backoffMs ?? 200;
    for (let attempt = 1; attempt <= attempts && !controller.signal.aborted; attempt += 1) {
      try {
        await handler(payload, { attempt, signal: controller.signal });
        return;
      } catch (error) {
        if (attempt === attempts) onFailure(name, error);
        else await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)).unref());
      }
    }
  }

  return {
    register(name, handler) {
      // Stored payload-agnostic: a job's payload is whatever was enqueued under the handler's name.
      handlers.set(name, handler as JobHandler<unknown>);
    },
    async enqueue(name, payload, options = {}) {
      if (closed) throw new Error('job queue is closed');
      const job = run(name, payload, options).finally(() => running.delete(job));
      running.add(job);
    },
    async schedule(name, everyMs, payload) {
      if (closed) throw new Error('job queue is closed');
      const timer = setInterval(() => {
        if (!closed) void this.enqueue(name, payload, { attempts: 1 });
      }, everyMs);
      timer.unref();
      timers.push(timer);
    },
    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    async close() {
      closed = true;
      for (const timer of timers.splice(0)) clearInterval(timer);
      await this.drain();
      controller.abort();
    },
  };
}

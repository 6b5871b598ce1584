import type { BullMqJobQueueOptions } from './bullmq-job-queue.js';
import type { JobQueue } from './job-queue.js';

export type { JobQueue, JobHandler, JobOptions } from './job-queue.js';
export type { BullMqJobQueueOptions } from './bullmq-job-queue.js';
export { createInProcessJobQueue } from './in-process-job-queue.js';

/** The BullMQ adapter, loaded only when Redis is configured (bullmq takes ~0.2 s to import). */
export async function createBullMqJobQueue(options: BullMqJobQueueOptions): Promise<JobQueue> {
  const { createBullMqJobQueue: create } = await import('./bullmq-job-queue.js');
  return create(options);
}

export type { JobQueue, JobHandler, JobOptions } from './job-queue.js';
export { createInProcessJobQueue } from './in-process-job-queue.js';

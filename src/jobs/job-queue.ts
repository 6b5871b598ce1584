export interface JobOptions {
  /** Attempts before the job is given up (default 3), with exponential backoff from `backoffMs`. */
  attempts?: number;
  backoffMs?: number;
}

export type JobHandler<T = unknown> = (payload: T, context: { attempt: number; signal: AbortSignal }) => Promise<void>;

/** The `JobQueue` port: named jobs with retries; the Redis (BullMQ) adapter comes with scale-out. */
export interface JobQueue {
  register<T>(name: string, handler: JobHandler<T>): void;
  enqueue<T>(name: string, payload: T, options?: JobOptions): Promise<void>;
  /** Resolves when every enqueued job has finished (for shutdown and tests). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

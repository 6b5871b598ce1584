export interface JobOptions {
  /** Attempts before the job is given up (default 3), with exponential backoff from `backoffMs`. */
  attempts?: number;
  backoffMs?: number;
}

export type JobHandler<T = unknown> = (payload: T, context: { attempt: number; signal: AbortSignal }) => Promise<void>;

/** The `JobQueue` port: named jobs with retries; in-process, or BullMQ on Redis for several nodes. */
export interface JobQueue {
  register<T>(name: string, handler: JobHandler<T>): void;
  enqueue<T>(name: string, payload: T, options?: JobOptions): Promise<void>;
  /**
   * Runs `name` every `everyMs` (one attempt each). With several nodes on one Redis, each
   * interval's job runs once in the whole cluster, on whichever node takes it; calling this on
   * every node (or again after a restart) keeps one schedule, not several.
   */
  schedule<T>(name: string, everyMs: number, payload: T): Promise<void>;
  /** Resolves when every job this node enqueued has finished (for shutdown and tests). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

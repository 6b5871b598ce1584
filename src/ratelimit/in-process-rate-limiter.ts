import { refill, type BucketLimit, type RateDecision, type RateLimiter } from './rate-limiter.js';

/** Buckets in this process's memory: exact for one node, not shared with others. */
export function createInProcessRateLimiter(options: { now?: () => number; maxBuckets?: number } = {}): RateLimiter {
  const now = options.now ?? (() => performance.timeOrigin + performance.now());
  const maxBuckets = options.maxBuckets ?? 100_000;
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  return {
    kind: 'in-process',
    async take(key: string, limit: BucketLimit, cost = 1): Promise<RateDecision> {
      const result = refill(buckets.get(key), limit, now(), cost);
      // Re-insert so the map's order is least recently used first.
      buckets.delete(key);
      buckets.set(key, result.state);
      // A full bucket is the same as a missing one: dropping the oldest keeps memory bounded.
      if (buckets.size > maxBuckets) buckets.delete(buckets.keys().next().value!);
      return result.decision;
    },
    async close() {
      buckets.clear();
    },
  };
}

/** A token bucket: `burst` capacity, refilled at `ratePerSecond`. */
export interface BucketLimit {
  ratePerSecond: number;
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Tokens left after this request (fractional). */
  remaining: number;
  /** When refused: milliseconds until `cost` tokens are back. 0 when allowed. */
  retryAfterMs: number;
}

/**
 * The `RateLimiter` port: token buckets by key. The in-process adapter is exact on one node; the
 * Redis adapter shares buckets between nodes (one atomic script per request).
 */
export interface RateLimiter {
  readonly kind: 'in-process' | 'redis';
  take(key: string, limit: BucketLimit, cost?: number): Promise<RateDecision>;
  close(): Promise<void>;
}

/** The refill arithmetic both adapters use (the Redis script is the same in Lua). */
export function refill(
  state: { tokens: number; updatedAt: number } | undefined,
  limit: BucketLimit,
  now: number,
  cost: number,
) {
  const burst = Math.max(1, limit.burst);
  const previous = state ?? { tokens: burst, updatedAt: now };
  const elapsedMs = Math.max(0, now - previous.updatedAt);
  let tokens = Math.min(burst, previous.tokens + (elapsedMs * limit.ratePerSecond) / 1000);
  let retryAfterMs = 0;
  const allowed = tokens >= cost;
  if (allowed) tokens -= cost;
  else retryAfterMs = Math.ceil(((cost - tokens) * 1000) / limit.ratePerSecond);
  return { state: { tokens, updatedAt: now }, decision: { allowed, remaining: tokens, retryAfterMs } };
}

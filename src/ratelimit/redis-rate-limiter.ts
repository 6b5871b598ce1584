import type { BucketLimit, RateDecision, RateLimiter } from './rate-limiter.js';

/** The part of an ioredis client this adapter uses (STYLE.md §4: type only what you call). */
export interface RedisScriptClient {
  evalsha(sha: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown>;
  script(subcommand: 'LOAD', script: string): Promise<unknown>;
  quit(): Promise<unknown>;
}

/**
 * One token bucket, atomically: refill from Redis's own clock (so nodes with skewed clocks agree),
 * take `cost` if there is enough, store, and expire an idle bucket once it would be full again.
 * Numbers go back as strings: Redis truncates Lua numbers to integers.
 */
export const TOKEN_BUCKET_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
end
local elapsed = now - updated
if elapsed < 0 then elapsed = 0 end
tokens = math.min(burst, tokens + elapsed * rate / 1000)
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return { allowed, tostring(tokens), retry }
`;

/**
 * Buckets in Redis under `prefix` + `ratelimit:` + key, shared by every node using the same Redis
 * and prefix. The script is loaded once and called by its SHA (re-sent if Redis forgot it).
 */
export function createRedisRateLimiter(
  client: RedisScriptClient,
  options: { prefix: string; ownsClient?: boolean; timeoutMs?: number },
): RateLimiter {
  let sha: Promise<string> | null = null;
  // A load that failed (Redis away) is tried again on the next take, not remembered as failed.
  const load = () =>
    (sha ??= client
      .script('LOAD', TOKEN_BUCKET_SCRIPT)
      .then(String)
      .catch((error: unknown) => {
        sha = null;
        throw error;
      }));
  // Bounded: a Redis that is away (or behind a proxy that accepts and drops connections, which
  // keeps ioredis retrying) must not hold requests; the caller fails open (test/faults).
  const timeoutMs = options.timeoutMs ?? 500;
  const bounded = async <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`rate limiter: Redis gave no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  const call = async (key: string, args: Array<string | number>): Promise<unknown> => {
    try {
      return await client.evalsha(await load(), 1, key, ...args);
    } catch (error) {
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      sha = null;
      return client.eval(TOKEN_BUCKET_SCRIPT, 1, key, ...args);
    }
  };
  return {
    kind: 'redis',
    async take(key: string, limit: BucketLimit, cost = 1): Promise<RateDecision> {
      const burst = Math.max(1, limit.burst);
      const [allowed, remaining, retry] = (await bounded(
        call(`${options.prefix}ratelimit:${key}`, [limit.ratePerSecond, burst, cost]),
      )) as [number, string, number];
      return { allowed: Number(allowed) === 1, remaining: Number(remaining), retryAfterMs: Number(retry) };
    },
    async close() {
      if (options.ownsClient) await client.quit();
    },
  };
}

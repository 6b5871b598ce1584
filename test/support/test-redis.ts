import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * Redis for tests: REDIS_URL, shared with other tests and people, so every test works under its
 * own key prefix. Without REDIS_URL the Redis tests are skipped, except in CI (CI=true), where
 * they run and fail: CI never silently skips the scale-out tests. The one exception is the
 * embedded-only pass of .ci/run (KEFU_TEST_EMBEDDED=true), which proves `npm test` needs nothing
 * else running; the next pass sets DATABASE_URL and REDIS_URL.
 */
export const redisTestUrl = process.env.REDIS_URL || undefined;
export const servicesRequired = process.env.CI === 'true' && process.env.KEFU_TEST_EMBEDDED !== 'true';
export const skipWithoutRedis = !redisTestUrl && !servicesRequired;

/** The Redis URL, or an error saying CI needs one. */
export function requireRedisUrl(): string {
  if (!redisTestUrl)
    throw new Error('REDIS_URL is not set: CI=true runs the Redis tests and needs it (e.g. redis://127.0.0.1:6379)');
  return redisTestUrl;
}

/** A prefix no other test or process uses: `kefu-test-<random>:`. */
export function uniqueRedisPrefix(label = 'test'): string {
  return `kefu-${label}-${randomBytes(6).toString('hex')}:`;
}

/** A plain connection for the test itself (inspecting keys, killing clients, raw publishes). */
export function testRedis(): Redis {
  return new Redis(requireRedisUrl(), { maxRetriesPerRequest: 2, connectTimeout: 5_000 });
}

/** Deletes every key under `prefix` (SCAN, never KEYS *: the server is shared). */
export async function deleteRedisPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Kills this server's client connections whose name starts with `namePrefix`; returns how many. */
export async function killRedisClients(redis: Redis, namePrefix: string): Promise<number> {
  const list = (await redis.client('LIST')) as string;
  let killed = 0;
  for (const line of list.split('\n')) {
    const id = /\bid=(\d+)/.exec(line)?.[1];
    const name = /\bname=(\S*)/.exec(line)?.[1] ?? '';
    if (id && name.startsWith(namePrefix)) {
      await redis.client('KILL', 'ID', id);
      killed += 1;
    }
  }
  return killed;
}

/** Polls `check` until it returns true, failing after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

import { Redis, type RedisOptions } from 'ioredis';
import { ErrorCodes, KefuError } from '../errors/index.js';

export interface RedisConnectionOptions {
  /** Shown in `CLIENT LIST` (`kefu:<role>`), so an operator can tell kefu's connections apart. */
  role: string;
  /**
   * BullMQ's blocking connections need `null` (retry forever); plain commands give up after a few
   * reconnect attempts so a caller is not held for minutes while Redis is down.
   */
  maxRetriesPerRequest?: number | null;
}

/**
 * One ioredis connection with kefu's defaults: reconnect forever with a capped backoff (1 s at
 * most), bounded connect time, and no unhandled `error` events (ioredis reconnects by itself; the
 * owner logs through `onError`).
 */
export function createRedisConnection(
  url: string,
  options: RedisConnectionOptions,
  onError: (error: Error) => void = () => undefined,
): Redis {
  const redisOptions: RedisOptions = {
    connectionName: `kefu:${options.role}`,
    connectTimeout: 5_000,
    maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? 5 : options.maxRetriesPerRequest,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
    lazyConnect: true,
  };
  const connection = new Redis(url, redisOptions);
  connection.on('error', onError);
  return connection;
}

/**
 * Connects and checks the server answers, failing fast (within `timeoutMs`) with an error that
 * names REDIS_URL, as opening the database does for DATABASE_URL.
 */
export async function connectRedis(connection: Redis, timeoutMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        if (connection.status === 'wait') await connection.connect();
        await connection.ping();
      })(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    connection.disconnect();
    throw new KefuError(ErrorCodes.configInvalid, `cannot connect to REDIS_URL: ${(error as Error).message}`, {
      category: 'system',
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** Closes a connection politely (QUIT), or drops it when Redis is not answering. */
export async function closeRedis(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  try {
    await Promise.race([connection.quit(), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  } catch {
    // already closing
  }
  if ((connection.status as string) !== 'end') connection.disconnect();
}

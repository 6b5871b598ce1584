import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { spawnOwned, type OwnedProcess } from './owned-process.js';

/**
 * A `redis-server` of the test's own on a free port of 127.0.0.1, with no persistence
 * (`--save '' --appendonly no`): never the machine's shared Redis. A kill loses every key, as a
 * crashed Redis without persistence does.
 */
export interface ThrowawayRedis {
  readonly url: string;
  readonly port: number;
  running(): boolean;
  /** SIGKILL: the server and its data are gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty); resolves once it answers PING. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** The redis-server binary, or null. */
export function findRedisServer(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  return found || null;
}

export async function startThrowawayRedis(timeoutMs = 15_000): Promise<ThrowawayRedis> {
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server is not on PATH');
  const port = await freePort();
  let server: OwnedProcess | null = null;
  const start = async () => {
    if (server?.alive()) return;
    const current = spawnOwned(binary, [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--protected-mode',
      'no',
    ]);
    server = current;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const probe = new Redis({
        host: '127.0.0.1',
        port,
        lazyConnect: true,
        connectTimeout: 1_000,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        if (!current.alive()) throw new Error(`redis-server exited:\n${current.output()}`);
        if (Date.now() > deadline) {
          await current.stop('SIGKILL');
          throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    running: () => server?.alive() ?? false,
    async kill() {
      await server?.stop('SIGKILL', 5_000);
    },
    start,
    async dispose() {
      await server?.stop('SIGTERM', 5_000);
    },
  };
}

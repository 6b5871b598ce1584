import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { spawnOwned, type OwnedProcess } from './owned-process.js';

/**
 * A PostgreSQL cluster of the test's own: `initdb` into a temporary folder and `postgres` on a
 * free port of 127.0.0.1 (no Unix socket, trust auth, fsync off, synchronous commit on). Never the machine's shared
 * server. PostgreSQL refuses to run as root: under root the cluster belongs to the `postgres`
 * user and the processes run as that user (spawn's uid/gid).
 */
export interface ThrowawayPostgres {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** True while the server process is up. */
  running(): boolean;
  /** Crashes the server: SIGKILL to the postmaster and all its backends (crash recovery on the next start). */
  kill(): Promise<void>;
  /** Starts it again on the same port and data (after `kill` or `stop`); resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops the server (if running) and removes the data folder. */
  dispose(): Promise<void>;
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** initdb and postgres of the newest PostgreSQL installed, or a reason why there are none. */
export function findPostgresBinaries(): PostgresBinaries | { missing: string } {
  const candidates: string[] = [];
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) candidates.push(path.join(root, version, 'bin'));
  }
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) candidates.push(path.dirname(onPath));
  for (const dir of candidates) {
    const initdb = path.join(dir, 'initdb');
    const postgres = path.join(dir, 'postgres');
    if (existsSync(initdb) && existsSync(postgres)) return { initdb, postgres };
  }
  return { missing: 'no initdb/postgres found under /usr/lib/postgresql/*/bin or on PATH' };
}

/** Who runs the cluster: this user, or `postgres` when this process is root. */
function clusterUser(): { uid: number; gid: number } | { missing: string } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return { missing: 'running as root and there is no `postgres` user to run PostgreSQL as' };
  }
}

/** Whether a throw-away cluster can be started here, with the reason when it cannot. */
export function throwawayPostgresAvailable(): { ok: true } | { ok: false; reason: string } {
  const binaries = findPostgresBinaries();
  if ('missing' in binaries) return { ok: false, reason: binaries.missing };
  const user = clusterUser();
  if (user && 'missing' in user) return { ok: false, reason: user.missing };
  return { ok: true };
}

export async function startThrowawayPostgres(timeoutMs = 30_000): Promise<ThrowawayPostgres> {
  const binaries = findPostgresBinaries();
  if ('missing' in binaries) throw new Error(binaries.missing);
  const user = clusterUser();
  if (user && 'missing' in user) throw new Error(user.missing);
  const owner = user ?? {};
  const base = mkdtempSync(path.join(os.tmpdir(), 'kefu-faults-pg-'));
  const dataDir = path.join(base, 'data');
  if (user) chownSync(base, user.uid, user.gid);
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C', TZ: 'UTC' };
  const init = spawnSync(
    binaries.initdb,
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
    { ...owner, env, encoding: 'utf8', timeout: timeoutMs, cwd: base },
  );
  if (init.status !== 0) {
    rmSync(base, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.signal}): ${init.stderr || init.stdout || init.error}`);
  }
  // A worker that exits without running the test's hooks still leaves no folder behind.
  const removeFolder = () => rmSync(base, { recursive: true, force: true });
  process.once('exit', removeFolder);
  const port = await freePort();
  let server: OwnedProcess | null = null;

  const start = async () => {
    if (server?.alive()) return;
    const current = spawnOwned(
      binaries.postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'fsync=off',
        // A commit is acknowledged only once its WAL is written: with synchronous_commit=off a kill -9
        // loses the last acknowledged transactions still in WAL buffers, and the fault tests check
        // exactly that nothing acknowledged is lost. (fsync=off is harmless here: killing the server
        // process leaves the operating system's page cache intact; only a machine crash would not.)
        '-c',
        'synchronous_commit=on',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=60',
        '-c',
        'shared_buffers=32MB',
      ],
      { ...owner, env, cwd: base },
    );
    server = current;
    try {
      await waitUntilAccepting(port, timeoutMs, () => current.alive());
    } catch (error) {
      await current.stop('SIGKILL');
      throw new Error(`${(error as Error).message}\n${current.output()}`, { cause: error });
    }
  };

  await start().catch((error: unknown) => {
    rmSync(base, { recursive: true, force: true });
    throw error;
  });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    running: () => server?.alive() ?? false,
    async kill() {
      await server?.stop('SIGKILL', 5_000);
    },
    start,
    async dispose() {
      // Fast shutdown (SIGINT); a throw-away cluster needs no checkpoint either way.
      await server?.stop('SIGINT', 5_000);
      removeFolder();
      process.removeListener('exit', removeFolder);
    },
  };
}

/** Polls with a real connection until the server accepts queries (not just the port: crash recovery). */
async function waitUntilAccepting(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: 'postgres',
      connectionTimeoutMillis: 1_000,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (!alive()) throw new Error(`postgres exited before accepting connections on port ${port}`, { cause: error });
      if (Date.now() > deadline)
        throw new Error(`postgres did not accept connections within ${timeoutMs} ms: ${(error as Error).message}`, {
          cause: error,
        });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * One embedded database, one owner. The process that opens PGlite in a data directory holds
 * `<dataDir>/kefu.lock` (created exclusively) for as long as it has it open; a second process
 * finds the owner there instead of opening the same files (which corrupts them).
 *
 * A lock whose process is gone (kill -9, a crash) is stale: the next process takes it over. The
 * take-over itself is serialised by an exclusive `kefu.lock.takeover` directory, so two
 * processes that find the same stale lock cannot both win.
 */

export interface DataDirOwner {
  pid: number;
  hostname: string;
  /** `server` (kefu serve) or `cli` (a one-off command). */
  kind: 'server' | 'cli';
  /** What holds it, e.g. `kefu serve` or `kefu import`. */
  command: string;
  startedAt: string;
  /** The running server's base URL, once it listens. */
  url?: string;
  /** Secret for the server's local control socket (the file is readable by its owner only). */
  controlToken?: string;
}

export interface DataDirLock {
  readonly path: string;
  readonly owner: DataDirOwner;
  /** Rewrites the lock with more about the owner (the URL once the server listens). */
  update(patch: Partial<Pick<DataDirOwner, 'url' | 'controlToken'>>): void;
  /** Removes the lock if it is still ours. Safe to call twice. */
  release(): void;
}

export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner,
  ) {
    super(`${dataDir} is in use by ${owner.command} (pid ${owner.pid}${owner.url ? `, ${owner.url}` : ''})`);
    this.name = 'DataDirBusyError';
  }
}

const LOCK_FILE = 'kefu.lock';
/** A lock from another host is trusted while it was refreshed this recently. */
const FOREIGN_STALE_MS = 60_000;
/** A take-over directory older than this was left by a process that died mid-take-over. */
const TAKEOVER_STALE_MS = 10_000;

export function lockPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), LOCK_FILE);
}

/** When the process with this pid started (Linux /proc), or null where that cannot be read. */
function processStartedAtMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime, in clock ticks after boot); fields are counted after the ")" that ends the name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const boot = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (!Number.isFinite(ticks) || !boot) return null;
    return Number(boot[1]) * 1000 + (ticks / 100) * 1000;
  } catch {
    return null;
  }
}

/** Whether the lock's process still runs: alive, and not a later process that reuses its pid. */
function ownerIsAlive(owner: DataDirOwner): boolean {
  const pid = owner.pid;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = processStartedAtMs(pid);
  const locked = Date.parse(owner.startedAt);
  // A process that started after the lock was written cannot have written it (2 s for clock granularity).
  return started === null || Number.isNaN(locked) || started <= locked + 2000;
}

function parseOwner(text: string): DataDirOwner | null {
  try {
    const value = JSON.parse(text) as Partial<DataDirOwner>;
    if (
      typeof value.pid !== 'number' ||
      typeof value.hostname !== 'string' ||
      (value.kind !== 'server' && value.kind !== 'cli')
    )
      return null;
    return value as DataDirOwner;
  } catch {
    return null;
  }
}

/** The live owner of a data directory, or null when nobody (alive) holds it. */
export function readDataDirOwner(dataDir: string): DataDirOwner | null {
  const file = lockPath(dataDir);
  let text: string;
  let modifiedMs: number;
  try {
    text = readFileSync(file, 'utf8');
    modifiedMs = statSync(file).mtimeMs;
  } catch {
    return null;
  }
  const owner = parseOwner(text);
  // A lock still being written (created a moment ago, empty or half-written) counts as held.
  if (!owner)
    return Date.now() - modifiedMs < 2000
      ? {
          pid: -1,
          hostname: hostname(),
          kind: 'cli',
          command: 'kefu (starting)',
          startedAt: new Date(modifiedMs).toISOString(),
        }
      : null;
  if (owner.hostname === hostname()) return ownerIsAlive(owner) ? owner : null;
  return Date.now() - modifiedMs < FOREIGN_STALE_MS ? owner : null;
}

function writeExclusive(file: string, owner: DataDirOwner): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Removes a stale lock, with the take-over directory held so that only one process does it. */
function takeOverStale(dataDir: string): void {
  const file = lockPath(dataDir);
  const guard = `${file}.takeover`;
  try {
    mkdirSync(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(guard).mtimeMs > TAKEOVER_STALE_MS) rmdirSync(guard);
    } catch {
      // another process removed it first
    }
    return;
  }
  try {
    // Checked again under the guard: another process may have taken over in between.
    if (readDataDirOwner(dataDir) === null) {
      try {
        const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
        renameSync(file, aside);
        unlinkSync(aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  } finally {
    rmdirSync(guard);
  }
}

/**
 * Takes the data directory for this process, or throws DataDirBusyError naming the live owner.
 * A stale lock (its process is gone) is taken over.
 */
export function acquireDataDirLock(dataDir: string, who: { kind: DataDirOwner['kind']; command: string }): DataDirLock {
  const directory = path.resolve(dataDir);
  mkdirSync(directory, { recursive: true });
  const file = lockPath(directory);
  const owner: DataDirOwner = {
    pid: process.pid,
    hostname: hostname(),
    kind: who.kind,
    command: who.command,
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (writeExclusive(file, owner)) return heldLock(file, owner);
    const current = readDataDirOwner(directory);
    if (current) throw new DataDirBusyError(directory, current);
    takeOverStale(directory);
  }
  throw new Error(`could not take ${file}: it kept changing hands`);
}

function heldLock(file: string, owner: DataDirOwner): DataDirLock {
  let released = false;
  const isOurs = () => {
    try {
      const current = parseOwner(readFileSync(file, 'utf8'));
      return (
        current !== null &&
        current.pid === owner.pid &&
        current.hostname === owner.hostname &&
        current.startedAt === owner.startedAt
      );
    } catch {
      return false;
    }
  };
  // Refreshed now and then, so that a lock on a shared (network) disk seen from another host stays trusted.
  const refresh = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // gone: release() will find out
    }
  }, FOREIGN_STALE_MS / 3);
  refresh.unref();
  const releaseOnExit = () => lock.release();
  process.once('exit', releaseOnExit);
  const lock: DataDirLock = {
    path: file,
    owner,
    update(patch) {
      if (released || !isOurs()) return;
      Object.assign(owner, patch);
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(owner), { mode: 0o600 });
      renameSync(temporary, file);
    },
    release() {
      if (released) return;
      released = true;
      clearInterval(refresh);
      process.removeListener('exit', releaseOnExit);
      if (isOurs()) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
    },
  };
  return lock;
}

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DataDirBusyError,
  acquireDataDirLock,
  lockPath,
  readDataDirOwner,
  type DataDirOwner,
} from './data-dir-lock.js';

// One embedded database, one owner: the lock file names its live owner, a second taker is refused
// with that name, and a lock whose process is gone (kill -9) is taken over by exactly one process.

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kefu-lock-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function writeLock(dir: string, owner: Partial<DataDirOwner>) {
  writeFileSync(
    lockPath(dir),
    JSON.stringify({
      hostname: hostname(),
      kind: 'server',
      command: 'kefu serve',
      startedAt: new Date().toISOString(),
      ...owner,
    }),
  );
}

describe('the data directory lock', () => {
  it('names its owner, refuses a second taker, and frees the directory on release', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir, { kind: 'server', command: 'kefu serve' });
    expect(statSync(lockPath(dir)).mode & 0o777).toBe(0o600);
    lock.update({ url: 'http://127.0.0.1:3000', controlToken: 'secret' });
    expect(readDataDirOwner(dir)).toMatchObject({
      pid: process.pid,
      kind: 'server',
      url: 'http://127.0.0.1:3000',
      controlToken: 'secret',
    });
    let refusal: unknown;
    try {
      acquireDataDirLock(dir, { kind: 'cli', command: 'kefu import' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataDirBusyError);
    expect((refusal as DataDirBusyError).owner.url).toBe('http://127.0.0.1:3000');
    expect((refusal as Error).message).toContain(`pid ${process.pid}`);
    lock.release();
    lock.release();
    expect(readDataDirOwner(dir)).toBeNull();
    acquireDataDirLock(dir, { kind: 'cli', command: 'kefu migrate' }).release();
  });

  it('takes over a lock left by a process that was killed', () => {
    const dir = tempDir();
    writeLock(dir, { pid: deadPid() });
    expect(readDataDirOwner(dir)).toBeNull();
    const lock = acquireDataDirLock(dir, { kind: 'cli', command: 'kefu chat' });
    expect(JSON.parse(readFileSync(lockPath(dir), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('treats a pid reused by a later process as stale, and a corrupt old lock too', () => {
    const dir = tempDir();
    // This process exists, but started long after the lock was written: not the lock's writer.
    writeLock(dir, { pid: process.pid, startedAt: '2001-01-01T00:00:00.000Z' });
    expect(readDataDirOwner(dir)).toBeNull();
    writeFileSync(lockPath(dir), '{"pid": 12');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockPath(dir), old, old);
    expect(readDataDirOwner(dir)).toBeNull();
    acquireDataDirLock(dir, { kind: 'cli', command: 'kefu chat' }).release();
  });

  it('lets exactly one of several racing processes take over a stale lock', async () => {
    const dir = tempDir();
    writeLock(dir, { pid: deadPid() });
    const script = `
      import { acquireDataDirLock } from ${JSON.stringify(path.resolve(import.meta.dirname, 'data-dir-lock.ts'))};
      try {
        acquireDataDirLock(process.argv[1], { kind: 'cli', command: 'racer' });
        process.stdout.write('won');
        setTimeout(() => process.exit(0), 1500);
      } catch (error) {
        process.stdout.write(error.name === 'DataDirBusyError' ? 'refused' : 'failed: ' + error.message);
      }`;
    const racers = Array.from(
      { length: 6 },
      () =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          child.stdout.on('data', (chunk) => (out += chunk));
          child.on('exit', () => resolve(out));
        }),
    );
    const results = await Promise.all(racers);
    expect(results.filter((result) => result === 'won')).toHaveLength(1);
    expect(results.filter((result) => result === 'refused')).toHaveLength(5);
  }, 60_000);
});

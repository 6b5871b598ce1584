import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * A child process the test owns: started in a process group of its own (so a kill reaches the
 * process and everything it forked, e.g. PostgreSQL's backends), killed on process exit even when
 * the test fails, and stopped with a bounded wait.
 */
export interface OwnedProcess {
  readonly child: ChildProcess;
  /** True until the process has exited. */
  alive(): boolean;
  /** Whatever it wrote to stdout and stderr (the last 64 KB), for failure messages. */
  output(): string;
  /** Sends `signal` to the whole group and waits (at most `timeoutMs`) for the exit; SIGKILL after. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
let hooked = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // Synchronous: an exiting worker cannot wait, but a SIGKILL to each group needs no waiting.
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

export function spawnOwned(command: string, args: string[], options: SpawnOptions = {}): OwnedProcess {
  hookExit();
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-65_536);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  live.add(child);
  const exit = new Promise<void>((resolve) => {
    const done = () => {
      exited = true;
      live.delete(child);
      resolve();
    };
    child.once('exit', done);
    child.once('error', (error) => {
      append(Buffer.from(String(error)));
      done();
    });
  });
  // The test's process must not wait for its components to exit on their own.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    child,
    alive: () => !exited,
    output: () => log,
    async stop(signal = 'SIGTERM', timeoutMs = 5_000) {
      if (exited) return;
      killGroup(child, signal);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exit.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        killGroup(child, 'SIGKILL');
        await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      }
    },
  };
}

// Child processes and autocannon runs shared by the HTTP benches (bench/http.ts, bench/widget-sessions.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** Starts `node <command>` and resolves once its output matches `ready`. */
export function startProcess(
  command: string[],
  env: Record<string, string>,
  ready: RegExp,
  options: { cwd?: string } = {},
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) resolve({ child, match });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => reject(new Error(`${command.join(' ')} exited ${code}: ${output}`)));
  });
}

/** Stops a child with SIGTERM and waits for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export function runAutocannon(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon(options, (error: unknown, result) =>
      error
        ? reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }))
        : resolve(result),
    ),
  );
}

/** Moves `tenant` to an unlimited plan through the operator API, so a bench measures the work, not the rate limiter. */
export async function unlimitedPlan(baseUrl: string, operatorKey: string, tenant: string): Promise<void> {
  const headers = { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' };
  const plan = await fetch(`${baseUrl}/operator/v1/plans`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      slug: 'bench-unlimited',
      name: 'Bench (unlimited)',
      limits: { requestsPerSecond: 100_000, burst: 1_000_000 },
    }),
  });
  if (plan.status !== 201 && plan.status !== 409) throw new Error(`plan: ${plan.status} ${await plan.text()}`);
  const moved = await fetch(`${baseUrl}/operator/v1/tenants/${tenant}/plan`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ plan: 'bench-unlimited' }),
  });
  if (moved.status !== 200) throw new Error(`tenant plan: ${moved.status} ${await moved.text()}`);
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux): what a bench divides
 * by the requests it served, a figure that holds on a busy shared machine where throughput does not.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
/** USER_HZ on Linux: 100 on every architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Waits until a server has settled after start (models trained in worker threads, caches warm):
 * less than `busyMs` of CPU in a second, or `maxSeconds` gone. Benches that divide CPU by requests
 * start after this, so start-up work is not billed to the requests.
 */
export async function waitUntilIdle(pid: number, busyMs = 100, maxSeconds = 90): Promise<void> {
  for (let second = 0; second < maxSeconds; second += 1) {
    const before = processCpuMs(pid);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (processCpuMs(pid) - before < busyMs) return;
  }
}

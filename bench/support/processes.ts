// Child processes and autocannon runs shared by the HTTP benches (bench/http.ts, bench/widget-sessions.ts).
import { spawn, type ChildProcess } from 'node:child_process';
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

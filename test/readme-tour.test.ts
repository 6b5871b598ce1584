// ci: embedded only (it checks the embedded default and skips itself on PostgreSQL; .ci/run runs it embedded on both Node versions)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The README's tour, as written: `npm start` in one terminal (here `kefu serve` in a fresh folder,
 * its data in ./data), and in a second terminal, the same folder, every command of the tour's
 * code blocks, in order. `npx kefu` finds the project's bin as it does in a clone. The only
 * substitutions are the ones the README asks the reader to make: the port, the printed key and
 * password, and a trace id from the previous answer.
 */

const root = path.resolve(import.meta.dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

/** The bash blocks between two headings of the README. */
function bashBlocks(from: string, to: string): string[] {
  const start = readme.indexOf(from);
  const end = readme.indexOf(to, start + 1);
  expect(start, `README section ${from}`).toBeGreaterThanOrEqual(0);
  return [...readme.slice(start, end < 0 ? undefined : end).matchAll(/```bash\n([\s\S]*?)```/g)].map(
    (match) => match[1]!,
  );
}

/** The commands of a block: the lines a reader types (a `\` joins lines; prompts and output are not typed). */
function commands(block: string): string[] {
  const joined = block.replace(/\\\n\s*/g, '');
  return joined
    .split('\n')
    .filter((line) => /^(npx kefu|curl|[A-Z]+=)/.test(line))
    .map((line) => line.replace(/\s+#.*$/, ''));
}

let folder: string;
let server: ChildProcess;
let output = '';
let port = 0;

function run(command: string, input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], {
      cwd: folder,
      env: { ...process.env, PORT: '', KEFU_DATA_DIR: '', DATABASE_URL: '', REDIS_URL: '', npm_config_yes: 'false' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => undefined); // a command that reads nothing closes its input early
    child.stdin.end(input);
  });
}

// The embedded default (PGlite in a data folder) is what this checks; the PostgreSQL pass of CI skips it.
const onPostgres = Boolean(process.env.DATABASE_URL);

beforeAll(async () => {
  if (onPostgres) return;
  folder = mkdtempSync(path.join(tmpdir(), 'kefu-tour-'));
  // A reader's clone: the examples, and `npx kefu` resolving to the project's bin.
  symlinkSync(path.join(root, 'examples'), path.join(folder, 'examples'));
  mkdirSync(path.join(folder, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(path.join(root, 'bin', 'kefu.js'), path.join(folder, 'node_modules', '.bin', 'kefu'));
  server = spawn(process.execPath, [path.join(root, 'bin', 'kefu.js'), 'serve'], {
    cwd: folder,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', KEFU_DATA_DIR: '', DATABASE_URL: '', REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const deadline = Date.now() + 120_000;
  while (!/npx kefu chat[^\n]*\n/.test(output)) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`kefu serve did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  port = Number(/API\s+http:\/\/127\.0\.0\.1:(\d+)\/v1/.exec(output)![1]);
}, 150_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe.skipIf(onPostgres)('the README tour, with the server running beside it', () => {
  it('runs every command with no error, and every trace is readable through the API', async () => {
    const key = /Demo tenant\s+shop-zh .*API key: (kefu_sk_\S+)/.exec(output)![1]!;
    const password = /Demo agent\s+shop-zh\s+\S+\s+password: (\S+)/.exec(output)![1]!;
    const personalise = (command: string) =>
      command
        .replaceAll('localhost:3000', `127.0.0.1:${port}`)
        .replace('KEY=kefu_sk_...', `KEY=${key}`)
        .replace('<printed password>', password)
        .replace('curl -N ', 'curl -N --max-time 2 ');

    const traceIds: string[] = [];
    const tour = [
      ...bashBlocks('## A five-minute tour', '## People in the loop'),
      ...bashBlocks('**Hand-off without the console**', '## Your own tenant'),
    ].flatMap(commands);
    const typed = [...readme.matchAll(/^你 > (.+)$/gm)].map((match) => match[1]!);
    expect(tour.length).toBeGreaterThan(8);
    // The blocks set variables that later lines use: one shell session per block group, as a reader's terminal.
    const env: string[] = [];
    for (const line of tour) {
      let command = personalise(line);
      if (command.includes('<traceId>')) command = command.replace('<traceId>', traceIds.at(-1)!);
      const isAssignment = /^[A-Z]+=/.test(command);
      if (process.env.KEFU_TOUR_DEBUG) console.log(`$ ${command}`);
      const result = await run(
        [...env, command].join('\n'),
        command.includes('kefu chat --tenant shop-zh') && !command.includes('--json') ? `${typed.join('\n')}\n` : '',
      );
      if (isAssignment) env.push(command);
      if (command.includes('curl -N')) {
        // A live stream does not end by itself: curl stops it at --max-time (exit 28).
        expect(result.code, `${command}\n${result.stderr}`).toBe(28);
        expect(result.stdout).toMatch(/^: kefu stream/);
        continue;
      }
      expect(result.code, `${command}\n${result.stderr}${result.stdout}`).toBe(0);
      expect(result.stderr, command).not.toMatch(/error|EADDRINUSE|CS_INTERNAL/i);
      if (command.startsWith('curl') && !command.includes('-N')) {
        const body = JSON.parse(result.stdout) as Record<string, any>;
        expect(body.status === undefined || body.status < 400, `${command} → ${result.stdout}`).toBe(true);
        if (body.turn?.traceId) traceIds.push(body.turn.traceId);
      }
      for (const match of result.stdout.matchAll(/"trace_id":"([0-9a-f-]{36})"/g)) traceIds.push(match[1]!);
    }
    // The agent-creation line of the same section, as a reader would type it.
    const agentLine = /`(npx kefu agent create [^`]+)`/.exec(readme)![1]!;
    const created = await run(agentLine);
    expect(created.code, created.stderr).toBe(0);

    expect(traceIds.length).toBeGreaterThanOrEqual(7);
    for (const traceId of traceIds) {
      const response = await fetch(`http://127.0.0.1:${port}/v1/traces/${traceId}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(response.status, `trace ${traceId}`).toBe(200);
    }
    // And the server took all of it in its stride.
    expect(server.exitCode).toBeNull();
    const again = await fetch(`http://127.0.0.1:${port}/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(10_000),
    });
    expect(again.status).toBe(201);
    expect(output).not.toMatch(/"level":50|duplicate key/);
  }, 240_000);

  it('"Your own tenant": create, key, migrate, export and re-import while the server runs', async () => {
    const block = bashBlocks('## Your own tenant', '**Day one with only an FAQ sheet**')[0]!;
    const lines = commands(block);
    const ordered = [
      ...lines.filter((line) => line.includes('tenant create')),
      ...lines.filter((line) => line.includes('key create')),
      ...lines.filter((line) => line.includes('kefu migrate')),
      ...lines.filter((line) => line.includes('kefu export')),
    ];
    expect(ordered).toHaveLength(4);
    for (const command of ordered) {
      const result = await run(command);
      expect(result.code, `${command}\n${result.stderr}${result.stdout}`).toBe(0);
    }
    // The exported pack is the reader's pack folder now: validate, then import it.
    const imports = lines
      .filter((line) => line.startsWith('npx kefu import'))
      .map((line) => line.replace('./my-shop-pack', './backup'));
    for (const command of imports) {
      const result = await run(command);
      expect(result.code, `${command}\n${result.stderr}${result.stdout}`).toBe(0);
    }
    const refused = await run('npx kefu import ./no-such-pack');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no-such-pack/);
  }, 120_000);

  it('a second server exits at once: on the same data directory, or on a port in use, before touching any data', async () => {
    const started = Date.now();
    const same = await run(`PORT=0 npx kefu serve`);
    expect(same.code).toBe(1);
    expect(same.stderr).toMatch(/already running.*pid \d+/);
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'kefu-second-'));
    try {
      const busyPort = await new Promise<{ code: number; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [path.join(root, 'bin', 'kefu.js'), 'serve'], {
          cwd: elsewhere,
          env: { ...process.env, PORT: String(port), KEFU_DATA_DIR: '', DATABASE_URL: '', REDIS_URL: '' },
        });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('exit', (code) => resolve({ code: code ?? 1, stderr }));
      });
      expect(busyPort.code).toBe(1);
      expect(busyPort.stderr).toMatch(new RegExp(`:${port} is already in use`));
      expect(existsSync(path.join(elsewhere, 'data'))).toBe(false);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(server.exitCode).toBeNull();
  }, 60_000);
});

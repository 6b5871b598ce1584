// ci: embedded only (it checks the embedded default and skips itself on PostgreSQL; .ci/run runs it embedded on both Node versions)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startKefuProcess, type KefuProcess } from './support/kefu-process.js';

/**
 * No secret in a log: a real server logging at debug level is handed every kind of credential
 * kefu issues (API key, agent password and session, widget token, operator key, webhook secret),
 * in headers, in query strings and in bodies; its whole log must contain none of them.
 */

const root = path.resolve(import.meta.dirname, '..');
let kefu: KefuProcess;
let dataDir: string;

// The embedded default (PGlite in a data folder) is what this checks; the PostgreSQL pass of CI skips it.
const onPostgres = Boolean(process.env.DATABASE_URL);

beforeAll(async () => {
  if (onPostgres) return;
  dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-logs-'));
  kefu = await startKefuProcess({
    KEFU_DATA_DIR: dataDir,
    KEFU_DEMO: 'true',
    LOG_LEVEL: 'debug',
    DATABASE_URL: '',
    REDIS_URL: '',
    KEFU_WEBHOOK_ALLOW_PRIVATE: 'true',
  });
}, 180_000);
afterAll(async () => {
  await kefu?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'kefu.js'), ...args], {
      env: { ...process.env, KEFU_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('exit', () => resolve(stdout));
  });
}

async function openAndClose(url: string): Promise<void> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve) => {
    socket.once('open', () => setTimeout(resolve, 300));
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
  });
  socket.close();
}

describe.skipIf(onPostgres)('the server log', () => {
  it('holds none of the secrets that passed through the server', async () => {
    const secrets: string[] = [];
    const apiKey = kefu.keys.get('shop-zh')!;
    secrets.push(apiKey);
    const [, email, password] = /Demo agent\s+shop-zh\s+(\S+)\s+password: (\S+)/.exec(kefu.output())!;
    secrets.push(password!);
    const json = { 'content-type': 'application/json' };

    const login = await fetch(`${kefu.baseUrl}/v1/agent/sessions`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ tenant: 'shop-zh', email, password }),
    });
    const { token } = (await login.json()) as { token: string };
    secrets.push(token);
    const wrong = '错误的密码-wrong-password-31337';
    secrets.push(wrong);
    await fetch(`${kefu.baseUrl}/v1/agent/sessions`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ tenant: 'shop-zh', email, password: wrong }),
    });
    await fetch(`${kefu.baseUrl}/v1/agent/queue`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${kefu.baseUrl}/v1/agent/queue?token=${token}`);
    await openAndClose(`${kefu.baseUrl.replace(/^http/, 'ws')}/v1/agent/ws?token=${token}`);

    const session = await fetch(`${kefu.baseUrl}/widget/v1/sessions`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ tenant: 'shop-zh' }),
    });
    const widget = (await session.json()) as { token: string; conversationId: string };
    secrets.push(widget.token);
    await openAndClose(
      `${kefu.baseUrl.replace(/^http/, 'ws')}/widget/v1/ws?conversationId=${widget.conversationId}&token=${widget.token}`,
    );

    const conversation = await fetch(`${kefu.baseUrl}/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const { id } = (await conversation.json()) as { id: string };
    await fetch(`${kefu.baseUrl}/v1/conversations/${id}/messages`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ text: '运费怎么算？' }),
    });

    const hook = await fetch(`${kefu.baseUrl}/v1/usage/webhook`, {
      method: 'PUT',
      headers: { ...json, authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/hook' }),
    });
    const { secret } = (await hook.json()) as { secret?: string };
    if (secret) secrets.push(secret);

    const created = await cli(['operator', 'key', 'create', '--name', 'log-test', '--json']);
    const operatorKey = (JSON.parse(created) as { key: string }).key;
    secrets.push(operatorKey);
    await fetch(`${kefu.baseUrl}/operator/v1/tenants`, { headers: { authorization: `Bearer ${operatorKey}` } });
    await fetch(`${kefu.baseUrl}/v1/tenant?token=${operatorKey}`);

    await new Promise((resolve) => setTimeout(resolve, 300));
    // The log lines (JSON); the start-up banner prints the demo keys and passwords on purpose.
    const log = kefu
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .join('\n');
    expect(log).toMatch(/incoming request/); // the log is there, at debug level
    expect(secrets.length).toBeGreaterThanOrEqual(7);
    for (const value of secrets)
      expect(log.includes(value), `a secret (${value.slice(0, 10)}…) is in the log`).toBe(false);
  }, 120_000);
});

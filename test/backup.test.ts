// ci: embedded only (it checks the embedded default and skips itself on PostgreSQL; .ci/run runs it embedded on both Node versions)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startKefuProcess, type KefuProcess } from './support/kefu-process.js';

/**
 * Backups of the embedded default, with the service running: `kefu backup` is taken by the server
 * that owns ./data (consistent, while it serves), `kefu restore` refuses to pull the data from
 * under a running server, and the round trip brings back exactly what was there at backup time.
 */

const root = path.resolve(import.meta.dirname, '..');
const folder = mkdtempSync(path.join(tmpdir(), 'kefu-backup-'));
const dataDir = path.join(folder, 'data');
let server: KefuProcess | null = null;

// The embedded default (PGlite in a data folder) is what this checks; the PostgreSQL pass of CI skips it.
const onPostgres = Boolean(process.env.DATABASE_URL);

afterAll(async () => {
  await server?.kill();
  rmSync(folder, { recursive: true, force: true });
});

function kefu(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'kefu.js'), ...args], {
      cwd: folder,
      env: { ...process.env, KEFU_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function say(base: string, key: string, conversationId: string, text: string) {
  const response = await fetch(`${base}/v1/conversations/${conversationId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  expect(response.status).toBe(201);
}

async function texts(base: string, key: string, conversationId: string): Promise<string[]> {
  const response = await fetch(`${base}/v1/conversations/${conversationId}/messages?limit=500`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { messages: Array<{ direction: string; text: string }> };
  return body.messages.filter((message) => message.direction === 'incoming').map((message) => message.text);
}

describe.skipIf(onPostgres)('kefu backup and restore on the embedded database', () => {
  it('backs up while serving, refuses to restore under a running server, and round-trips', async () => {
    server = await startKefuProcess({ KEFU_DATA_DIR: dataDir, KEFU_DEMO: 'true', DATABASE_URL: '', REDIS_URL: '' });
    const key = server.keys.get('shop-zh')!;
    const created = await fetch(`${server.baseUrl}/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    const { id } = (await created.json()) as { id: string };
    await say(server.baseUrl, key, id, '运费怎么算？');
    await say(server.baseUrl, key, id, '七天無理由退貨怎麼申請？');

    // Taken by the running server while a customer keeps talking.
    const chatter = (async () => {
      for (let index = 0; index < 5; index += 1) await say(server!.baseUrl, key, id, `备份期间的消息 ${index}`);
    })();
    const backup = await kefu(['backup', 'backups/kefu.tar.gz']);
    await chatter;
    expect(backup.code, backup.stderr).toBe(0);
    const file = path.join(folder, 'backups', 'kefu.tar.gz');
    expect(statSync(file).size).toBeGreaterThan(100_000);
    expect(readdirSync(path.join(folder, 'backups'))).toEqual(['kefu.tar.gz']);
    await say(server.baseUrl, key, id, 'after the backup');

    const refused = await kefu(['restore', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/in use by kefu serve/);

    // Into another folder while serving: fine, and it holds the demo tenants.
    const elsewhere = await kefu(['restore', file, '--data-dir', path.join(folder, 'inspect')]);
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(elsewhere.stdout).toMatch(/\(2 tenants\)/);

    const junk = path.join(folder, 'junk.tar.gz');
    writeFileSync(junk, 'not a backup');
    const bad = await kefu(['restore', junk, '--data-dir', path.join(folder, 'junk')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a kefu backup/);
    expect(existsSync(path.join(folder, 'junk', 'pglite'))).toBe(false);

    await server.kill();
    server = null;
    const restored = await kefu(['restore', file]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/kept in .*before-restore/);

    server = await startKefuProcess({ KEFU_DATA_DIR: dataDir, KEFU_DEMO: 'true', DATABASE_URL: '', REDIS_URL: '' });
    const after = await texts(server.baseUrl, key, id);
    expect(after.slice(0, 2)).toEqual(['运费怎么算？', '七天無理由退貨怎麼申請？']);
    expect(after).not.toContain('after the backup');
  }, 300_000);
});

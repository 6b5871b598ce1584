// ci: embedded only (every command runs on a PGlite folder of its own; .ci/run leaves it out of the PostgreSQL pass)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { createKefu } from '../../server/kefu.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'kefu-operator-cli-'));
const dataDir = path.join(scratch, 'data');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `kefu` as an operator runs it, on a PGlite folder of its own. */
function kefu(args: string[]) {
  const result = spawnSync(process.execPath, ['bin/kefu.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, KEFU_DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '', KEFU_OPERATOR_KEY: '' },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('kefu operator', { timeout: 240_000 }, () => {
  it('creates an operator key shown once, lists it without the secret, exports the audit log, and the key works on /operator/v1', async () => {
    const created = kefu(['operator', 'key', 'create', '--name', '运维笔记本']);
    expect(created.code, created.stderr).toBe(0);
    const key = /(kefu_op_[0-9A-Za-z]{40})/.exec(created.stdout)?.[1];
    expect(key, created.stdout).toBeDefined();
    expect(created.stdout).toMatch(/shown only this once/);

    const listed = kefu(['operator', 'key', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).not.toContain(key);
    const keys = JSON.parse(listed.stdout);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ name: '运维笔记本', prefix: key!.slice(0, 14), revokedAt: null });

    const out = path.join(scratch, 'audit.csv');
    const audit = kefu(['operator', 'audit', '--format', 'csv', '--out', out, '--action', 'operator_key.*']);
    expect(audit.code, audit.stderr).toBe(0);
    const csv = readFileSync(out, 'utf8');
    expect(csv).toContain('operator_key.create');
    expect(csv).toContain('运维笔记本');

    const config = loadConfig({
      env: { KEFU_DATA_DIR: dataDir, KEFU_DEMO: 'false', LOG_LEVEL: 'silent' },
      cwd: scratch,
    });
    const server = await createKefu(config, { logger: false });
    try {
      const response = await server.app.inject({
        url: '/operator/v1/plans',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(response.statusCode).toBe(200);
    } finally {
      await server.close();
    }

    const revoked = kefu(['operator', 'key', 'revoke', keys[0].id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const again = kefu(['operator', 'key', 'revoke', keys[0].id]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/no active operator key/);
  });

  it('refuses a bad name, id or format with a message and a non-zero exit', () => {
    const blank = kefu(['operator', 'key', 'create', '--name', '   ']);
    expect(blank.code).not.toBe(0);
    expect(blank.stderr).toMatch(/--name/);
    const badId = kefu(['operator', 'key', 'revoke', 'not-an-id']);
    expect(badId.code).not.toBe(0);
    const badFormat = kefu(['operator', 'audit', '--format', 'xml']);
    expect(badFormat.code).not.toBe(0);
    expect(badFormat.stderr).toMatch(/--format/);
  });
});

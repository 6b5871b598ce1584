// ci: embedded only (every command runs on a PGlite folder of its own; .ci/run leaves it out of the PostgreSQL pass)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const scratch = mkdtempSync(path.join(tmpdir(), 'kefu-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `kefu` as a user would, on a PGlite data folder of its own (or DATABASE_URL in CI). */
function kefu(args: string[], input?: string) {
  const result = spawnSync(process.execPath, ['bin/kefu.js', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, KEFU_DATA_DIR: path.join(scratch, 'data'), LOG_LEVEL: 'silent', DATABASE_URL: '' },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('kefu CLI', { timeout: 240_000 }, () => {
  it('imports a pack, and a second import reports nothing changed', () => {
    const first = kefu(['import', 'examples/packs/shop-zh']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/created tenant shop-zh/);
    const second = kefu(['import', 'examples/packs/shop-zh', '--json']);
    expect(second.code, second.stderr).toBe(0);
    const result = JSON.parse(second.stdout);
    expect(result.created).toBe(false);
    expect(result.faq.added + result.faq.changed + result.faq.removed).toBe(0);
  });

  it('chats through the real pipeline with --json, one object per line', () => {
    const dialogue = ['你好', '七天無理由退貨怎麼申請？', '转人工'].join('\n');
    const { code, stdout, stderr } = kefu(['chat', '--tenant', 'shop-zh', '--json'], dialogue);
    expect(code, stderr).toBe(0);
    const turns = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(turns).toHaveLength(3);
    for (const turn of turns) {
      expect(Object.keys(turn)).toEqual(
        expect.arrayContaining(['reply', 'route', 'tier', 'intent', 'confidence', 'trace_id']),
      );
      expect(['auto', 'assist', 'human']).toContain(turn.route);
      expect(turn.trace_id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(turns[1].intent).toMatch(/^faq-/);
    expect(turns[2].route).toBe('human');
    expect(new Set(turns.map((turn) => turn.conversation_id)).size).toBe(1);
  });

  it('rejects an invalid pack with every problem and a non-zero exit', () => {
    const broken = path.join(scratch, 'broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(path.join(broken, 'tenant.yaml'), 'slug: BAD SLUG\nname: x\ngate: 7\n');
    const { code, stderr } = kefu(['import', broken]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/tenant\.yaml:1: slug/);
    expect(stderr).toMatch(/tenant\.yaml:3: gate/);
    expect(stderr).toMatch(/nothing was imported/);
  });

  it('creates tenants and keys, refusing bad input with a clear message', () => {
    const tenant = kefu(['tenant', 'create', 'cli-shop', '--name', '命令行小店', '--json']);
    expect(tenant.code, tenant.stderr).toBe(0);
    expect(kefu(['tenant', 'create', 'cli-shop']).stderr).toMatch(/already exists/);
    expect(kefu(['tenant', 'create', 'Bad Slug']).stderr).toMatch(/invalid tenant slug/);
    const key = kefu([
      'key',
      'create',
      '--tenant',
      'cli-shop',
      '--scopes',
      'chat,conversations:read',
      '--expires',
      '30d',
      '--json',
    ]);
    expect(key.code, key.stderr).toBe(0);
    expect(JSON.parse(key.stdout).key).toMatch(/^kefu_sk_[0-9A-Za-z]{40}$/);
    const unknownScope = kefu(['key', 'create', '--tenant', 'cli-shop', '--scopes', 'everything']);
    expect(unknownScope.code).not.toBe(0);
    expect(unknownScope.stderr).toMatch(/unknown scope/);
    const noTenant = kefu(['key', 'create', '--tenant', 'nobody']);
    expect(noTenant.code).not.toBe(0);
    expect(noTenant.stderr).toMatch(/no tenant "nobody"/);
  });

  it('exports a tenant to a pack folder', () => {
    const out = path.join(scratch, 'exported');
    const { code, stderr } = kefu(['export', 'shop-zh', out]);
    expect(code, stderr).toBe(0);
    for (const file of ['tenant.yaml', 'faq.csv', 'intents.yaml', 'data/orders.csv'])
      expect(existsSync(path.join(out, file)), file).toBe(true);
    expect(readFileSync(path.join(out, 'faq.csv'), 'utf8')).toContain('id,问题,答案,相似问法,类别,敏感');
  });

  it('explains bad configuration and unknown commands', () => {
    const result = spawnSync(process.execPath, ['bin/kefu.js', 'migrate'], {
      encoding: 'utf8',
      env: { ...process.env, PORT: 'abc', DATABASE_URL: 'mysql://x' },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/storage\.databaseUrl \(env DATABASE_URL/);
    const unknown = kefu(['frobnicate']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command/);
  });
});

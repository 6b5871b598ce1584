import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

const emptyDir = () => mkdtempSync(path.join(tmpdir(), 'kefu-config-'));

describe('loadConfig', () => {
  it('has working defaults with nothing set', () => {
    const config = loadConfig({ env: {}, cwd: emptyDir() });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(config.storage.dataDir).toBe('./data');
    expect(config.storage.databaseUrl).toBeUndefined();
    expect(config.demo.load).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('bounds tenant runtimes at 512 MB and PGlite shared buffers at 32 MB by default; 0 lifts the runtime budget', () => {
    const defaults = loadConfig({ env: {}, cwd: emptyDir() });
    expect(defaults.nlu.runtimeBudgetMb).toBe(512);
    expect(defaults.storage.pgliteSharedBuffersMb).toBe(32);
    const set = loadConfig({
      env: { KEFU_TENANT_RUNTIME_BUDGET_MB: '0', KEFU_PGLITE_SHARED_BUFFERS_MB: '128' },
      cwd: emptyDir(),
    });
    expect(set.nlu.runtimeBudgetMb).toBe(0);
    expect(set.storage.pgliteSharedBuffersMb).toBe(128);
    expect(() => loadConfig({ env: { KEFU_TENANT_RUNTIME_BUDGET_MB: '-1' }, cwd: emptyDir() })).toThrow(
      /nlu\.runtimeBudgetMb \(env KEFU_TENANT_RUNTIME_BUDGET_MB/,
    );
  });

  it('reads a config file, lets the environment override it, and explicit overrides win', () => {
    const cwd = emptyDir();
    writeFileSync(path.join(cwd, 'kefu.config.yaml'), 'server:\n  port: 4000\n  host: 0.0.0.0\nlog:\n  level: debug\n');
    const config = loadConfig({ env: { PORT: '5000' }, cwd, overrides: { 'server.host': '127.0.0.2' } });
    expect(config.server.port).toBe(5000);
    expect(config.server.host).toBe('127.0.0.2');
    expect(config.log.level).toBe('debug');
  });

  it('reads Redis settings: no URL by default (in-process), prefix kefu:, a bad prefix named by its variable', () => {
    expect(loadConfig({ env: {}, cwd: emptyDir() })).toMatchObject({ redisPrefix: 'kefu:' });
    expect(loadConfig({ env: {}, cwd: emptyDir() }).redisUrl).toBeUndefined();
    const config = loadConfig({
      env: { REDIS_URL: 'redis://127.0.0.1:6379', KEFU_REDIS_PREFIX: 'shop-a:' },
      cwd: emptyDir(),
    });
    expect(config).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', redisPrefix: 'shop-a:' });
    expect(() => loadConfig({ env: { KEFU_REDIS_PREFIX: '客服 *' }, cwd: emptyDir() })).toThrowError(
      /redisPrefix \(env KEFU_REDIS_PREFIX/,
    );
    expect(() => loadConfig({ env: { REDIS_URL: 'http://x' }, cwd: emptyDir() })).toThrowError(
      /redisUrl \(env REDIS_URL/,
    );
  });

  it('names the variable behind every bad value', () => {
    expect(() =>
      loadConfig({ env: { PORT: 'eighty', KEFU_DEMO: 'yes', DATABASE_URL: 'mysql://x' }, cwd: emptyDir() }),
    ).toThrowError(
      /server\.port \(env PORT[\s\S]*storage\.databaseUrl \(env DATABASE_URL[\s\S]*demo\.load \(env KEFU_DEMO/,
    );
  });

  it('refuses unknown keys and broken files with a readable message', () => {
    const cwd = emptyDir();
    writeFileSync(path.join(cwd, 'kefu.config.json'), '{"sever": {}}');
    expect(() => loadConfig({ env: {}, cwd })).toThrowError(/sever/);
    writeFileSync(path.join(cwd, 'kefu.config.json'), '{not json');
    expect(() => loadConfig({ env: {}, cwd })).toThrowError(/cannot read .*kefu\.config\.json/);
    expect(() => loadConfig({ env: { KEFU_CONFIG: 'missing.yaml' }, cwd })).toThrowError(/config file not found/);
  });
});

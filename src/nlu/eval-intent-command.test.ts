import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runEvalIntent } from '../cli/commands/eval-intent.js';
import { main } from '../cli/main.js';
import { parseIntentJsonl } from './index.js';
import { shopExamples, shopOutOfScope } from './__fixtures__/shop-tenant.js';

const directory = mkdtempSync(join(tmpdir(), 'kefu-eval-intent-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function jsonl(name: string, rows: unknown[]): string {
  const path = join(directory, name);
  writeFileSync(path, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  return path;
}

const all = [...shopExamples, ...shopOutOfScope];
const train = jsonl(
  'train.jsonl',
  all.filter((_, index) => index % 4 !== 0),
);
const test = jsonl(
  'test.jsonl',
  all.filter((_, index) => index % 4 === 0),
);

function captureStdout(): () => string {
  let output = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
  return () => output;
}

describe('kefu eval intent', () => {
  it('prints one JSON object with every metric', async () => {
    const output = captureStdout();
    await runEvalIntent({ train, test, oosLabel: 'oos', gate: '0.85', lang: 'auto', json: true });
    const metrics = JSON.parse(output());
    expect(Object.keys(metrics).sort()).toEqual(
      [
        'accuracy',
        'classify_us_p50',
        'classify_us_p99',
        'coverage',
        'ece',
        'gate',
        'in_scope_accuracy',
        'macro_f1',
        'n',
        'oos_precision',
        'oos_recall',
        'selective_accuracy',
        'train_ms',
      ].sort(),
    );
    expect(metrics.n).toBe(all.filter((_, index) => index % 4 === 0).length);
    expect(metrics.gate).toBe(0.85);
    expect(metrics.accuracy).toBeGreaterThan(0.6);
    expect(metrics.oos_recall).not.toBeNull();
    expect(metrics.ece).toBeGreaterThanOrEqual(0);
    expect(metrics.classify_us_p99).toBeGreaterThanOrEqual(metrics.classify_us_p50);
  });

  it('reports null OOS metrics when the test set has no OOS rows, and prints a table without --json', async () => {
    const output = captureStdout();
    const inScopeOnly = jsonl(
      'in-scope.jsonl',
      shopExamples.filter((_, index) => index % 5 === 0),
    );
    const metrics = await runEvalIntent({ train, test: inScopeOnly, oosLabel: 'oos', gate: '0.9' });
    expect(metrics.oos_recall).toBeNull();
    expect(metrics.oos_precision).toBeNull();
    expect(output()).toMatch(/in-scope accuracy\s+\d+\.\d+%/);
    expect(output()).toMatch(/coverage @ 0\.9/);
  });

  it('names the file and line of a malformed row and exits 1 through main', async () => {
    const bad = join(directory, 'bad.jsonl');
    writeFileSync(bad, '{"text":"我要退货","label":"return_goods"}\n\n{"text": "oops", "label": }\n');
    await expect(runEvalIntent({ train: bad, test })).rejects.toThrow(`${bad}:3: not valid JSON`);
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    await main(['node', 'kefu', 'eval', 'intent', '--train', bad, '--test', test, '--json']);
    expect(process.exitCode).toBe(1);
    expect(stderr.join('')).toMatch(new RegExp(`^kefu: .*bad\\.jsonl:3: not valid JSON`));
  });

  it('rejects rows without text or label, bad options and missing files', async () => {
    expect(() => parseIntentJsonl('{"text":"a","label":"x"}\n{"label":"x"}', 'rows.jsonl')).toThrow(
      'rows.jsonl:2: "text" must be a string',
    );
    expect(() => parseIntentJsonl('["a","b"]', 'rows.jsonl')).toThrow('rows.jsonl:1: expected an object');
    expect(() => parseIntentJsonl('{"text":"a","label":""}', 'rows.jsonl')).toThrow(
      'rows.jsonl:1: "label" must be a non-empty string',
    );
    await expect(runEvalIntent({ train, test, gate: 'high' })).rejects.toThrow(/--gate must be a number/);
    await expect(runEvalIntent({ train, test, lang: 'fr' })).rejects.toThrow(/--lang must be auto, zh or en/);
    await expect(runEvalIntent({ train: join(directory, 'missing.jsonl'), test })).rejects.toThrow(
      /cannot read .*missing\.jsonl \(ENOENT\)/,
    );
  });
});

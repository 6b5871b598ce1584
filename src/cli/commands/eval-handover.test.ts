import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runEvalHandover } from './eval-handover.js';

const rows = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../guard/handover/__fixtures__/eval-rows.jsonl',
);

describe('kefu eval handover', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs every row through the guard and prints one JSON object of the agreed shape', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    await runEvalHandover({ test: rows, json: true });
    expect(written).toHaveLength(1);
    const printed = JSON.parse(written[0]!);
    expect(Object.keys(printed).sort()).toEqual(
      ['by_category', 'classify_us_p50', 'classify_us_p99', 'false_rate', 'n', 'precision', 'recall'].sort(),
    );
    expect(printed).toMatchObject({ n: 6, recall: 1, precision: 1, false_rate: 0 });
    expect(printed.by_category).toEqual({
      fraud_scam: { n: 1, recall: 1 },
      self_harm: { n: 2, recall: 1 },
      unlabelled: { n: 1, recall: 1 },
    });
    expect(printed.classify_us_p50).toBeGreaterThan(0);
    expect(printed.classify_us_p99).toBeGreaterThanOrEqual(printed.classify_us_p50);
  });

  it('names the file and line of a bad row, and a missing file', async () => {
    const bad = path.join(tmpdir(), `kefu-eval-handover-${process.pid}.jsonl`);
    writeFileSync(bad, '{"text":"转人工","expected":"human"}\n{"text":"hi","expected":"maybe"}\n');
    await expect(runEvalHandover({ test: bad, json: true })).rejects.toThrow(
      `${bad}:2: "expected" must be "human" or "bot" (got "maybe")`,
    );
    writeFileSync(bad, 'not json\n');
    await expect(runEvalHandover({ test: bad, json: true })).rejects.toThrow(`${bad}:1: not valid JSON`);
    await expect(runEvalHandover({ test: `${bad}.missing`, json: true })).rejects.toThrow(/cannot read .*missing/);
    writeFileSync(bad, '\n');
    await expect(runEvalHandover({ test: bad, json: true })).rejects.toThrow('no rows to evaluate');
  });
});

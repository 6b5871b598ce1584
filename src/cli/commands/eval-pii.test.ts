import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runEvalPii } from './eval-pii.js';

const handwritten = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../guard/pii/__fixtures__/handwritten.jsonl',
);

describe('kefu eval pii', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints one JSON object with n, recall, precision and by_type', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    const directory = mkdtempSync(path.join(tmpdir(), 'kefu-eval-pii-'));
    const file = path.join(directory, 'rows.jsonl');
    const rows = [
      { text: '手机13800138000', spans: [{ start: 2, end: 13, type: 'phone' }] },
      // Found by overlap only; the order number beside it must not count as a card.
      { text: '卡号6228480012345671，订单号2024120512345673', spans: [{ start: 2, end: 10, type: 'bank_card' }] },
      // A gold name the recognisers miss (no trigger word), and no span at all.
      { text: '王小明来过', spans: [{ start: 0, end: 3, type: 'name' }] },
      { text: '价格13800元', spans: [] },
    ];
    writeFileSync(file, rows.map((row) => JSON.stringify(row)).join('\n'));
    await runEvalPii({ test: file, json: true });
    expect(written).toHaveLength(1);
    const printed = JSON.parse(written[0]);
    expect(printed).toMatchObject({ n: 4, recall: 0.6667, precision: 1 });
    expect(printed.by_type).toEqual({
      phone: { n: 1, recall: 1, precision: 1 },
      bank_card: { n: 1, recall: 1, precision: 1 },
      name: { n: 1, recall: 0, precision: null },
    });
  });

  it('scores the shipped hand-written set', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const result = await runEvalPii({ test: handwritten, json: true });
    expect(result.n).toBeGreaterThanOrEqual(150);
    expect(result.recall).toBeGreaterThan(0.95);
  });

  it('a bad file is a clear error naming the file and line', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'kefu-eval-pii-'));
    const file = path.join(directory, 'bad.jsonl');
    writeFileSync(file, '{"text":"a","spans":[]}\n{"text":"abc","spans":[{"start":0,"end":9,"type":"phone"}]}\n');
    await expect(runEvalPii({ test: file })).rejects.toThrow(`${file}:2: spans[0]: [0, 9) is outside the text`);
    writeFileSync(file, '{"text":"abc","spans":[{"start":0,"end":1,"type":"ssn"}]}\n');
    await expect(runEvalPii({ test: file })).rejects.toThrow(/unknown type "ssn"/);
    writeFileSync(file, 'not json\n');
    await expect(runEvalPii({ test: file })).rejects.toThrow(`${file}:1: not valid JSON`);
    await expect(runEvalPii({ test: path.join(directory, 'missing.jsonl') })).rejects.toThrow(/cannot read .*ENOENT/);
    writeFileSync(file, '\n');
    await expect(runEvalPii({ test: file })).rejects.toThrow(/no rows/);
  });
});

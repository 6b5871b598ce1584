import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonlFile } from '../../datasets/index.js';
import { runWithCliIo, type CliIo } from '../io.js';
import { parseStyleRow, runEvalStyle } from './eval-style.js';

const fixtures = path.resolve('src/guard/style/__fixtures__');
const scratch = mkdtempSync(path.join(tmpdir(), 'kefu-eval-style-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(options: { pack: string; replies: string; json?: boolean }) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stdin: process.stdin,
    stdinIsTTY: false,
  };
  await runWithCliIo(io, () => runEvalStyle(options));
  return { stdout, stderr, exitCode: io.exitCode ?? 0 };
}

describe('kefu eval style', () => {
  it('scores the labelled replies of the demo shop and prints one JSON object', async () => {
    const result = await run({
      pack: 'examples/packs/shop-zh',
      replies: path.join(fixtures, 'shop-zh-replies.jsonl'),
      json: true,
    });
    expect(result.exitCode).toBe(0);
    const printed = JSON.parse(result.stdout);
    const rows = readJsonlFile(path.join(fixtures, 'shop-zh-replies.jsonl'), parseStyleRow);
    expect(printed.n).toBe(rows.length);
    expect(printed.violating).toBe(rows.filter((row) => row.violating).length);
    for (const key of ['precision', 'recall', 'consistency', 'by_rule']) expect(printed).toHaveProperty(key);
    expect(printed.recall).toBeGreaterThanOrEqual(0.97);
    expect(printed.precision).toBeGreaterThanOrEqual(0.95);
    expect(printed.by_rule.competitor.n).toBeGreaterThan(5);
  });

  it('accepts rows labelled only ok / not ok', async () => {
    const file = path.join(scratch, 'ok.jsonl');
    writeFileSync(
      file,
      ['{"text":"您的订单已发货","ok":true}', '{"text":"亲亲，你的订单已发货","ok":false}', ''].join('\n'),
    );
    const printed = JSON.parse((await run({ pack: 'examples/packs/shop-zh', replies: file, json: true })).stdout);
    expect(printed).toMatchObject({ n: 2, violating: 1, flagged: 1, precision: 1, recall: 1, consistency: 0.5 });
  });

  it('names the file and line of a bad row, and exits non-zero', async () => {
    const file = path.join(scratch, 'bad.jsonl');
    writeFileSync(file, '{"text":"好的","violations":[]}\n{"text":"好的","violations":["rude"]}\n');
    const result = await run({ pack: 'examples/packs/shop-zh', replies: file });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/bad\.jsonl:2: unknown rule "rude"/);
  });

  it('reports a malformed style guide with its file and line, and exits non-zero', async () => {
    const folder = path.join(scratch, 'broken-pack');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'tenant.yaml'), 'slug: broken\nname: 坏的\n');
    writeFileSync(path.join(folder, 'style.yaml'), 'forbidden: []\nlength:\n  max_chars_zh: -3\n');
    const result = await run({ pack: folder, replies: path.join(fixtures, 'shop-zh-replies.jsonl') });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/style\.yaml:3: length\.max_chars_zh/);
  });
});

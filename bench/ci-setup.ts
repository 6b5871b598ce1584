/**
 * What a test file pays to set up its database and kefu (test/support/test-kefu.ts), with the
 * run's template databases (test/support/test-template.ts) and without (KEFU_TEST_TEMPLATES=false,
 * how every test file built them before).
 *
 *   npx tsx bench/ci-setup.ts [--runs 3] [--out bench/results/ci-setup]
 *
 * Each measurement runs in a process of its own (as each vitest worker does), the two ways
 * interleaved so a busy machine slows both alike. With DATABASE_URL set it measures PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

interface Sample {
  templates: boolean;
  database: string;
  /** Building the run's templates (once per run; 0 when they were cached). */
  buildMs: number;
  createTestDatabaseMs: number;
  createTestKefuMs: number;
  createTestKefuLexicalMs: number;
  disposeMs: number;
}

async function child(): Promise<void> {
  const templates = process.env.KEFU_TEST_TEMPLATES !== 'false';
  const { createTestDatabase, openTestDatabase } = await import('../test/support/test-database.js');
  const { createTestKefu } = await import('../test/support/test-kefu.js');
  const time = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
    const start = performance.now();
    const value = await work();
    return [value, Math.round(performance.now() - start)];
  };
  let buildMs = 0;
  if (templates) {
    // Warm the templates first (a run builds them once), so what follows is the per-file price.
    [, buildMs] = await time(async () => {
      for (const variant of ['migrated', 'demo-classifier', 'demo-lexical'] as const)
        await (await openTestDatabase(variant)).dispose();
    });
  }
  const [database, createTestDatabaseMs] = await time(() => createTestDatabase());
  await database.dispose();
  const [kefu, createTestKefuMs] = await time(() => createTestKefu());
  const [, disposeMs] = await time(() => kefu.dispose());
  const [lexical, createTestKefuLexicalMs] = await time(() => createTestKefu({ KEFU_NLU: 'lexical' }));
  await lexical.dispose();
  const sample: Sample = {
    templates,
    database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
    buildMs,
    createTestDatabaseMs,
    createTestKefuMs,
    createTestKefuLexicalMs,
    disposeMs,
  };
  console.log(`SAMPLE ${JSON.stringify(sample)}`);
  // A handle left open after dispose keeps the process alive (vitest ends its workers itself).
  process.exit(0);
}

function main(): void {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '3' }, out: { type: 'string', default: 'bench/results/ci-setup' } },
  });
  const runs = Number(values.runs);
  const samples: Sample[] = [];
  for (let run = 0; run < runs; run++) {
    for (const templates of [false, true]) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/ci-setup.ts', '--child'], {
        env: { ...process.env, KEFU_TEST_TEMPLATES: String(templates) },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      const line = result.stdout.split('\n').find((text) => text.startsWith('SAMPLE '));
      if (!line) throw new Error(`child failed:\n${result.stdout}\n${result.stderr}`);
      const sample = JSON.parse(line.slice('SAMPLE '.length)) as Sample;
      console.log(JSON.stringify(sample));
      samples.push(sample);
    }
  }
  const median = (numbers: number[]) => {
    const sorted = [...numbers].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  const summary = (templates: boolean) => {
    const mine = samples.filter((sample) => sample.templates === templates);
    return {
      createTestDatabaseMs: median(mine.map((sample) => sample.createTestDatabaseMs)),
      createTestKefuMs: median(mine.map((sample) => sample.createTestKefuMs)),
      createTestKefuLexicalMs: median(mine.map((sample) => sample.createTestKefuLexicalMs)),
      disposeMs: median(mine.map((sample) => sample.disposeMs)),
      buildMs: Math.max(...mine.map((sample) => sample.buildMs)),
    };
  };
  const before = summary(false);
  const after = summary(true);
  const report = {
    database: samples[0]?.database,
    runs,
    at: new Date().toISOString(),
    loadAverage: os.loadavg().map((load) => Number(load.toFixed(1))),
    before,
    after,
    samples,
  };
  writeFileSync(`${values.out}-${report.database}.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify({ before, after }, null, 2));
}

if (process.argv.includes('--child')) await child();
else main();

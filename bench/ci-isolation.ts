/**
 * What vitest's module isolation costs the suite: the same test files run with a fresh module
 * graph per file (`--isolate`, vitest's default) and with one graph per worker (`--no-isolate`,
 * vitest.config.ts), alternately, each run's wall time and the CPU time of everything it started.
 *
 *   npx tsx bench/ci-isolation.ts [--runs 1] [--out bench/results/ci-isolation] [files…]
 *
 * Without files it runs every test file. KEFU_TEST_EMBEDDED=true is set, as in CI's first pass.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';

interface Run {
  isolate: boolean;
  wallS: number;
  cpuS: number;
  passed: boolean;
  summary: string;
}

function runOnce(isolate: boolean, files: string[]): Run {
  // GNU time reports the CPU of the whole process tree (vitest, its workers, what tests spawn).
  const result = spawnSync(
    '/usr/bin/time',
    ['-f', 'TIME %e %U %S', 'npx', 'vitest', 'run', isolate ? '--isolate' : '--no-isolate', '--reporter=dot', ...files],
    { encoding: 'utf8', env: { ...process.env, KEFU_TEST_EMBEDDED: 'true' }, maxBuffer: 64 * 1024 * 1024 },
  );
  const output = `${result.stdout}\n${result.stderr}`;
  const time = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(output);
  if (!time) throw new Error(`no timing in the output:\n${output.slice(-2000)}`);
  const files_ = /Test Files\s+(.*)/.exec(output.replace(/\u001b\[[0-9;]*m/g, ''))?.[1]?.trim() ?? '?';
  return {
    isolate,
    wallS: Number(time[1]),
    cpuS: Number(time[2]) + Number(time[3]),
    passed: result.status === 0,
    summary: files_,
  };
}

const { values, positionals } = parseArgs({
  options: { runs: { type: 'string', default: '1' }, out: { type: 'string', default: 'bench/results/ci-isolation' } },
  allowPositionals: true,
});
const runs: Run[] = [];
for (let round = 0; round < Number(values.runs); round++) {
  for (const isolate of [true, false]) {
    const run = runOnce(isolate, positionals);
    console.log(
      `${isolate ? 'isolate   ' : 'no-isolate'} wall ${run.wallS} s  cpu ${run.cpuS.toFixed(1)} s  ${run.summary}${run.passed ? '' : ' (FAILED)'}`,
    );
    runs.push(run);
  }
}
const mean = (isolate: boolean, pick: (run: Run) => number) => {
  const chosen = runs.filter((run) => run.isolate === isolate);
  return chosen.reduce((sum, run) => sum + pick(run), 0) / chosen.length;
};
const load = os
  .loadavg()
  .map((value) => value.toFixed(1))
  .join(' ');
const lines = [
  '# vitest module isolation: what it costs the suite',
  '',
  `\`npx tsx bench/ci-isolation.ts ${process.argv.slice(2).join(' ')}\` — ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores, load average after: ${load}.`,
  `Files: ${positionals.length > 0 ? positionals.join(' ') : 'the whole suite'} (KEFU_TEST_EMBEDDED=true). The two settings ran alternately.`,
  '',
  '| setting | wall s | CPU s (process tree) | test files |',
  '|---|---|---|---|',
  ...runs.map(
    (run) =>
      `| ${run.isolate ? 'isolate (a module graph per file)' : 'no-isolate (a graph per worker)'} | ${run.wallS.toFixed(1)} | ${run.cpuS.toFixed(1)} | ${run.summary}${run.passed ? '' : ' (failed)'} |`,
  ),
  '',
  `Mean: wall ${mean(true, (run) => run.wallS).toFixed(1)} → ${mean(false, (run) => run.wallS).toFixed(1)} s, CPU ${mean(true, (run) => run.cpuS).toFixed(1)} → ${mean(false, (run) => run.cpuS).toFixed(1)} s.`,
  '',
];
writeFileSync(`${values.out}.md`, lines.join('\n'));
writeFileSync(`${values.out}.json`, JSON.stringify({ node: process.version, load, runs }, null, 2));
console.log(lines.join('\n'));

/**
 * Learning benchmark (issue 18). Writes bench/results/learning.md and bench/results/learning.json.
 *
 * 1. Phrasing clusters on Banking77 dev (10 % per intent carved from train, seed 42, as bench/nlu.ts)
 *    and CLINC150 in-scope dev (val.jsonl without oos): kefu (finds the number of clusters itself)
 *    side by side with TF-IDF (the same word + character n-gram features) → LSA 300 → k-means given
 *    the true k, run here on the same machine. Plus the time to cluster 5,000 messages.
 * 2. Learning curves on travel-zh dev: `kefu eval learn` at budget 0, 20, 40, 60 for both queue
 *    strategies (the same seed), plus the ceiling (every live row labelled).
 * 3. Matcher diagnostics: does the few-shot matcher (public API) get more right and more sure with
 *    the live phrasings added?
 *
 *   npx tsx bench/learning.ts [--only cluster,learn,matcher] [--kefu-dir DIR]
 *
 * --kefu-dir DIR (a copy of an earlier checkout's `src`, e.g. `git archive HEAD src test/support | tar
 * -x -C DIR` plus a `node_modules` link) adds that kefu's matcher to the matcher diagnostics, side by side.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { datasetPath, repositoryRoot } from '../src/datasets/index.js';
import { runEvalLearn, type LearnEvaluation } from '../src/cli/commands/eval-learn.js';
import { readFaqSheet, readFaqTestRows } from '../src/cli/commands/eval-faq.js';
import { pathToFileURL } from 'node:url';
import { trainFewShotMatcher } from '../src/fewshot/index.js';
import { clusterEmbedding, embedTexts, kMeans, Random, scoreClustering } from '../src/learning/index.js';

interface Row {
  text: string;
  label: string;
}

const only = (() => {
  const index = process.argv.indexOf('--only');
  return index >= 0 ? new Set(process.argv[index + 1]!.split(',')) : null;
})();
const wanted = (part: string) => only === null || only.has(part);

function readRows(file: string): Row[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Row);
}

/** 10 % of each intent's rows (seeded shuffle, seed 42): the Banking77 dev split bench/nlu.ts uses. */
function carveDev(rows: readonly Row[], fraction = 0.1, seed = 42): { train: Row[]; dev: Row[] } {
  const byLabel = new Map<string, Row[]>();
  for (const row of rows) byLabel.set(row.label, [...(byLabel.get(row.label) ?? []), row]);
  const random = new Random(seed);
  const train: Row[] = [];
  const dev: Row[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const list = random.shuffle([...byLabel.get(label)!]);
    const count = Math.round(list.length * fraction);
    dev.push(...list.slice(0, count));
    train.push(...list.slice(count));
  }
  return { train, dev };
}

const pct = (value: number | null | undefined) =>
  value === null || value === undefined ? '-' : (value * 100).toFixed(1);

interface ClusterLine {
  dataset: string;
  method: string;
  n: number;
  trueK: number;
  found: number;
  nmi: number;
  ari: number;
  acc: number;
  seconds: number;
}

function clusterBench(): { lines: ClusterLine[]; timing: { n: number; seconds: number; found: number } } {
  const b77 = carveDev(readRows(datasetPath('banking77', 'train.jsonl'))).dev;
  const clinc = readRows(datasetPath('clinc150', 'val.jsonl')).filter((row) => row.label !== 'oos');
  const lines: ClusterLine[] = [];
  for (const [dataset, rows] of [
    ['Banking77 dev', b77],
    ['CLINC150 dev (in-scope)', clinc],
  ] as const) {
    const texts = rows.map((row) => row.text);
    const truth = rows.map((row) => row.label);
    const trueK = new Set(truth).size;
    let started = performance.now();
    const result = clusterEmbedding(embedTexts(texts));
    let seconds = (performance.now() - started) / 1000;
    let scores = scoreClustering(truth, Array.from(result.labels));
    lines.push({
      dataset,
      method: 'kefu (k found automatically)',
      n: rows.length,
      trueK,
      found: result.clusters,
      ...scores,
      seconds,
    });
    console.log(lines.at(-1));
    started = performance.now();
    const baselineLabels = kMeans(embedTexts(texts, { dims: 300 }), trueK, { restarts: 3, seed: 1 });
    seconds = (performance.now() - started) / 1000;
    scores = scoreClustering(truth, Array.from(baselineLabels));
    lines.push({
      dataset,
      method: 'TF-IDF + LSA 300 + k-means (true k, best of 3 k-means++)',
      n: rows.length,
      trueK,
      found: new Set(baselineLabels).size,
      ...scores,
      seconds,
    });
    console.log(lines.at(-1));
  }
  const pool = readRows(datasetPath('clinc150', 'train.jsonl')).filter((row) => row.label !== 'oos');
  const sample = new Random(5).shuffle([...pool]).slice(0, 5000);
  const started = performance.now();
  const result = clusterEmbedding(embedTexts(sample.map((row) => row.text)));
  const timing = { n: sample.length, seconds: (performance.now() - started) / 1000, found: result.clusters };
  console.log('timing', timing);
  return { lines, timing };
}

/** `--runs value:0,20,40,60;random:0,150` picks the learning runs (default: the whole curve + the ceiling). */
function plannedRuns(): Array<{ strategy: 'value' | 'random'; budget: number }> {
  const index = process.argv.indexOf('--runs');
  const spec = index >= 0 ? process.argv[index + 1]! : 'value:0,20,40,60;random:0,20,40,60,150';
  return spec.split(';').flatMap((part) => {
    const [strategy, budgets] = part.split(':');
    if (strategy !== 'value' && strategy !== 'random') throw new Error(`--runs: unknown strategy ${strategy}`);
    return (budgets ?? '').split(',').map((budget) => ({ strategy, budget: Number(budget) }));
  });
}

async function learnBench(): Promise<LearnEvaluation[]> {
  const faq = datasetPath('travel-zh', 'faq.csv');
  const stream = datasetPath('travel-zh', 'dev.jsonl');
  const runs: LearnEvaluation[] = [];
  for (const { strategy, budget } of plannedRuns()) {
    const result = await runEvalLearn({
      faq,
      stream,
      budget: String(budget),
      strategy,
      seed: '1',
      domain: 'travel',
      print: false,
    });
    console.log(strategy, budget, JSON.stringify({ before: result.before, after: result.after }));
    runs.push(result);
  }
  return runs;
}

/** The matcher alone (public API), day-one sheet vs sheet + every in-scope live phrasing of the same split. */
function matcherBench(train: typeof trainFewShotMatcher = trainFewShotMatcher) {
  const entries = readFaqSheet(datasetPath('travel-zh', 'faq.csv'));
  const ids = new Set(entries.map((entry) => entry.id));
  const rows = new Random(1).shuffle(readFaqTestRows(datasetPath('travel-zh', 'dev.jsonl'), ids));
  const cut = Math.round(rows.length * 0.5);
  const live = rows.slice(0, cut).filter((row) => ids.has(row.expected));
  const held = rows.slice(cut);
  const build = (extra: boolean) =>
    train(
      entries.map((entry) => ({
        label: entry.id,
        phrasings: [
          entry.question,
          ...entry.alternatives,
          ...(extra ? live.filter((row) => row.expected === entry.id).map((row) => row.text) : []),
        ],
        answer: entry.answer,
        category: entry.category,
      })),
    );
  const measure = (matcher: ReturnType<typeof trainFewShotMatcher>) => {
    const inScope = held.filter((row) => ids.has(row.expected));
    const oos = held.filter((row) => !ids.has(row.expected));
    const predictions = inScope.map((row) => ({ row, prediction: matcher.match(row.text) }));
    const top1 = predictions.filter(({ row, prediction }) => prediction.intent === row.expected);
    const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
    const oosConfidence = oos.map((row) => matcher.match(row.text).confidence);
    return {
      in_scope: inScope.length,
      top1_accuracy: top1.length / inScope.length,
      top3_accuracy:
        predictions.filter(({ row, prediction }) =>
          prediction.alternatives.slice(0, 3).some((alternative) => alternative.intent === row.expected),
        ).length / inScope.length,
      mean_confidence_when_right: mean(top1.map(({ prediction }) => prediction.confidence)),
      mean_confidence_when_wrong: mean(
        predictions
          .filter(({ row, prediction }) => prediction.intent !== row.expected)
          .map(({ prediction }) => prediction.confidence),
      ),
      right_at_or_above_0_85: top1.filter(({ prediction }) => prediction.confidence >= 0.85).length / inScope.length,
      mean_confidence_oos_human_rows: mean(oosConfidence),
    };
  };
  const before = measure(build(false));
  const after = measure(build(true));
  console.log('matcher', before, after);
  return { added: live.length, before, after };
}

// Parts not run this time keep their last results (bench/results/learning.json), so `--only` refreshes one table.
const jsonFile = join(repositoryRoot, 'bench/results/learning.json');
const previous = (() => {
  try {
    return JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
})();
const started = new Date().toISOString();
const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadavg: loadavg() };
const results: Record<string, unknown> = { ...previous };
if (wanted('cluster')) results.cluster = { ...clusterBench(), date: started, machine };
if (wanted('learn')) {
  // Several `--runs` processes may share the file: merge with what is there now, by strategy and budget.
  const runs = await learnBench();
  const current = (() => {
    try {
      return (JSON.parse(readFileSync(jsonFile, 'utf8')) as { learn?: { runs?: LearnEvaluation[]; date?: string } })
        .learn;
    } catch {
      return undefined;
    }
  })();
  const key = (run: LearnEvaluation) => `${run.strategy}:${run.budget}`;
  const fresh = new Set(runs.map(key));
  const kept =
    current?.date === started || process.argv.includes('--runs')
      ? (current?.runs ?? []).filter((run) => !fresh.has(key(run)))
      : [];
  const merged = [...kept, ...runs].sort((a, b) => a.strategy.localeCompare(b.strategy) * -1 || a.budget - b.budget);
  results.learn = { runs: merged, date: started, machine };
}
const kefuDirIndex = process.argv.indexOf('--kefu-dir');
const kefuDir = kefuDirIndex >= 0 ? process.argv[kefuDirIndex + 1] : undefined;
if (wanted('matcher')) {
  const previousKefu = kefuDir
    ? {
        dir: kefuDir,
        ...matcherBench(
          (
            (await import(pathToFileURL(join(kefuDir, 'src/fewshot/index.ts')).href)) as {
              trainFewShotMatcher: typeof trainFewShotMatcher;
            }
          ).trainFewShotMatcher,
        ),
      }
    : undefined;
  results.matcher = { ...matcherBench(), previousKefu, date: started, machine };
}

type Stamp = { date: string; machine: typeof machine };
const stamp = (part: Stamp) =>
  `_Run ${part.date} on ${part.machine.cpus} × ${part.machine.model}, load average at start ${part.machine.loadavg
    .map((value) => value.toFixed(1))
    .join(' / ')} (the machine is shared by several jobs, so seconds are upper bounds)._`;

const md: string[] = [
  '# Learning benchmark (issue 18)',
  '',
  'Regenerate with `npm run bench:learning` (`-- --only cluster,learn,matcher`).',
  '',
];
if (results.cluster) {
  const { lines, timing, ...part } = results.cluster as {
    lines: ClusterLine[];
    timing: { n: number; seconds: number; found: number };
  } & Stamp;
  md.push(
    '## Phrasing clusters (no pretrained model)',
    '',
    stamp(part),
    '',
    'Banking77 dev: 10 % of each intent carved from train (seed 42, as bench/nlu.ts), 1,005 rows, 77 intents. CLINC150 dev: val.jsonl in-scope, 3,000 rows, 150 intents. Scores in %.',
    '',
    '| dataset | method | rows | true k | clusters found | NMI | ARI | ACC | seconds |',
    '|---|---|---|---|---|---|---|---|---|',
    ...lines.map(
      (line) =>
        `| ${line.dataset} | ${line.method} | ${line.n} | ${line.trueK} | ${line.found} (${line.found >= line.trueK ? '+' : ''}${(((line.found - line.trueK) / line.trueK) * 100).toFixed(0)} %) | ${pct(line.nmi)} | ${pct(line.ari)} | ${pct(line.acc)} | ${line.seconds.toFixed(2)} |`,
    ),
    '',
    `5,000 CLINC150 train messages (in-scope, seeded sample), whole pipeline (features, LSA, graph, Louvain, k-means polish): ${timing.seconds.toFixed(2)} s, ${timing.found} clusters.`,
    '',
  );
}
if (results.learn) {
  const { runs, ...part } = results.learn as { runs: LearnEvaluation[] } & Stamp;
  md.push(
    '## Learning curves: travel-zh dev (`kefu eval learn`, seed 1, split 0.5, domain travel)',
    '',
    stamp(part),
    '',
    '150 rows of live traffic, 150 scored with the day-one and the learned version. Budget 150 = every queued turn labelled (the ceiling of what labels can teach). Scores in %.',
    '',
    '| strategy | budget | labels used (faq/oos/human) | clicks / promoted | phrasings added | answer acc. before → after | gain (pts) | auto precision before → after | oos recall before → after | human recall before → after |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...runs.map(
      (run) =>
        `| ${run.strategy} | ${run.budget} | ${run.labels_used} (${run.labels_by_kind.faq}/${run.labels_by_kind.oos}/${run.labels_by_kind.human}) | ${run.clicks_used} / ${run.promoted} | ${run.examples_added} | ${pct(run.before.answer_accuracy)} → ${pct(run.after.answer_accuracy)} | ${(((run.after.answer_accuracy ?? 0) - (run.before.answer_accuracy ?? 0)) * 100).toFixed(1)} | ${pct(run.before.auto_precision)} → ${pct(run.after.auto_precision)} | ${pct(run.before.oos_recall)} → ${pct(run.after.oos_recall)} | ${pct(run.before.human_recall)} → ${pct(run.after.human_recall)} |`,
    ),
    '',
  );
}
if (results.matcher) {
  const { added, before, after, previousKefu, ...part } = results.matcher as ReturnType<typeof matcherBench> &
    Stamp & { previousKefu?: ReturnType<typeof matcherBench> & { dir: string } };
  md.push(
    '## Does the few-shot matcher learn from more phrasings? (public API, src/fewshot)',
    '',
    stamp(part),
    '',
    `Same split as above; "after" adds all ${added} in-scope live phrasings to their FAQ entries (more than any budget above can). Held-out half.`,
    '',
    previousKefu
      ? `| measure | day-one sheet | + live phrasings | previous kefu (${previousKefu.dir}): day-one | previous kefu: + live |`
      : '| measure | day-one sheet | + live phrasings |',
    previousKefu ? '|---|---|---|---|---|' : '|---|---|---|',
    ...(Object.keys(before) as Array<keyof typeof before>).map(
      (key) =>
        `| ${key} | ${Number(before[key]).toFixed(3)} | ${Number(after[key]).toFixed(3)} |${previousKefu ? ` ${Number(previousKefu.before[key]).toFixed(3)} | ${Number(previousKefu.after[key]).toFixed(3)} |` : ''}`,
    ),
    '',
  );
}
writeFileSync(join(repositoryRoot, 'bench/results/learning.md'), md.join('\n'));
writeFileSync(jsonFile, JSON.stringify(results, null, 2) + '\n');
console.log(md.join('\n'));

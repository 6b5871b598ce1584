/**
 * Hand-over guard benchmark (issue 16 §1): trains the guard on the hand-written corpus
 * (src/guard/handover/corpus) minus held-out scenarios and scores what it never saw.
 *   - held-out split: about one scenario in five of every (expected, category) group, by scenario;
 *   - 5-fold cross-validation by scenario (every scenario is held out once);
 *   - rules alone, classifier alone and both, and the threshold sweep on the folds;
 *   - the guard trained on the whole corpus, on the team's sets it never trained on: travel-zh dev
 *     (rows expected "human" vs the rest) and dialogue turns, and bench/data/risk-heldout*.jsonl.
 * Writes bench/results/guard-handover.md and .json, and the corpus as guard-handover.corpus.jsonl.
 * Usage: npm run bench:guard
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { datasetPath } from '../src/datasets/index.js';
import {
  corpusRows,
  DEFAULT_THRESHOLD,
  evaluateGuard,
  SCENARIOS,
  trainHandoverGuard,
  type ClassifyOptions,
  type CorpusRow,
  type EvaluationDetail,
  type LabelledRow,
  type Scenario,
} from '../src/guard/handover/index.js';

const rows = corpusRows();
const folds = 5;

/** Fold of each scenario: scenarios of one (expected, category) group dealt round-robin. */
function assignFolds(scenarios: readonly Scenario[], count: number): Map<string, number> {
  const groups = new Map<string, Scenario[]>();
  for (const scenario of scenarios) {
    const key = `${scenario.expected}:${scenario.category}`;
    groups.set(key, [...(groups.get(key) ?? []), scenario]);
  }
  const fold = new Map<string, number>();
  let offset = 0;
  for (const members of groups.values()) {
    members.forEach((scenario, index) => fold.set(scenario.id, (index + offset) % count));
    offset += 1;
  }
  return fold;
}

const foldOf = assignFolds(SCENARIOS, folds);
const HELD_OUT_FOLD = 0;

function split(fold: number): { train: CorpusRow[]; test: CorpusRow[] } {
  return {
    train: rows.filter((row) => foldOf.get(row.scenario) !== fold),
    test: rows.filter((row) => foldOf.get(row.scenario) === fold),
  };
}

function summary(detail: EvaluationDetail) {
  const { errors: _errors, ...metrics } = detail;
  return metrics;
}

// 1. The held-out split.
const heldOut = split(HELD_OUT_FOLD);
const heldOutGuard = trainHandoverGuard(heldOut.train);
const modes: Record<string, ClassifyOptions> = {
  rules: { rulesOnly: true },
  classifier: { modelOnly: true },
  guard: {},
};
const heldOutResults = Object.fromEntries(
  Object.entries(modes).map(([mode, options]) => [mode, evaluateGuard(heldOutGuard, heldOut.test, options)]),
);

// 2. k-fold by scenario, with a threshold sweep.
const thresholds = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7];
const sweep = thresholds.map((threshold) => ({ threshold, tp: 0, humans: 0, fp: 0, bots: 0 }));
const foldResults: Array<ReturnType<typeof summary> & { fold: number; train_rows: number; training_ms: number }> = [];
for (let fold = 0; fold < folds; fold += 1) {
  const { train, test } = split(fold);
  const trained = trainHandoverGuard(train);
  const humans = test.filter((row) => row.expected === 'human').length;
  const bots = test.length - humans;
  for (const point of sweep) {
    const detail = evaluateGuard(trained, test, { threshold: point.threshold });
    point.humans += humans;
    point.bots += bots;
    point.tp += Math.round((detail.recall ?? 0) * humans);
    point.fp += Math.round((detail.false_rate ?? 0) * bots);
    if (point.threshold === DEFAULT_THRESHOLD)
      foldResults.push({
        fold,
        train_rows: train.length,
        training_ms: Math.round(trained.trainingMs),
        ...summary(detail),
      });
  }
}
const kfold = sweep.map((point) => ({
  threshold: point.threshold,
  recall: round(point.tp / point.humans),
  false_rate: round(point.fp / point.bots),
}));

// 3. The product's guard (whole corpus) on sets it never trained on.
const guard = trainHandoverGuard(rows);
guard.classify('warm up 你好，轉人工');
const external: Record<string, ReturnType<typeof summary> | { skipped: string }> = {};
function readLines(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as unknown);
}
try {
  const dev = readLines(datasetPath('travel-zh', 'dev.jsonl')) as Array<{
    text: string;
    expected: string;
    note?: string;
  }>;
  const labelled: LabelledRow[] = dev.map((row) => ({
    text: row.text,
    expected: row.expected === 'human' ? 'human' : 'bot',
    category: row.expected === 'human' ? (row.note?.split(':')[0] ?? null) : null,
  }));
  external['travel-zh dev'] = summary(evaluateGuard(guard, labelled));
  const dialogues = readLines(datasetPath('travel-zh', 'dialogues.jsonl')) as Array<{
    turns: Array<{ text: string; expected: string }>;
  }>;
  const turns: LabelledRow[] = dialogues.flatMap((dialogue) =>
    dialogue.turns.map((turn) => ({ text: turn.text, expected: turn.expected === 'human' ? 'human' : 'bot' })),
  );
  external['travel-zh dialogue turns'] = summary(evaluateGuard(guard, turns));
} catch (error) {
  external['travel-zh'] = { skipped: (error as Error).message };
}
for (const name of ['risk-heldout.jsonl', 'risk-heldout-v2.jsonl']) {
  const file = `bench/data/${name}`;
  if (!existsSync(file)) continue;
  const data = readLines(file) as Array<{ text: string; expected: string; note?: string }>;
  external[`bench/data/${name}`] = summary(
    evaluateGuard(
      guard,
      data.map((row) => ({
        text: row.text,
        expected: row.expected === 'human' ? 'human' : 'bot',
        category: row.note?.split(/[,:]/)[0] ?? null,
      })),
    ),
  );
}

// 4. Report.
const counts = {
  rows: rows.length,
  scenarios: SCENARIOS.length,
  human_rows: rows.filter((row) => row.expected === 'human').length,
  bot_rows: rows.filter((row) => row.expected === 'bot').length,
  held_out_rows: heldOut.test.length,
  held_out_scenarios: new Set(heldOut.test.map((row) => row.scenario)).size,
};
const result = {
  date: new Date().toISOString(),
  threshold: DEFAULT_THRESHOLD,
  corpus: counts,
  held_out: Object.fromEntries(Object.entries(heldOutResults).map(([mode, detail]) => [mode, summary(detail)])),
  held_out_errors: heldOutResults.guard!.errors,
  kfold_by_scenario: { folds, at_default_threshold: foldResults, sweep: kfold },
  external,
  training_ms_full_corpus: Math.round(guard.trainingMs),
};
mkdirSync('bench/results', { recursive: true });
// The corpus as JSONL rows {"text","expected","category","scenario","industry"}, for other tools.
writeFileSync('bench/results/guard-handover.corpus.jsonl', rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
writeFileSync('bench/results/guard-handover.json', `${JSON.stringify(result, null, 2)}\n`);

const percent = (value: number | null | undefined) => (value == null ? '—' : `${(value * 100).toFixed(1)}%`);
const md: string[] = [
  '# Hand-over guard benchmark',
  '',
  `Run ${result.date} with \`npm run bench:guard\` (bench/guard-handover.ts). Threshold ${DEFAULT_THRESHOLD}.`,
  '',
  `Corpus: ${counts.rows} rows (${counts.human_rows} human, ${counts.bot_rows} bot) in ${counts.scenarios} scenarios. ` +
    `Held-out split: ${counts.held_out_rows} rows in ${counts.held_out_scenarios} scenarios never seen in training.`,
  '',
  '## Held-out split (by scenario)',
  '',
  '| reader | recall | precision | false rate | p50 µs | p99 µs |',
  '|---|---|---|---|---|---|',
  ...Object.entries(result.held_out).map(
    ([mode, m]) =>
      `| ${mode} | ${percent(m.recall)} | ${percent(m.precision)} | ${percent(m.false_rate)} | ${m.classify_us_p50} | ${m.classify_us_p99} |`,
  ),
  '',
  'Recall by category (guard):',
  '',
  '| category | n | recall |',
  '|---|---|---|',
  ...Object.entries(result.held_out.guard!.by_category).map(([c, v]) => `| ${c} | ${v.n} | ${percent(v.recall)} |`),
  '',
  `## ${folds}-fold cross-validation by scenario`,
  '',
  '| fold | train rows | recall | false rate | training ms |',
  '|---|---|---|---|---|',
  ...foldResults.map(
    (f) => `| ${f.fold} | ${f.train_rows} | ${percent(f.recall)} | ${percent(f.false_rate)} | ${f.training_ms} |`,
  ),
  '',
  'Threshold sweep (all folds pooled):',
  '',
  '| threshold | recall | false rate |',
  '|---|---|---|',
  ...kfold.map((p) => `| ${p.threshold} | ${percent(p.recall)} | ${percent(p.false_rate)} |`),
  '',
  '## Sets the guard never trained on (guard trained on the whole corpus)',
  '',
  '| set | n | recall | precision | false rate |',
  '|---|---|---|---|---|',
  ...Object.entries(external).map(([name, m]) =>
    'skipped' in m
      ? `| ${name} | skipped: ${m.skipped} | | | |`
      : `| ${name} | ${m.n} | ${percent(m.recall)} | ${percent(m.precision)} | ${percent(m.false_rate)} |`,
  ),
  '',
  `Training on the whole corpus took ${result.training_ms_full_corpus} ms.`,
  '',
  `Held-out errors of the guard: ${result.held_out_errors.length} (listed in guard-handover.json).`,
  '',
];
writeFileSync('bench/results/guard-handover.md', md.join('\n'));
process.stdout.write(md.join('\n'));

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}

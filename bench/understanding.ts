/**
 * Issue 17: how well the few-shot matcher's confidence separates right from wrong (lexical tier
 * alone, no LLM, no embeddings). For each split, the matcher trained on the few-shot rows is scored
 * on the held-out rows: in-scope accuracy, OOS recall, ECE, the risk–coverage curve (coverage at
 * 95/97/99 % precision, AURC) and top-3 recall; then `kefu eval faq` on travel-zh dev at the 0.85
 * gate (the whole pipeline).
 *
 *   npx tsx bench/understanding.ts --label before|after [--only travel,clinc,b77,eval] [--kefu-dir DIR]
 *     [--recalibration-method platt|beta|isotonic]
 *
 * --recalibration-method picks what the train-carved CLINC150 row fits (default platt; choosing one
 * by cross-validation on train-carved rows: bench/understanding-recalibration.ts). A --kefu-dir copy
 * older than the option fits Platt whatever it says.
 *
 * --kefu-dir DIR measures another copy of kefu (e.g. the previous one: `git archive HEAD src test/support
 * | tar -x -C DIR` plus a `node_modules` link): its matcher and its `kefu eval faq`, on the same splits.
 *
 * Writes bench/results/understanding-<label>.json and prints a markdown table (saved by the caller
 * into bench/results/understanding.md next to the other label's).
 *
 * Splits (never an official test split): travel-zh train.jsonl → dev_intent.jsonl (dev, reported);
 * CLINC150 5 per intent from train (seed 42, `carveFewShot`) → val; Banking77 5 per intent from
 * train → the next 20 per intent of the same shuffle.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { riskCoverage, runEvalFaq, type FaqEvaluation } from '../src/cli/commands/eval-faq.js';
import * as currentMatcher from '../src/fewshot/index.js';
import type { FewShotEntry } from '../src/fewshot/index.js';
import { parseFaqSheet } from '../src/knowledge/faq-sheet.js';
import { readIntentJsonl, scoreIntentPredictions, type IntentExample } from '../src/nlu/index.js';
import { datasetPath } from '../test/support/datasets.js';
import { carveFewShot } from './fewshot.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const kefuDirIndex = process.argv.indexOf('--kefu-dir');
const kefuDir = kefuDirIndex >= 0 ? process.argv[kefuDirIndex + 1] : undefined;
const { fitRecalibration, trainFewShotMatcher } = kefuDir
  ? ((await import(pathToFileURL(join(kefuDir, 'src/fewshot/index.ts')).href)) as typeof currentMatcher)
  : currentMatcher;
const runEvalFaqOf = kefuDir
  ? (
      (await import(pathToFileURL(join(kefuDir, 'src/cli/commands/eval-faq.ts')).href)) as {
        runEvalFaq: typeof runEvalFaq;
      }
    ).runEvalFaq
  : runEvalFaq;
const GATE = 0.85;
const methodIndex = process.argv.indexOf('--recalibration-method');
const recalibrationMethod = (methodIndex >= 0 ? process.argv[methodIndex + 1] : 'platt') as
  'platt' | 'beta' | 'isotonic';
if (!['platt', 'beta', 'isotonic'].includes(recalibrationMethod))
  throw new Error(`--recalibration-method: ${recalibrationMethod} is not platt, beta or isotonic`);

interface Split {
  name: string;
  train: IntentExample[];
  test: IntentExample[];
  /** Labelled rows carved from train (disjoint from train and test) to fit a Platt recalibration on. */
  tuning?: IntentExample[];
  extras?: Map<string, { answer: string; category: string | null }>;
}

function splits(only: Set<string> | null): Split[] {
  const result: Split[] = [];
  if (!only || only.has('travel')) {
    const { entries } = parseFaqSheet(readFileSync(datasetPath('travel-zh', 'faq.csv')), 'faq.csv');
    result.push({
      name: 'travel-zh dev',
      train: readIntentJsonl(datasetPath('travel-zh', 'train.jsonl')),
      test: readIntentJsonl(datasetPath('travel-zh', 'dev_intent.jsonl')),
      extras: new Map(entries.map((entry) => [entry.id, { answer: entry.answer, category: entry.category ?? null }])),
    });
  }
  if (!only || only.has('clinc')) {
    const rows = readIntentJsonl(datasetPath('clinc150', 'train.jsonl'));
    const all = rows.filter((row) => row.label !== 'oos');
    const { train, test: next } = carveFewShot(all, 5, 42, 4);
    const clinc = { train, test: readIntentJsonl(datasetPath('clinc150', 'val.jsonl')) };
    result.push({ name: 'CLINC150 5-shot val', ...clinc });
    // The same 5 shots; calibration fitted on the next 4 rows per intent of train + 150 train oos rows.
    result.push({
      name: `CLINC150 5-shot val, ${recalibrationMethod === 'platt' ? 'Platt' : recalibrationMethod} fitted on train-carved rows`,
      ...clinc,
      tuning: [...next, ...rows.filter((row) => row.label === 'oos').slice(0, 150)],
    });
  }
  if (!only || only.has('b77')) {
    const { train, test } = carveFewShot(readIntentJsonl(datasetPath('banking77', 'train.jsonl')), 5, 42, 20);
    result.push({ name: 'Banking77 5-shot', train, test });
  }
  return result;
}

function runSplit(split: Split) {
  const byLabel = new Map<string, string[]>();
  for (const row of split.train) byLabel.set(row.label, [...(byLabel.get(row.label) ?? []), row.text]);
  const entries: FewShotEntry[] = [...byLabel].map(([label, phrasings]) => ({
    label,
    phrasings,
    answer: split.extras?.get(label)?.answer ?? null,
    category: split.extras?.get(label)?.category ?? null,
  }));
  const started = performance.now();
  let matcher = trainFewShotMatcher(entries);
  const trainMs = performance.now() - started;
  if (split.tuning) {
    const tuned = split.tuning.map((row) => {
      const prediction = matcher.match(row.text);
      return { confidence: prediction.confidence, right: prediction.intent === row.label };
    });
    const recalibration = fitRecalibration(
      tuned.map((row) => row.confidence),
      tuned.map((row) => row.right),
      { method: recalibrationMethod },
    );
    matcher = trainFewShotMatcher(entries, { recalibration });
  }
  for (const row of split.test.slice(0, 100)) matcher.match(row.text);
  const predictions: Array<ReturnType<typeof matcher.match>> = [];
  const timings: number[] = [];
  for (const row of split.test) {
    const begin = process.hrtime.bigint();
    predictions.push(matcher.match(row.text));
    timings.push(Number(process.hrtime.bigint() - begin) / 1000);
  }
  const scored = scoreIntentPredictions(split.test, predictions, timings, { oosLabel: 'oos', gate: GATE, trainMs });
  const curve = riskCoverage(
    split.test.map((row, index) => {
      const prediction = predictions[index]!;
      return {
        expected: row.label,
        guess: prediction.intent ?? prediction.alternatives[0]?.intent ?? null,
        confidence: prediction.confidence,
      };
    }),
  );
  const inScope = split.test.filter((row) => row.label !== 'oos');
  const top3 =
    split.test.filter(
      (row, index) =>
        row.label !== 'oos' &&
        predictions[index]!.alternatives.slice(0, 3).some((alternative) => alternative.intent === row.label),
    ).length / inScope.length;
  // Right and answered at the gate, over in-scope rows; precision of what is answered at the gate.
  const answered = split.test
    .map((row, index) => ({ row, prediction: predictions[index]! }))
    .filter(({ prediction }) => !prediction.outOfScope && prediction.confidence >= GATE);
  const answeredRight = answered.filter(({ row, prediction }) => prediction.intent === row.label).length;
  return {
    split: split.name,
    in_scope_accuracy: scored.in_scope_accuracy,
    oos_recall: scored.oos_recall,
    ece: scored.ece,
    top3_recall: Math.round(top3 * 10000) / 10000,
    answered_at_gate: Math.round((answeredRight / inScope.length) * 10000) / 10000,
    precision_at_gate: answered.length === 0 ? null : Math.round((answeredRight / answered.length) * 10000) / 10000,
    ...curve,
    train_ms: Math.round(trainMs),
    classify_us_p50: Math.round(scored.classify_us_p50),
  };
}

async function evalFaq(options: Parameters<typeof runEvalFaq>[0]): Promise<FaqEvaluation> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await runEvalFaqOf({ ...options, json: true });
  } finally {
    process.stdout.write = write;
  }
}

const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)} %`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const label = args[args.indexOf('--label') + 1] ?? 'run';
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set(args[onlyIndex + 1]?.split(',')) : null;
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
  const matcher = [];
  for (const split of splits(only)) {
    process.stderr.write(`${split.name} …\n`);
    matcher.push(runSplit(split));
  }
  let evaluation: FaqEvaluation | null = null;
  if (!only || only.has('eval')) {
    process.stderr.write('kefu eval faq travel-zh dev @0.85 …\n');
    evaluation = await evalFaq({
      faq: datasetPath('travel-zh', 'faq.csv'),
      test: datasetPath('travel-zh', 'dev.jsonl'),
      gate: String(GATE),
      domain: 'travel',
    });
  }
  const lines = [
    `### ${label} — ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, load ${load}${kefuDir ? ` (kefu from ${kefuDir})` : ''}`,
    '',
    '| split | in-scope acc | oos recall | ECE | top-3 | right & answered @0.85 | precision @0.85 | cov@95 | cov@97 | cov@99 | AURC | train ms | p50 µs |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...matcher.map(
      (row) =>
        `| ${row.split} | ${percent(row.in_scope_accuracy)} | ${percent(row.oos_recall)} | ${row.ece.toFixed(3)} | ${percent(row.top3_recall)} | ${percent(row.answered_at_gate)} | ${percent(row.precision_at_gate)} | ${percent(row.coverage_at_precision['0.95'])} | ${percent(row.coverage_at_precision['0.97'])} | ${percent(row.coverage_at_precision['0.99'])} | ${row.aurc?.toFixed(4)} | ${row.train_ms} | ${row.classify_us_p50} |`,
    ),
  ];
  if (evaluation) {
    const e = evaluation;
    lines.push(
      '',
      '`kefu eval faq` travel-zh dev, gate 0.85, domain travel (whole pipeline):',
      '',
      '| answer acc | auto precision | answer or suggestion | oos recall | human recall | ECE | cov@95 | cov@97 | cov@99 | AURC |',
      '|---|---|---|---|---|---|---|---|---|---|',
      `| ${percent(e.answer_accuracy)} | ${percent(e.auto_precision)} | ${percent(e.answer_or_suggestion_accuracy)} | ${percent(e.oos_recall)} | ${percent(e.human_recall)} | ${e.ece?.toFixed(3) ?? '–'} | ${percent(e.coverage_at_precision['0.95'])} | ${percent(e.coverage_at_precision['0.97'])} | ${percent(e.coverage_at_precision['0.99'])} | ${e.aurc?.toFixed(4) ?? '–'} |`,
    );
  }
  const markdown = lines.join('\n') + '\n';
  process.stdout.write(markdown);
  writeFileSync(
    join(root, `bench/results/understanding-${label}.json`),
    JSON.stringify({ label, load, matcher, evaluation }, null, 1) + '\n',
  );
  writeFileSync(join(root, `bench/results/understanding-${label}.md`), markdown);
}

await main();

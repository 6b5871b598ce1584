/**
 * Light-tier benchmark: kefu's intent classifier and NLP.js (node-nlp, the established JavaScript
 * NLU) trained and tested side by side, in one run, on the shared datasets' train/dev splits.
 *
 *   npx tsx bench/nlu.ts [--only b77,clinc,cais] [--skip-nlpjs] [--no-write]
 *
 * Writes bench/results/nlu.md (table) and bench/results/nlu-<date>.json (raw metrics).
 * Banking77 has no dev split: one is carved from train, stratified per label (10 % of each
 * label's rows, seeded shuffle, seed 42), see carveDevSplit.
 */
import { datasetPath } from '../test/support/datasets.js';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  evaluateIntentClassifier,
  readIntentJsonl,
  scoreIntentPredictions,
  trainIntentClassifier,
  type IntentEvaluation,
  type IntentExample,
  type IntentPrediction,
} from '../src/nlu/index.js';
import { Random } from '../src/nlu/random.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const datasets = datasetPath();
const GATE = 0.85;
const OOS = 'oos';

interface Dataset {
  id: string;
  name: string;
  language: 'en' | 'zh';
  split: string;
  load: () => { train: IntentExample[]; test: IntentExample[] };
}

/** Stratified dev split: per label (sorted), a seeded shuffle, the first round(10 %) rows to dev. */
export function carveDevSplit(
  rows: readonly IntentExample[],
  fraction = 0.1,
  seed = 42,
): { train: IntentExample[]; dev: IntentExample[] } {
  const byLabel = new Map<string, IntentExample[]>();
  for (const row of rows) {
    const list = byLabel.get(row.label) ?? [];
    list.push(row);
    byLabel.set(row.label, list);
  }
  const random = new Random(seed);
  const train: IntentExample[] = [];
  const dev: IntentExample[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const list = [...byLabel.get(label)!];
    random.shuffle(list);
    const count = Math.round(list.length * fraction);
    dev.push(...list.slice(0, count));
    train.push(...list.slice(count));
  }
  return { train, dev };
}

const DATASETS: Dataset[] = [
  {
    id: 'b77',
    name: 'Banking77',
    language: 'en',
    split: 'train minus carved dev → carved dev (10 % per label, seed 42: 8,998 / 1,005 rows)',
    load: () => {
      const { train, dev } = carveDevSplit(readIntentJsonl(join(datasets, 'banking77/train.jsonl')));
      return { train, test: dev };
    },
  },
  {
    id: 'clinc',
    name: 'CLINC150',
    language: 'en',
    split: 'train (15,100 incl. 100 oos) → val (3,100 incl. 100 oos)',
    load: () => ({
      train: readIntentJsonl(join(datasets, 'clinc150/train.jsonl')),
      test: readIntentJsonl(join(datasets, 'clinc150/val.jsonl')),
    }),
  },
  {
    id: 'cais',
    name: 'CAIS',
    language: 'zh',
    split: 'train (7,995) → dev (994)',
    load: () => ({
      train: readIntentJsonl(join(datasets, 'cais/train.jsonl')),
      test: readIntentJsonl(join(datasets, 'cais/dev.jsonl')),
    }),
  },
];

/** The part of node-nlp's NlpManager this benchmark uses. */
interface NlpManagerLike {
  addDocument(language: string, text: string, intent: string): void;
  train(): Promise<unknown>;
  process(
    language: string,
    text: string,
  ): Promise<{ intent: string; score: number; classifications?: Array<{ intent: string; score: number }> }>;
}

async function runNlpJs(dataset: Dataset, train: IntentExample[], test: IntentExample[]): Promise<IntentEvaluation> {
  const require = createRequire(import.meta.url);
  const { NlpManager } = require('node-nlp') as { NlpManager: new (settings: object) => NlpManagerLike };
  // Defaults, with persistence, logging and built-in NER (irrelevant here) switched off.
  const manager = new NlpManager({
    languages: [dataset.language],
    forceNER: false,
    autoSave: false,
    autoLoad: false,
    nlu: { log: false },
    ner: { builtins: [] },
  });
  // Out-of-scope examples go to NLP.js's own fallback intent, None.
  for (const row of train) manager.addDocument(dataset.language, row.text, row.label === OOS ? 'None' : row.label);
  const started = performance.now();
  await manager.train();
  const trainMs = performance.now() - started;
  for (const row of test.slice(0, 200)) await manager.process(dataset.language, row.text);
  const predictions: Array<Pick<IntentPrediction, 'intent' | 'confidence' | 'outOfScope' | 'alternatives'>> = [];
  const timings: number[] = [];
  for (const row of test) {
    const begin = process.hrtime.bigint();
    const result = await manager.process(dataset.language, row.text);
    timings.push(Number(process.hrtime.bigint() - begin) / 1000);
    const alternatives = (result.classifications ?? [])
      .filter((classification) => classification.intent !== 'None')
      .slice(0, 5)
      .map((classification) => ({ intent: classification.intent, confidence: classification.score }));
    const outOfScope = result.intent === 'None';
    // Same convention as kefu: confidence is the score of the best in-scope intent.
    predictions.push({
      intent: outOfScope ? null : result.intent,
      confidence: outOfScope ? (alternatives[0]?.confidence ?? 0) : result.score,
      outOfScope,
      alternatives,
    });
  }
  return scoreIntentPredictions(test, predictions, timings, { oosLabel: OOS, gate: GATE, trainMs });
}

function runKefu(
  dataset: Dataset,
  train: IntentExample[],
  test: IntentExample[],
): IntentEvaluation & { artifact_mb: number } {
  const started = performance.now();
  const classifier = trainIntentClassifier(train, { oosLabel: OOS, language: 'auto', seed: 1 });
  const trainMs = performance.now() - started;
  const metrics = evaluateIntentClassifier(classifier, test, { oosLabel: OOS, gate: GATE, trainMs });
  return { ...metrics, artifact_mb: Math.round((classifier.toArtifact().length / 1e6) * 100) / 100 };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set(args[onlyIndex + 1]?.split(',')) : null;
  const skipNlpJs = args.includes('--skip-nlpjs');
  const write = !args.includes('--no-write');
  const startedAt = new Date();
  const loadBefore = loadavg();
  const results: Array<{ dataset: Dataset; system: string; metrics: IntentEvaluation & { artifact_mb?: number } }> = [];
  for (const dataset of DATASETS) {
    if (only && !only.has(dataset.id)) continue;
    const { train, test } = dataset.load();
    process.stderr.write(`${dataset.name}: kefu …\n`);
    results.push({ dataset, system: 'kefu', metrics: runKefu(dataset, train, test) });
    process.stderr.write(`${JSON.stringify(results.at(-1)!.metrics)}\n`);
    if (!skipNlpJs) {
      process.stderr.write(`${dataset.name}: NLP.js …\n`);
      results.push({ dataset, system: 'NLP.js', metrics: await runNlpJs(dataset, train, test) });
      process.stderr.write(`${JSON.stringify(results.at(-1)!.metrics)}\n`);
    }
  }
  const loadAfter = loadavg();
  const percent = (value: number | null) => (value === null ? '–' : (value * 100).toFixed(2));
  const header =
    '| dataset | system | n | accuracy % | in-scope acc % | OOS recall % | OOS precision % | macro-F1 % | coverage @0.85 % | selective acc @0.85 % | ECE | train ms | classify p50 µs | classify p99 µs | artifact MB |';
  const lines = [
    '# Light tier (intent) benchmark: kefu vs NLP.js',
    '',
    `Command: \`npx tsx bench/nlu.ts${args.length ? ' ' + args.join(' ') : ''}\` (also \`npm run bench:nlu\`)`,
    `Date: ${startedAt.toISOString()}`,
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM, Node ${process.version}; ` +
      `load average ${loadBefore.map((value) => value.toFixed(1)).join('/')} at start, ${loadAfter.map((value) => value.toFixed(1)).join('/')} at end ` +
      '(the machine is shared with other jobs: timings are upper bounds).',
    'Both systems are trained and tested in the same process, one after the other; classify times are per utterance, one at a time, after a 200-row warm-up; ' +
      "NLP.js times include its async `process()` call. kefu's train time includes its held-out-fold calibration; no hyper-parameter search runs here.",
    `Gate: ${GATE}. Out-of-scope label: \`${OOS}\` (NLP.js learns those rows as its \`None\` intent). Metric definitions: docs/nlu.md.`,
    '',
    'Splits:',
    ...DATASETS.filter((dataset) => !only || only.has(dataset.id)).map(
      (dataset) => `- ${dataset.name}: ${dataset.split}`,
    ),
    '',
    header,
    '|' + '---|'.repeat(header.split('|').length - 2),
    ...results.map(
      ({ dataset, system, metrics }) =>
        `| ${dataset.name} | ${system} | ${metrics.n} | ${percent(metrics.accuracy)} | ${percent(metrics.in_scope_accuracy)} | ${percent(metrics.oos_recall)} | ${percent(metrics.oos_precision)} | ${percent(metrics.macro_f1)} | ${percent(metrics.coverage)} | ${percent(metrics.selective_accuracy)} | ${metrics.ece.toFixed(4)} | ${metrics.train_ms} | ${metrics.classify_us_p50} | ${metrics.classify_us_p99} | ${metrics.artifact_mb ?? '–'} |`,
    ),
    '',
  ];
  const markdown = lines.join('\n');
  process.stdout.write(markdown);
  if (write) {
    writeFileSync(join(root, 'bench/results/nlu.md'), markdown);
    const raw = {
      command: `npx tsx bench/nlu.ts ${args.join(' ')}`.trim(),
      date: startedAt.toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadBefore,
      loadAfter,
      results: results.map(({ dataset, system, metrics }) => ({
        dataset: dataset.id,
        split: dataset.split,
        system,
        ...metrics,
      })),
    };
    writeFileSync(
      join(root, `bench/results/nlu-${startedAt.toISOString().slice(0, 10)}.json`),
      JSON.stringify(raw, null, 2) + '\n',
    );
  }
}

await main();

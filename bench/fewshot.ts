/**
 * Day-one (few-shot) benchmark, issue 9: kefu's few-shot FAQ matcher, kefu's large-data intent
 * classifier (issue 4), NLP.js and a plain TF-IDF logistic regression, side by side on
 *   - travel-zh: train.jsonl (the FAQ's question + 相似问法, ~5 per entry) → dev_intent.jsonl
 *     (200 in-scope + 60 oos rows), no out-of-scope training rows;
 *   - CLINC150 5-shot: 5 examples per intent from train (seeded), no oos rows → val (incl. oos);
 *   - Banking77 5-shot: 5 examples per intent from train → 20 other rows per intent of train;
 * then `kefu eval faq` (the whole pipeline) on travel-zh dev + dialogues at the 0.85 gate and at the
 * tenant default, and on the hand-written risk sets in bench/data.
 *
 *   npx tsx bench/fewshot.ts [--only travel,clinc,b77,eval] [--skip-nlpjs] [--no-write] [--baseline DIR]
 *                            [--synonyms off,on] [--out NAME]
 *
 * --baseline DIR adds the previous kefu side by side, run in the same process: DIR is a copy of an
 * earlier checkout's `src` and `test/support` (e.g. `git archive HEAD src test/support | tar -x -C DIR`
 * and a `node_modules` link), whose few-shot matcher becomes a peer column and whose `kefu eval faq`
 * (its whole pipeline) runs the same eval rows.
 *
 * --synonyms off,on runs kefu's matcher and `kefu eval faq` once per setting of the CC-CEDICT
 * synonym classes (KEFU_FEWSHOT_SYNONYMS), side by side in the same process; without it, the default.
 *
 * Writes bench/results/fewshot.md (the tables) and bench/results/fewshot.json (everything, wrong rows
 * included); --out NAME writes bench/results/NAME.md and NAME.json instead (for a partial run).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseFaqSheet } from '../src/knowledge/faq-sheet.js';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { datasetPath } from '../test/support/datasets.js';
import { trainFewShotMatcher, type FewShotEntry } from '../src/fewshot/index.js';
import {
  readIntentJsonl,
  scoreIntentPredictions,
  trainIntentClassifier,
  type IntentEvaluation,
  type IntentExample,
  type IntentPrediction,
} from '../src/nlu/index.js';
import { Random } from '../src/nlu/random.js';
import { normalizeText, tokenize } from '../src/text/index.js';
import { runEvalFaq, type FaqEvaluation } from '../src/cli/commands/eval-faq.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GATE = 0.85;
const OOS = 'oos';
type Prediction = Pick<IntentPrediction, 'intent' | 'confidence' | 'outOfScope' | 'alternatives'>;

interface Split {
  id: string;
  name: string;
  language: 'zh' | 'en';
  description: string;
  train: IntentExample[];
  test: IntentExample[];
  /** FAQ answers and categories by label (travel-zh only), as weaker evidence for the matcher. */
  extras?: Map<string, { answer: string; category: string | null }>;
}

/** Per label (sorted), a seeded shuffle: the first `shots` rows to train, the next `testPerLabel` (if any) to test. */
export function carveFewShot(
  rows: readonly IntentExample[],
  shots: number,
  seed: number,
  testPerLabel = 0,
): { train: IntentExample[]; test: IntentExample[] } {
  const byLabel = new Map<string, IntentExample[]>();
  for (const row of rows) byLabel.set(row.label, [...(byLabel.get(row.label) ?? []), row]);
  const random = new Random(seed);
  const train: IntentExample[] = [];
  const test: IntentExample[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const list = [...byLabel.get(label)!];
    random.shuffle(list);
    train.push(...list.slice(0, shots));
    test.push(...list.slice(shots, shots + testPerLabel));
  }
  return { train, test };
}

function loadSplits(only: Set<string> | null): Split[] {
  const splits: Split[] = [];
  if (!only || only.has('travel')) {
    const { entries: faqRows } = parseFaqSheet(readFileSync(datasetPath('travel-zh', 'faq.csv')), 'faq.csv');
    splits.push({
      id: 'travel',
      name: 'travel-zh',
      language: 'zh',
      description: 'train.jsonl (216 phrasings, 40 FAQ) → dev_intent.jsonl (200 in-scope + 60 oos)',
      train: readIntentJsonl(datasetPath('travel-zh', 'train.jsonl')),
      test: readIntentJsonl(datasetPath('travel-zh', 'dev_intent.jsonl')),
      extras: new Map(faqRows.map((row) => [row.id, { answer: row.answer, category: row.category ?? null }])),
    });
  }
  if (!only || only.has('clinc')) {
    const all = readIntentJsonl(datasetPath('clinc150', 'train.jsonl')).filter((row) => row.label !== OOS);
    const { train } = carveFewShot(all, 5, 42);
    splits.push({
      id: 'clinc',
      name: 'CLINC150 5-shot',
      language: 'en',
      description: '5 per intent from train (seed 42, no oos rows: 750) → val (3,000 in-scope + 100 oos)',
      train,
      test: readIntentJsonl(datasetPath('clinc150', 'val.jsonl')),
    });
  }
  if (!only || only.has('b77')) {
    const { train, test } = carveFewShot(readIntentJsonl(datasetPath('banking77', 'train.jsonl')), 5, 42, 20);
    splits.push({
      id: 'b77',
      name: 'Banking77 5-shot',
      language: 'en',
      description: '5 per intent from train (seed 42: 385) → the next 20 per intent of the same shuffle (1,540)',
      train,
      test,
    });
  }
  return splits;
}

const require_ = createRequire(import.meta.url);

function timed<T>(run: () => T): { value: T; us: number } {
  const begin = process.hrtime.bigint();
  const value = run();
  return { value, us: Number(process.hrtime.bigint() - begin) / 1000 };
}

type TrainMatcher = typeof trainFewShotMatcher;

function runMatcher(split: Split, train: TrainMatcher = trainFewShotMatcher): IntentEvaluation {
  const byLabel = new Map<string, string[]>();
  for (const row of split.train) byLabel.set(row.label, [...(byLabel.get(row.label) ?? []), row.text]);
  const entries: FewShotEntry[] = [...byLabel].map(([label, phrasings]) => ({
    label,
    phrasings,
    answer: split.extras?.get(label)?.answer ?? null,
    category: split.extras?.get(label)?.category ?? null,
  }));
  const started = performance.now();
  const matcher = train(entries);
  const trainMs = performance.now() - started;
  for (const row of split.test.slice(0, 200)) matcher.match(row.text);
  const predictions: Prediction[] = [];
  const timings: number[] = [];
  for (const row of split.test) {
    const { value, us } = timed(() => matcher.match(row.text));
    predictions.push(value);
    timings.push(us);
  }
  return scoreIntentPredictions(split.test, predictions, timings, { oosLabel: OOS, gate: GATE, trainMs });
}

function runClassifier(split: Split): IntentEvaluation {
  const started = performance.now();
  const classifier = trainIntentClassifier(split.train, { language: 'auto', seed: 1 });
  const trainMs = performance.now() - started;
  for (const row of split.test.slice(0, 200)) classifier.classify(row.text);
  const predictions: Prediction[] = [];
  const timings: number[] = [];
  for (const row of split.test) {
    const { value, us } = timed(() => classifier.classify(row.text));
    predictions.push(value);
    timings.push(us);
  }
  return scoreIntentPredictions(split.test, predictions, timings, { oosLabel: OOS, gate: GATE, trainMs });
}

/** NLP.js defaults (its own None intent for low scores; no oos training rows in these splits). */
async function runNlpJs(split: Split): Promise<IntentEvaluation> {
  const { NlpManager } = require_('node-nlp') as {
    NlpManager: new (settings: object) => {
      addDocument(l: string, t: string, i: string): void;
      train(): Promise<unknown>;
      process(
        l: string,
        t: string,
      ): Promise<{ intent: string; score: number; classifications?: Array<{ intent: string; score: number }> }>;
    };
  };
  const manager = new NlpManager({
    languages: [split.language],
    forceNER: false,
    autoSave: false,
    autoLoad: false,
    nlu: { log: false },
    ner: { builtins: [] },
  });
  for (const row of split.train) manager.addDocument(split.language, row.text, row.label);
  const started = performance.now();
  await manager.train();
  const trainMs = performance.now() - started;
  for (const row of split.test.slice(0, 200)) await manager.process(split.language, row.text);
  const predictions: Prediction[] = [];
  const timings: number[] = [];
  for (const row of split.test) {
    const begin = process.hrtime.bigint();
    const result = await manager.process(split.language, row.text);
    timings.push(Number(process.hrtime.bigint() - begin) / 1000);
    const alternatives = (result.classifications ?? [])
      .filter((entry) => entry.intent !== 'None')
      .slice(0, 5)
      .map((entry) => ({ intent: entry.intent, confidence: entry.score }));
    const outOfScope = result.intent === 'None';
    predictions.push({
      intent: outOfScope ? null : result.intent,
      confidence: outOfScope ? (alternatives[0]?.confidence ?? 0) : result.score,
      outOfScope,
      alternatives,
    });
  }
  return scoreIntentPredictions(split.test, predictions, timings, { oosLabel: OOS, gate: GATE, trainMs });
}

/**
 * Plain TF-IDF logistic regression: words (jieba / Porter stems) + Han character bigrams, sublinear
 * TF × IDF, L2-normalised; multinomial softmax by SGD (30 epochs, L2 1e-4). Out of scope when its
 * top probability is under 0.5 (the same rule NLP.js applies), since no oos rows are trained.
 */
function runTfidfLogistic(split: Split): IntentEvaluation {
  const featuresOf = (text: string): string[] => {
    const normalized = normalizeText(text).text;
    const features = tokenize(normalized).map((word) => `w:${word}`);
    for (const run of normalized.match(/\p{Script=Han}+/gu) ?? [])
      for (let index = 0; index + 1 < run.length; index += 1) features.push(`c:${run.slice(index, index + 2)}`);
    return features;
  };
  const started = performance.now();
  const labels = [...new Set(split.train.map((row) => row.label))].sort();
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const vocabulary = new Map<string, number>();
  const documentFrequency: number[] = [];
  const bags = split.train.map((row) => {
    const bag = new Map<string, number>();
    for (const feature of featuresOf(row.text)) bag.set(feature, (bag.get(feature) ?? 0) + 1);
    for (const feature of bag.keys()) {
      if (!vocabulary.has(feature)) {
        vocabulary.set(feature, vocabulary.size);
        documentFrequency.push(0);
      }
      documentFrequency[vocabulary.get(feature)!]! += 1;
    }
    return bag;
  });
  const idf = documentFrequency.map((frequency) => Math.log((1 + split.train.length) / (1 + frequency)) + 1);
  const vectorize = (bag: Map<string, number>): Array<[number, number]> => {
    const entries: Array<[number, number]> = [];
    for (const [feature, count] of bag) {
      const id = vocabulary.get(feature);
      if (id !== undefined) entries.push([id, (1 + Math.log(count)) * idf[id]!]);
    }
    const norm = Math.sqrt(entries.reduce((sum, [, value]) => sum + value * value, 0)) || 1;
    return entries.map(([id, value]) => [id, value / norm]);
  };
  const vectors = bags.map(vectorize);
  const classes = labels.length;
  const weights = new Float64Array(vocabulary.size * classes);
  const bias = new Float64Array(classes);
  const random = new Random(1);
  const order = [...vectors.keys()];
  const probabilitiesOf = (vector: Array<[number, number]>): Float64Array => {
    const scores = Float64Array.from(bias);
    for (const [id, value] of vector)
      for (let label = 0; label < classes; label += 1) scores[label]! += value * weights[id * classes + label]!;
    const max = Math.max(...scores);
    let total = 0;
    for (let label = 0; label < classes; label += 1) total += scores[label] = Math.exp(scores[label]! - max);
    for (let label = 0; label < classes; label += 1) scores[label]! /= total;
    return scores;
  };
  for (let epoch = 0; epoch < 30; epoch += 1) {
    random.shuffle(order);
    const rate = 1 / (1 + epoch * 0.2);
    for (const index of order) {
      const vector = vectors[index]!;
      const probabilities = probabilitiesOf(vector);
      const target = labelIndex.get(split.train[index]!.label)!;
      for (let label = 0; label < classes; label += 1) {
        const gradient = probabilities[label]! - (label === target ? 1 : 0);
        bias[label]! -= rate * gradient;
        for (const [id, value] of vector)
          weights[id * classes + label]! -= rate * (gradient * value + 1e-4 * weights[id * classes + label]!);
      }
    }
  }
  const trainMs = performance.now() - started;
  const predict = (text: string): Prediction => {
    const bag = new Map<string, number>();
    for (const feature of featuresOf(text)) bag.set(feature, (bag.get(feature) ?? 0) + 1);
    const probabilities = probabilitiesOf(vectorize(bag));
    const order = [...probabilities.keys()].sort((a, b) => probabilities[b]! - probabilities[a]!).slice(0, 5);
    const best = order[0]!;
    const outOfScope = probabilities[best]! < 0.5;
    return {
      intent: outOfScope ? null : labels[best]!,
      confidence: probabilities[best]!,
      outOfScope,
      alternatives: order.map((label) => ({ intent: labels[label]!, confidence: probabilities[label]! })),
    };
  };
  for (const row of split.test.slice(0, 200)) predict(row.text);
  const predictions: Prediction[] = [];
  const timings: number[] = [];
  for (const row of split.test) {
    const { value, us } = timed(() => predict(row.text));
    predictions.push(value);
    timings.push(us);
  }
  return scoreIntentPredictions(split.test, predictions, timings, { oosLabel: OOS, gate: GATE, trainMs });
}

/** `kefu eval faq` as the CLI runs it, with its JSON line kept off this script's output. */
async function evalFaq(
  options: Parameters<typeof runEvalFaq>[0],
  run: typeof runEvalFaq = runEvalFaq,
): Promise<FaqEvaluation> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await run({ ...options, json: true });
  } finally {
    process.stdout.write = write;
  }
}

const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)} %`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set(args[onlyIndex + 1]?.split(',')) : null;
  const skipNlpJs = args.includes('--skip-nlpjs');
  const baselineIndex = args.indexOf('--baseline');
  const baselineDir = baselineIndex >= 0 ? args[baselineIndex + 1] : undefined;
  const synonymsIndex = args.indexOf('--synonyms');
  const synonymModes = synonymsIndex >= 0 ? args[synonymsIndex + 1]!.split(',') : [];
  const outIndex = args.indexOf('--out');
  const out = outIndex >= 0 ? args[outIndex + 1]! : 'fewshot';
  /** The variants of kefu's matcher to run: the default, or each synonym setting. */
  const variants: Array<[string, () => void]> =
    synonymModes.length === 0
      ? [['', () => {}]]
      : synonymModes.map((mode) => [
          ` (synonyms ${mode})`,
          () => {
            process.env.KEFU_FEWSHOT_SYNONYMS = mode;
          },
        ]);
  const baseline = baselineDir
    ? {
        train: (
          (await import(pathToFileURL(join(baselineDir, 'src/fewshot/index.ts')).href)) as {
            trainFewShotMatcher: TrainMatcher;
          }
        ).trainFewShotMatcher,
        evalFaq: (
          (await import(pathToFileURL(join(baselineDir, 'src/cli/commands/eval-faq.ts')).href)) as {
            runEvalFaq: typeof runEvalFaq;
          }
        ).runEvalFaq,
      }
    : null;
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
  const results: Array<{ split: string; system: string; metrics: IntentEvaluation }> = [];
  for (const split of loadSplits(only)) {
    const systems: Array<[string, () => IntentEvaluation | Promise<IntentEvaluation>]> = [
      ...variants.map(([suffix, apply]): [string, () => IntentEvaluation] => [
        `kefu few-shot matcher${suffix}`,
        () => {
          apply();
          return runMatcher(split);
        },
      ]),
      ...(baseline
        ? ([['kefu few-shot matcher (previous)', () => runMatcher(split, baseline.train)]] as Array<
            [string, () => IntentEvaluation]
          >)
        : []),
      ['kefu intent classifier (issue 4)', () => runClassifier(split)],
      ['TF-IDF logistic regression', () => runTfidfLogistic(split)],
      ...(skipNlpJs ? [] : ([['NLP.js', () => runNlpJs(split)]] as Array<[string, () => Promise<IntentEvaluation>]>)),
    ];
    for (const [system, run] of systems) {
      process.stderr.write(`${split.name}: ${system} …\n`);
      results.push({ split: split.name, system, metrics: await run() });
    }
  }
  const evaluations: Record<string, FaqEvaluation> = {};
  const evaluationErrors: Record<string, string> = {};
  if (!only || only.has('eval')) {
    const faq = datasetPath('travel-zh', 'faq.csv');
    const dev = {
      faq,
      test: datasetPath('travel-zh', 'dev.jsonl'),
      dialogues: datasetPath('travel-zh', 'dialogues.jsonl'),
      domain: 'travel',
    };
    const runs: Array<[string, Parameters<typeof runEvalFaq>[0]]> = [
      ['dev @0.85', { ...dev, gate: String(GATE) }],
      ['dev @tenant default (0.6)', dev],
      [
        'risk v1 (written first; rules fixed after it)',
        { faq, test: join(root, 'bench/data/risk-heldout.jsonl'), gate: String(GATE), domain: 'travel' },
      ],
      [
        'risk v2 (written after the v1 fixes; rules fixed after it)',
        { faq, test: join(root, 'bench/data/risk-heldout-v2.jsonl'), gate: String(GATE), domain: 'travel' },
      ],
    ];
    const pipelines: Array<[string, typeof runEvalFaq]> = [
      ...variants.map(([suffix, apply]): [string, typeof runEvalFaq] => [
        suffix,
        (options) => {
          apply();
          return runEvalFaq(options);
        },
      ]),
      ...(baseline ? ([[' (previous kefu)', baseline.evalFaq]] as Array<[string, typeof runEvalFaq]>) : []),
    ];
    for (const [name, options] of runs)
      for (const [suffix, run] of pipelines) {
        process.stderr.write(`kefu eval faq: ${name}${suffix} …\n`);
        try {
          evaluations[name + suffix] = await evalFaq(options, run);
        } catch (error) {
          evaluationErrors[name + suffix] = (error as Error).message;
        }
      }
  }

  const lines: string[] = [
    '# Day-one tenants (issue 9): few-shot benchmark',
    '',
    `\`npx tsx bench/fewshot.ts${args.length > 0 ? ` ${args.join(' ')}` : ''}\` — ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores shared with other jobs, load average ${load}. Timings are noisy; compare systems within this run. Full output: \`fewshot.json\`. Splits and method: docs/fewshot.md.`,
    '',
    `Gate ${GATE}. No system sees out-of-scope training rows. accuracy counts an oos row right only when declined; coverage = share of all rows answered at ≥ gate; selective = accuracy of those.`,
    '',
    '| split | system | in-scope acc | oos recall | coverage | selective acc | ECE | train | p50 µs |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      ({ split, system, metrics }) =>
        `| ${split} | ${system} | ${percent(metrics.in_scope_accuracy)} | ${percent(metrics.oos_recall)} | ${percent(metrics.coverage)} | ${percent(metrics.selective_accuracy)} | ${metrics.ece.toFixed(3)} | ${(metrics.train_ms / 1000).toFixed(2)} s | ${metrics.classify_us_p50.toFixed(0)} |`,
    ),
  ];
  if (Object.keys(evaluations).length + Object.keys(evaluationErrors).length > 0) {
    lines.push(
      '',
      '## `kefu eval faq`: the whole pipeline on a tenant built from faq.csv alone (no LLM)',
      '',
      '| run | answer acc | auto precision | oos recall | human recall | human precision | dialogue turns | answer or right suggestion | cov@95 | AURC | ECE | train | turn p50 |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...Object.entries(evaluations).map(
        ([name, result]) =>
          `| ${name} | ${percent(result.answer_accuracy)} | ${percent(result.auto_precision)} | ${percent(result.oos_recall)} | ${percent(result.human_recall)} | ${percent(result.human_precision)} | ${percent(result.dialogue_turn_accuracy)} | ${percent(result.answer_or_suggestion_accuracy)} | ${percent(result.coverage_at_precision?.['0.95'])} | ${result.aurc?.toFixed(4) ?? '–'} | ${result.ece?.toFixed(3) ?? '–'} | ${(result.train_ms / 1000).toFixed(2)} s | ${result.turn_ms_p50} ms |`,
      ),
    );
  }
  for (const [name, message] of Object.entries(evaluationErrors))
    lines.push(`| ${name} | failed: ${message.replace(/\|/g, '/')} |`);
  const markdown = lines.join('\n') + '\n';
  process.stdout.write(markdown);
  if (!args.includes('--no-write')) {
    writeFileSync(join(root, `bench/results/${out}.md`), markdown);
    writeFileSync(
      join(root, `bench/results/${out}.json`),
      JSON.stringify({ load, results, evaluations, evaluationErrors }, null, 1) + '\n',
    );
  }
}

// Run only as a script, so the split carving can be imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

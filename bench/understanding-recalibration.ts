/**
 * Issue 17, calibration target: which monotone recalibration of the few-shot matcher's confidence
 * (none, Platt, beta, isotonic) to fit, chosen by 5-fold cross-validation on rows carved from
 * CLINC150 train only, then fitted on all carved rows and reported once on val.
 *
 *   npx tsx bench/understanding-recalibration.ts [--label recalibration]
 *
 * The matcher is the one of bench/understanding.ts: 5 shots per intent from train (seed 42,
 * `carveFewShot`). Two carves, both disjoint from the shots and from val, fixed before any val run:
 * "next 4" = the next 4 train rows per intent + the 100 train `oos` rows (the bench's Platt row), and
 * "all rest" = every other train row (95 per intent) + the 100 train `oos` rows. ECE is
 * `scoreIntentPredictions`' (15 equal-width bins); AURC and coverage at 95 % precision are
 * `riskCoverage`'s. Writes bench/results/understanding-<label>.md and .json.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { riskCoverage } from '../src/cli/commands/eval-faq.js';
import {
  crossValidateRecalibration,
  fitRecalibration,
  trainFewShotMatcher,
  type FewShotEntry,
  type FewShotMatcher,
  type Recalibration,
  type RecalibrationMethod,
} from '../src/fewshot/index.js';
import { readIntentJsonl, scoreIntentPredictions, type IntentExample } from '../src/nlu/index.js';
import { datasetPath } from '../test/support/datasets.js';
import { carveFewShot } from './fewshot.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const labelIndex = args.indexOf('--label');
const label = labelIndex >= 0 ? args[labelIndex + 1]! : 'recalibration';
const GATE = 0.85;
const METHODS: ReadonlyArray<RecalibrationMethod | 'none'> = ['none', 'platt', 'beta', 'isotonic'];

function report(matcher: FewShotMatcher, rows: readonly IntentExample[]) {
  const predictions = rows.map((row) => matcher.match(row.text));
  const scored = scoreIntentPredictions(
    rows,
    predictions,
    rows.map(() => 0),
    { oosLabel: 'oos', gate: GATE },
  );
  const curve = riskCoverage(
    rows.map((row, index) => ({
      expected: row.label,
      guess: predictions[index]!.intent ?? predictions[index]!.alternatives[0]?.intent ?? null,
      confidence: predictions[index]!.confidence,
    })),
  );
  return {
    in_scope_accuracy: scored.in_scope_accuracy,
    oos_recall: scored.oos_recall,
    ece: scored.ece,
    coverage_at_95: curve.coverage_at_precision['0.95'],
    aurc: curve.aurc,
    distinct_confidences: new Set(predictions.map((prediction) => prediction.confidence)).size,
  };
}

const rows = readIntentJsonl(datasetPath('clinc150', 'train.jsonl'));
const inScope = rows.filter((row) => row.label !== 'oos');
const trainOos = rows.filter((row) => row.label === 'oos');
const val = readIntentJsonl(datasetPath('clinc150', 'val.jsonl'));
const { train: shots, test: nextFour } = carveFewShot(inScope, 5, 42, 4);
const { test: allRest } = carveFewShot(inScope, 5, 42, 95);
const carves = [
  { name: 'next 4', rows: [...nextFour, ...trainOos] },
  { name: 'all rest', rows: [...allRest, ...trainOos] },
];

const byLabel = new Map<string, string[]>();
for (const row of shots) byLabel.set(row.label, [...(byLabel.get(row.label) ?? []), row.text]);
const entries: FewShotEntry[] = [...byLabel].map(([intent, phrasings]) => ({ label: intent, phrasings }));
const plain = trainFewShotMatcher(entries);
const baseline = report(plain, val);

const results = carves.map((carve) => {
  process.stderr.write(`carve ${carve.name}: ${carve.rows.length} rows …\n`);
  const scored = carve.rows.map((row) => {
    const prediction = plain.match(row.text);
    return { confidence: prediction.confidence, right: prediction.intent === row.label };
  });
  const confidences = scored.map((row) => row.confidence);
  const correct = scored.map((row) => row.right);
  const crossValidation = crossValidateRecalibration(confidences, correct, { methods: METHODS, folds: 5, seed: 42 });
  const chosen = crossValidation[0]!.method;
  const onVal = METHODS.map((method) => {
    const recalibration: Recalibration | undefined =
      method === 'none' ? undefined : fitRecalibration(confidences, correct, { method });
    const matcher = recalibration ? trainFewShotMatcher(entries, { recalibration }) : plain;
    return { method, chosen: method === chosen, recalibration, ...report(matcher, val) };
  });
  return {
    carve: carve.name,
    rows: carve.rows.length,
    in_scope_rows: carve.rows.filter((row) => row.label !== 'oos').length,
    first_guess_right: correct.filter(Boolean).length,
    cross_validation: crossValidation,
    chosen,
    val: onVal,
  };
});

const load = loadavg()
  .map((value) => value.toFixed(1))
  .join(' ');
const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)} %`);
const lines = [
  `### ${label} — ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, load ${load}`,
  '',
  `CLINC150 5-shot matcher (${entries.length} intents × 5 train rows, seed 42), no recalibration, on val (${val.length} rows): ` +
    `ECE ${baseline.ece.toFixed(3)}, OOS recall ${percent(baseline.oos_recall)}, in-scope acc ${percent(baseline.in_scope_accuracy)}, ` +
    `cov@95 ${percent(baseline.coverage_at_95)}, AURC ${baseline.aurc?.toFixed(4)}.`,
];
for (const result of results) {
  lines.push(
    '',
    `#### Carve "${result.carve}": ${result.rows} train rows (${result.in_scope_rows} in-scope + ${result.rows - result.in_scope_rows} oos; first guess right on ${result.first_guess_right})`,
    '',
    '5-fold cross-validation on the carved rows (stratified, seed 42; ECE on each held-out fold), best first:',
    '',
    '| method | mean fold ECE | pooled out-of-fold ECE | fold ECEs |',
    '|---|---|---|---|',
    ...result.cross_validation.map(
      (row) =>
        `| ${row.method} | ${row.meanEce.toFixed(4)} | ${row.pooledEce.toFixed(4)} | ${row.foldEce.map((value) => value.toFixed(3)).join(' ')} |`,
    ),
    '',
    `Chosen by cross-validation: **${result.chosen}**. Each method fitted on all ${result.rows} carved rows, reported on val (the chosen one is the reported figure; the others are shown, not chosen from):`,
    '',
    '| method | val ECE | OOS recall | in-scope acc | cov@95 | AURC | distinct confidences |',
    '|---|---|---|---|---|---|---|',
    ...result.val.map(
      (row) =>
        `| ${row.chosen ? `**${row.method}** (chosen)` : row.method} | ${row.ece.toFixed(3)} | ${percent(row.oos_recall)} | ${percent(row.in_scope_accuracy)} | ${percent(row.coverage_at_95)} | ${row.aurc?.toFixed(4)} | ${row.distinct_confidences} |`,
    ),
  );
}
const markdown = lines.join('\n') + '\n';
process.stdout.write(markdown);
writeFileSync(
  join(root, `bench/results/understanding-${label}.json`),
  JSON.stringify({ label, load, baseline, results }, null, 1) + '\n',
);
writeFileSync(join(root, `bench/results/understanding-${label}.md`), markdown);

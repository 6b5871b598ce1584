/**
 * CC-CEDICT synonym classes in the FAQ matcher (issue 17): choosing the synonym weight on a split
 * carved from travel-zh *train* phrasings, never on dev.
 *
 * Carved split (leave-one-phrasing-out, 5 folds): in fold k, every entry's k-th alternative
 * phrasing (k = 1…5; the question itself always stays) is held out as an in-scope test row, and
 * the entries whose index ≡ k (mod 5) are left out of the sheet altogether: their k-th phrasing
 * becomes a near-domain out-of-scope test row (about a fifth of the rows, as on dev) (the sheet's vocabulary, a topic it no longer covers). The
 * matcher is trained on what is left (answers and categories included), exactly as a tenant's.
 *
 *   npx tsx bench/fewshot-synonyms.ts [--weights 0.25,0.5,0.8] [--out NAME]
 *
 * Writes bench/results/NAME.md and NAME.json (default fewshot-synonyms-carved).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetPath } from '../test/support/datasets.js';
import { parseFaqSheet } from '../src/knowledge/faq-sheet.js';
import { readIntentJsonl } from '../src/nlu/index.js';
import { trainFewShotMatcher, type FewShotEntry, type FewShotMatcherOptions } from '../src/fewshot/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GATE = 0.85;
const FOLDS = 5;

interface Row {
  text: string;
  expected: string | null;
  confidence: number;
  intent: string | null;
  outOfScope: boolean;
}

export interface CarvedMetrics {
  in_scope_top1: number;
  answer_accuracy: number;
  auto_precision: number | null;
  oos_recall: number;
  coverage_at_95: number;
  aurc: number;
  sheet_loo_accuracy: number;
  train_ms_mean: number;
  rows: { in_scope: number; oos: number };
}

/** Largest share of in-scope rows answered by a confidence threshold while precision stays ≥ target; AURC. */
export function riskCoverage(rows: readonly Row[], target: number): { coverage: number; aurc: number } {
  const sorted = [...rows].sort((a, b) => b.confidence - a.confidence);
  const inScope = rows.filter((row) => row.expected !== null).length;
  let right = 0;
  let answered = 0;
  let answeredInScope = 0;
  let best = 0;
  let riskSum = 0;
  for (let index = 0; index < sorted.length; index += 1) {
    const row = sorted[index]!;
    answered += 1;
    if (row.expected !== null) answeredInScope += 1;
    if (row.expected !== null && row.intent === row.expected) right += 1;
    riskSum += 1 - right / answered;
    const tiesNext = index + 1 < sorted.length && sorted[index + 1]!.confidence === row.confidence;
    if (!tiesNext && right / answered >= target) best = Math.max(best, answeredInScope / inScope);
  }
  return { coverage: best, aurc: riskSum / sorted.length };
}

function loadSheet(): FewShotEntry[] {
  const { entries } = parseFaqSheet(readFileSync(datasetPath('travel-zh', 'faq.csv')), 'faq.csv');
  const extras = new Map(entries.map((row) => [row.id, row]));
  const byLabel = new Map<string, string[]>();
  for (const row of readIntentJsonl(datasetPath('travel-zh', 'train.jsonl')))
    byLabel.set(row.label, [...(byLabel.get(row.label) ?? []), row.text]);
  return [...byLabel].map(([label, phrasings]) => ({
    label,
    phrasings,
    answer: extras.get(label)?.answer ?? null,
    category: extras.get(label)?.category ?? null,
  }));
}

export function runCarved(sheet: readonly FewShotEntry[], options: FewShotMatcherOptions): CarvedMetrics {
  const rows: Row[] = [];
  let looSum = 0;
  let trainMs = 0;
  for (let fold = 1; fold <= FOLDS; fold += 1) {
    const training: FewShotEntry[] = [];
    const tests: Array<{ text: string; expected: string | null }> = [];
    sheet.forEach((entry, index) => {
      if (index % FOLDS === fold - 1) {
        tests.push({ text: entry.phrasings[fold] ?? entry.phrasings[0]!, expected: null });
        return;
      }
      const heldOut = entry.phrasings[fold];
      if (heldOut !== undefined) tests.push({ text: heldOut, expected: entry.label });
      training.push({ ...entry, phrasings: entry.phrasings.filter((_, at) => at !== fold) });
    });
    const started = performance.now();
    const matcher = trainFewShotMatcher(training, options);
    trainMs += performance.now() - started;
    looSum += matcher.summary.leaveOneOutAccuracy ?? 0;
    for (const test of tests) {
      const prediction = matcher.match(test.text);
      rows.push({ ...test, ...prediction });
    }
  }
  const inScope = rows.filter((row) => row.expected !== null);
  const oos = rows.filter((row) => row.expected === null);
  const answered = rows.filter((row) => !row.outOfScope && row.confidence >= GATE);
  const answeredRight = answered.filter((row) => row.expected !== null && row.intent === row.expected).length;
  const { coverage, aurc } = riskCoverage(rows, 0.95);
  return {
    in_scope_top1: inScope.filter((row) => row.intent === row.expected).length / inScope.length,
    answer_accuracy: answeredRight / inScope.length,
    auto_precision: answered.length > 0 ? answeredRight / answered.length : null,
    oos_recall: oos.filter((row) => row.outOfScope).length / oos.length,
    coverage_at_95: coverage,
    aurc,
    sheet_loo_accuracy: looSum / FOLDS,
    train_ms_mean: trainMs / FOLDS,
    rows: { in_scope: inScope.length, oos: oos.length },
  };
}

function main(): void {
  const args = process.argv.slice(2);
  const weightsAt = args.indexOf('--weights');
  const weights = (weightsAt >= 0 ? args[weightsAt + 1]! : '0.25,0.5,0.8').split(',').map(Number);
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1]! : 'fewshot-synonyms-carved';
  const sheet = loadSheet();
  const configs: Array<[string, FewShotMatcherOptions]> = [
    ['without synonyms', { synonyms: false }],
    ...weights.map((weight): [string, FewShotMatcherOptions] => [
      `CC-CEDICT synonyms, weight ${weight}`,
      { synonyms: true, featureWeights: { synonym: weight } },
    ]),
  ];
  const results: Array<{ config: string; metrics: CarvedMetrics }> = [];
  for (const [config, options] of configs) {
    process.stderr.write(`${config} …\n`);
    results.push({ config, metrics: runCarved(sheet, options) });
  }
  const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)} %`);
  const first = results[0]!.metrics.rows;
  const lines = [
    '# CC-CEDICT synonyms: the carved travel-zh train split (weights chosen here, not on dev)',
    '',
    `\`npx tsx bench/fewshot-synonyms.ts ${args.join(' ')}\` — ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores shared, load average ${loadavg()
      .map((value) => value.toFixed(1))
      .join(' ')}.`,
    '',
    `${FOLDS} folds of travel-zh train.jsonl: each entry's k-th alternative phrasing held out (${first.in_scope} in-scope rows), the entries ≡ k (mod ${FOLDS}) left out of the sheet, their k-th phrasing a near-domain out-of-scope row (${first.oos}). Matcher level, gate ${GATE}.`,
    '',
    '| config | in-scope top-1 | answer acc @0.85 | precision @0.85 | oos recall | cov@95 | AURC | sheet LOO acc | train (mean) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      ({ config, metrics }) =>
        `| ${config} | ${percent(metrics.in_scope_top1)} | ${percent(metrics.answer_accuracy)} | ${percent(metrics.auto_precision)} | ${percent(metrics.oos_recall)} | ${percent(metrics.coverage_at_95)} | ${metrics.aurc.toFixed(4)} | ${percent(metrics.sheet_loo_accuracy)} | ${metrics.train_ms_mean.toFixed(0)} ms |`,
    ),
  ];
  const markdown = lines.join('\n') + '\n';
  process.stdout.write(markdown);
  writeFileSync(join(root, `bench/results/${out}.md`), markdown);
  writeFileSync(join(root, `bench/results/${out}.json`), JSON.stringify(results, null, 1) + '\n');
}

main();

import {
  evaluateIntentClassifier,
  readIntentJsonl,
  trainIntentClassifier,
  type IntentEvaluation,
} from '../../nlu/index.js';

export interface EvalIntentOptions {
  train: string;
  test: string;
  oosLabel?: string;
  gate?: string;
  lang?: string;
  json?: boolean;
}

/**
 * `kefu eval intent`: trains the light tier on --train, classifies every --test row and prints the
 * metrics (one JSON object with --json, a table otherwise).
 */
export async function runEvalIntent(options: EvalIntentOptions): Promise<IntentEvaluation> {
  const gate = Number(options.gate ?? '0.85');
  if (!Number.isFinite(gate) || gate < 0 || gate > 1)
    throw new Error(`--gate must be a number between 0 and 1 (got ${JSON.stringify(options.gate)})`);
  const language = options.lang ?? 'auto';
  if (language !== 'auto' && language !== 'zh' && language !== 'en')
    throw new Error(`--lang must be auto, zh or en (got ${JSON.stringify(language)})`);
  const oosLabel = options.oosLabel ?? 'oos';
  const training = readIntentJsonl(options.train);
  const test = readIntentJsonl(options.test);
  if (training.length === 0) throw new Error(`${options.train}: no training rows`);
  if (test.length === 0) throw new Error(`${options.test}: no test rows`);
  const started = performance.now();
  const classifier = trainIntentClassifier(training, { oosLabel, language });
  const trainMs = performance.now() - started;
  const metrics = evaluateIntentClassifier(classifier, test, { oosLabel, gate, trainMs });
  if (options.json) {
    process.stdout.write(JSON.stringify(metrics) + '\n');
  } else {
    process.stdout.write(formatTable(metrics, classifier.summary.warnings));
  }
  return metrics;
}

function formatTable(metrics: IntentEvaluation, warnings: readonly string[]): string {
  const percent = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(2)}%`);
  const rows: Array<[string, string]> = [
    ['rows (n)', String(metrics.n)],
    ['accuracy', percent(metrics.accuracy)],
    ['in-scope accuracy', percent(metrics.in_scope_accuracy)],
    ['oos recall', percent(metrics.oos_recall)],
    ['oos precision', percent(metrics.oos_precision)],
    ['macro F1', percent(metrics.macro_f1)],
    [`coverage @ ${metrics.gate}`, percent(metrics.coverage)],
    [`selective accuracy @ ${metrics.gate}`, percent(metrics.selective_accuracy)],
    ['ECE (15 bins)', metrics.ece.toFixed(4)],
    ['train', `${metrics.train_ms} ms`],
    ['classify p50 / p99', `${metrics.classify_us_p50} / ${metrics.classify_us_p99} µs`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`);
  for (const warning of warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n') + '\n';
}

import { expectedCalibrationError } from './calibration.js';
import type { IntentClassifier, IntentExample, IntentPrediction } from './types.js';

/** The metrics of `kefu eval intent` (field names are part of the CLI's JSON interface). */
export interface IntentEvaluation {
  n: number;
  accuracy: number;
  in_scope_accuracy: number;
  oos_recall: number | null;
  oos_precision: number | null;
  macro_f1: number;
  gate: number;
  coverage: number;
  selective_accuracy: number | null;
  ece: number;
  train_ms: number;
  classify_us_p50: number;
  classify_us_p99: number;
}

export interface EvaluateOptions {
  oosLabel?: string;
  gate?: number;
  trainMs?: number;
  /** Classify the first 200 rows once before timing (JIT warm-up); default true. */
  warmup?: boolean;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const position = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[position];
}

/**
 * Scores a classifier on labelled rows (classifying each row once, timed; a warm-up pass over the
 * first 200 rows comes first so the JIT is not measured). See scoreIntentPredictions for the
 * metric definitions.
 */
export function evaluateIntentClassifier(
  classifier: IntentClassifier,
  rows: readonly IntentExample[],
  options: EvaluateOptions = {},
): IntentEvaluation {
  if (options.warmup !== false) for (const row of rows.slice(0, 200)) classifier.classify(row.text);
  const predictions: IntentPrediction[] = [];
  const timings: number[] = [];
  for (const row of rows) {
    const started = process.hrtime.bigint();
    predictions.push(classifier.classify(row.text));
    timings.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  return scoreIntentPredictions(rows, predictions, timings, options);
}

/**
 * The metrics, from predictions and per-row classify times in microseconds.
 * - accuracy: over all rows; an out-of-scope row is correct only when predicted out of scope.
 * - coverage / selective_accuracy: rows answered automatically, i.e. predicted in scope with
 *   confidence ≥ gate (an out-of-scope result is never answered, whatever its confidence).
 * - ece: 15-bin ECE of `confidence` as the probability that the top in-scope intent is right
 *   (out-of-scope rows count as wrong), the quantity the gate acts on.
 * - macro_f1: over the labels of the test set (the out-of-scope label is one class).
 */
export function scoreIntentPredictions(
  rows: readonly IntentExample[],
  predictions: readonly Pick<IntentPrediction, 'intent' | 'confidence' | 'outOfScope' | 'alternatives'>[],
  timingsMicroseconds: readonly number[],
  options: EvaluateOptions = {},
): IntentEvaluation {
  const oosLabel = options.oosLabel ?? 'oos';
  const gate = options.gate ?? 0.85;
  let correct = 0;
  let inScope = 0;
  let inScopeCorrect = 0;
  let oosRows = 0;
  let oosPredictedCorrect = 0;
  let oosPredicted = 0;
  let covered = 0;
  let coveredCorrect = 0;
  const confidences: number[] = [];
  const topCorrect: boolean[] = [];
  const truePositive = new Map<string, number>();
  const predictedCount = new Map<string, number>();
  const actualCount = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  rows.forEach((row, index) => {
    const prediction = predictions[index];
    const isOos = row.label === oosLabel;
    const predictedLabel = prediction.outOfScope ? oosLabel : (prediction.intent ?? oosLabel);
    const isCorrect = predictedLabel === row.label;
    if (isCorrect) correct += 1;
    if (isOos) {
      oosRows += 1;
      if (prediction.outOfScope) oosPredictedCorrect += 1;
    } else {
      inScope += 1;
      if (isCorrect) inScopeCorrect += 1;
    }
    if (prediction.outOfScope) oosPredicted += 1;
    if (!prediction.outOfScope && prediction.confidence >= gate) {
      covered += 1;
      if (isCorrect) coveredCorrect += 1;
    }
    const topIntent = prediction.intent ?? prediction.alternatives[0]?.intent ?? null;
    confidences.push(prediction.confidence);
    topCorrect.push(!isOos && topIntent === row.label);
    bump(actualCount, row.label);
    bump(predictedCount, predictedLabel);
    if (isCorrect) bump(truePositive, row.label);
  });
  let f1Sum = 0;
  for (const [label, actual] of actualCount) {
    const tp = truePositive.get(label) ?? 0;
    const predicted = predictedCount.get(label) ?? 0;
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = tp / actual;
    f1Sum += precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  }
  const timings = [...timingsMicroseconds].sort((left, right) => left - right);
  const n = rows.length;
  const ratio = (numerator: number, denominator: number) => (denominator === 0 ? 0 : numerator / denominator);
  return {
    n,
    accuracy: ratio(correct, n),
    in_scope_accuracy: ratio(inScopeCorrect, inScope),
    oos_recall: oosRows === 0 ? null : ratio(oosPredictedCorrect, oosRows),
    oos_precision: oosRows === 0 ? null : ratio(oosPredictedCorrect, oosPredicted),
    macro_f1: ratio(f1Sum, actualCount.size),
    gate,
    coverage: ratio(covered, n),
    selective_accuracy: covered === 0 ? null : coveredCorrect / covered,
    ece: expectedCalibrationError(confidences, topCorrect, 15),
    train_ms: Math.round(options.trainMs ?? 0),
    classify_us_p50: Math.round(percentile(timings, 0.5) * 10) / 10,
    classify_us_p99: Math.round(percentile(timings, 0.99) * 10) / 10,
  };
}

/**
 * Calibration helpers: the ensemble's combination weights are fitted by minimising the negative
 * log-likelihood of out-of-fold predictions (weights scale the log-probabilities, so they also
 * act as a temperature), and the out-of-scope threshold is chosen on the same predictions.
 */

/** One out-of-fold prediction: per-class evidence from each member, and the true class. */
export interface OutOfFoldRow {
  /** Logits of the linear model (classes incl. an out-of-scope class if trained). */
  linear: Float32Array;
  /** Logits of the MLP. */
  mlp: Float32Array;
  /** nearest-neighbour cosine similarity per class. */
  knn: Float32Array;
  label: number;
}

export interface CombinationWeights {
  linear: number;
  mlp: number;
  knn: number;
}

/** Combined class probabilities into `out` (softmax of the weighted evidence). */
export function combine(
  weights: CombinationWeights,
  linear: Float32Array,
  mlp: Float32Array,
  knn: Float32Array,
  out: Float64Array,
): Float64Array {
  let max = -Infinity;
  for (let label = 0; label < out.length; label += 1) {
    const value = weights.linear * linear[label] + weights.mlp * mlp[label] + weights.knn * knn[label];
    out[label] = value;
    if (value > max) max = value;
  }
  let sum = 0;
  for (let label = 0; label < out.length; label += 1) {
    out[label] = Math.exp(out[label] - max);
    sum += out[label];
  }
  for (let label = 0; label < out.length; label += 1) out[label] /= sum;
  return out;
}

function negativeLogLikelihood(
  rows: readonly OutOfFoldRow[],
  weights: CombinationWeights,
  scratch: Float64Array,
): number {
  let total = 0;
  for (const row of rows) {
    const probabilities = combine(weights, row.linear, row.mlp, row.knn, scratch);
    total -= Math.log(Math.max(probabilities[row.label], 1e-12));
  }
  return total / Math.max(rows.length, 1);
}

/**
 * Coordinate search over the three non-negative weights (multiplicative steps, shrinking), from
 * `start`. Members that are absent (`enabled` false) keep weight 0.
 */
export function fitCombinationWeights(
  rows: readonly OutOfFoldRow[],
  classes: number,
  start: CombinationWeights,
  enabled: { linear: boolean; mlp: boolean; knn: boolean },
): CombinationWeights {
  const scratch = new Float64Array(classes);
  let best = { ...start };
  for (const key of ['linear', 'mlp', 'knn'] as const) if (!enabled[key]) best[key] = 0;
  if (rows.length === 0) return best;
  let bestLoss = negativeLogLikelihood(rows, best, scratch);
  for (const factor of [2, 1.4, 1.15, 1.05]) {
    let improved = true;
    for (let round = 0; improved && round < 12; round += 1) {
      improved = false;
      for (const key of ['linear', 'mlp', 'knn'] as const) {
        if (!enabled[key]) continue;
        const candidates = best[key] === 0 ? [0.25] : [best[key] * factor, best[key] / factor];
        if (key === 'knn' && best[key] > 0) candidates.push(0);
        for (const value of candidates) {
          const candidate = { ...best, [key]: value };
          const loss = negativeLogLikelihood(rows, candidate, scratch);
          if (loss < bestLoss - 1e-7) {
            best = candidate;
            bestLoss = loss;
            improved = true;
          }
        }
      }
    }
  }
  return best;
}

/** Expected calibration error with equal-width bins over [0, 1]. */
export function expectedCalibrationError(
  confidences: readonly number[],
  correct: readonly boolean[],
  bins = 15,
): number {
  const count = new Float64Array(bins);
  const confidenceSum = new Float64Array(bins);
  const correctSum = new Float64Array(bins);
  confidences.forEach((confidence, index) => {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(confidence * bins)));
    count[bin] += 1;
    confidenceSum[bin] += confidence;
    correctSum[bin] += correct[index] ? 1 : 0;
  });
  let error = 0;
  for (let bin = 0; bin < bins; bin += 1) {
    if (count[bin] > 0) error += Math.abs(confidenceSum[bin] - correctSum[bin]);
  }
  return confidences.length === 0 ? 0 : error / confidences.length;
}

/** What the out-of-scope threshold is chosen from: one row per out-of-fold prediction. */
export interface ThresholdRow {
  /** Calibrated probability of the top in-scope intent. */
  confidence: number;
  /** Whether the top in-scope intent is the true label (false for out-of-scope rows). */
  correct: boolean;
  outOfScope: boolean;
  /** The out-of-scope class won outright (only when trained with out-of-scope examples). */
  oosClassWins: boolean;
}

/**
 * With out-of-scope examples: maximise the expected accuracy for traffic in which a share
 * `oosShare` of messages is out of scope, i.e. (1 − oosShare) · in-scope accuracy + oosShare ·
 * out-of-scope recall. Without: there is nothing to trade against, so reject only what is almost
 * surely wrong: the largest threshold that loses at most `maxCorrectRejected` of the correct
 * in-scope predictions, and never above `maxThresholdWithoutExamples`.
 */
export function fitOutOfScopeThreshold(
  rows: readonly ThresholdRow[],
  maxCorrectRejected = 0.002,
  oosShare = 0.05,
  maxThresholdWithoutExamples = 0.4,
): number {
  const candidates: number[] = [];
  for (let step = 0; step <= 90; step += 1) candidates.push(step / 100);
  const oosRows = rows.filter((row) => row.outOfScope);
  const inScopeRows = rows.filter((row) => !row.outOfScope);
  if (inScopeRows.length === 0) return 0.5;
  if (oosRows.length > 0) {
    let best = 0;
    let bestScore = -Infinity;
    for (const threshold of candidates) {
      const rejected = (row: ThresholdRow) => row.oosClassWins || row.confidence < threshold;
      const inScopeAccuracy = inScopeRows.filter((row) => row.correct && !rejected(row)).length / inScopeRows.length;
      const oosRecall = oosRows.filter(rejected).length / oosRows.length;
      const score = (1 - oosShare) * inScopeAccuracy + oosShare * oosRecall;
      if (score > bestScore + 1e-9) {
        bestScore = score;
        best = threshold;
      }
    }
    return best;
  }
  const correctRows = inScopeRows.filter((row) => row.correct);
  let best = 0;
  for (const threshold of candidates) {
    const lost = correctRows.filter((row) => row.confidence < threshold).length / Math.max(correctRows.length, 1);
    if (lost <= maxCorrectRejected) best = threshold;
  }
  return Math.min(best, maxThresholdWithoutExamples);
}

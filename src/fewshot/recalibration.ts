/**
 * Monotone recalibration of a confidence, fitted on labelled predictions disjoint from what is
 * reported (issue 17): Platt (2 parameters), beta calibration (3) or isotonic regression (a
 * piecewise-linear curve through pooled blocks). A fitted recalibration is plain data (it can be
 * stored with a tenant's model) and is applied with `applyRecalibration`.
 */
import { expectedCalibrationError } from '../nlu/calibration.js';
import { fitLogistic, sigmoid } from './newton-fits.js';

export type RecalibrationMethod = 'platt' | 'beta' | 'isotonic';

/** `σ(a · logit(c) + b)`; `method` may be left out (the original shape). */
export interface PlattRecalibration {
  method?: 'platt';
  a: number;
  b: number;
}

/** `σ(a · ln c − b · ln(1 − c) + k)` with a, b ≥ 0 (Kull et al., 2017), so it never decreases. */
export interface BetaRecalibration {
  method: 'beta';
  a: number;
  b: number;
  k: number;
}

/**
 * Linear interpolation through (x[i], y[i]): (0, 0), the pooled blocks' mean confidence and
 * smoothed accuracy, (1, 1); both strictly increasing.
 */
export interface IsotonicRecalibration {
  method: 'isotonic';
  x: number[];
  y: number[];
}

export type Recalibration = PlattRecalibration | BetaRecalibration | IsotonicRecalibration;

export interface RecalibrationOptions {
  /** Default `platt`. */
  method?: RecalibrationMethod;
  /** Isotonic only: rows per pooled block, at least (default: the square root of the rows, at least 10). */
  minBlockSize?: number;
}

const EPSILON = 1e-6;
const clampProbability = (p: number) => Math.min(1 - EPSILON, Math.max(EPSILON, Number.isFinite(p) ? p : 0));
const logit = (p: number) => {
  const clamped = clampProbability(p);
  return Math.log(clamped / (1 - clamped));
};

/** The recalibrated confidence; monotone non-decreasing in `confidence` for every method. */
export function applyRecalibration(recalibration: Recalibration, confidence: number): number {
  switch (recalibration.method) {
    case 'beta': {
      const c = clampProbability(confidence);
      return sigmoid(recalibration.a * Math.log(c) - recalibration.b * Math.log(1 - c) + recalibration.k);
    }
    case 'isotonic':
      return interpolate(recalibration.x, recalibration.y, Number.isFinite(confidence) ? confidence : 0);
    default:
      return sigmoid(recalibration.a * logit(confidence) + recalibration.b);
  }
}

function interpolate(x: readonly number[], y: readonly number[], value: number): number {
  if (x.length === 0) return value;
  if (value <= x[0]!) return y[0]!;
  const last = x.length - 1;
  if (value >= x[last]!) return y[last]!;
  let low = 0;
  let high = last;
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (x[middle]! <= value) low = middle;
    else high = middle;
  }
  const share = (value - x[low]!) / (x[high]! - x[low]!);
  return y[low]! + share * (y[high]! - y[low]!);
}

function checkInputs(confidences: readonly number[], correct: readonly boolean[]): void {
  if (confidences.length !== correct.length)
    throw new RangeError(`fitRecalibration: ${confidences.length} confidences but ${correct.length} labels`);
  if (confidences.length === 0) throw new RangeError('fitRecalibration: no labelled predictions to fit on');
  if (!correct.some(Boolean) || correct.every(Boolean))
    throw new RangeError('fitRecalibration: needs both right and wrong predictions to fit on');
  for (const confidence of confidences)
    if (!(confidence >= 0 && confidence <= 1))
      throw new RangeError(`fitRecalibration: confidence ${confidence} is not in [0, 1]`);
}

/**
 * Fits a recalibration on labelled predictions (the confidence of each message's first guess, and
 * whether that guess was right; out-of-scope messages are never right). Fit it on messages carved
 * from training data, never on the ones you report. Throws a RangeError on no rows, rows of one
 * class only, mismatched lengths or a confidence outside [0, 1]: there is nothing to fit.
 */
export function fitRecalibration(
  confidences: readonly number[],
  correct: readonly boolean[],
  options: RecalibrationOptions = {},
): Recalibration {
  checkInputs(confidences, correct);
  const method = options.method ?? 'platt';
  if (method === 'beta') return fitBeta(confidences, correct);
  if (method === 'isotonic') return fitIsotonic(confidences, correct, options.minBlockSize);
  const rows = confidences.map((confidence, index) => ({
    x: [logit(confidence), 1],
    y: correct[index] ? 1 : 0,
    weight: 1,
  }));
  const [a, b] = fitLogistic(rows, [1, 0]);
  return { a: a!, b: b! };
}

function fitBeta(confidences: readonly number[], correct: readonly boolean[]): BetaRecalibration {
  const inputs = confidences.map((confidence) => {
    const c = clampProbability(confidence);
    return [Math.log(c), -Math.log(1 - c)];
  });
  const y = correct.map((right): number => (right ? 1 : 0));
  // A negative slope would make the map decrease somewhere: drop that input and refit (Kull et al.).
  let use = [true, true];
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const columns = [0, 1].filter((column) => use[column]);
    const rows = inputs.map((input, index) => ({
      x: [...columns.map((column) => input[column]!), 1],
      y: y[index]!,
      weight: 1,
    }));
    const fitted = fitLogistic(rows, [...columns.map(() => 1), 0]);
    const slopes = [0, 0];
    columns.forEach((column, at) => (slopes[column] = fitted[at]!));
    if (slopes.every((slope) => slope >= 0))
      return { method: 'beta', a: slopes[0]!, b: slopes[1]!, k: fitted[columns.length]! };
    use = use.map((kept, column) => kept && slopes[column]! > 0);
  }
  const rate = y.reduce((sum, value) => sum + value, 0) / y.length;
  return { method: 'beta', a: 0, b: 0, k: logit(rate) };
}

interface Block {
  count: number;
  rightSum: number;
  confidenceSum: number;
}

/** Block accuracy pulled half a row towards ½, so no block says 0 or 1 outright. */
const smoothedAccuracy = (block: Block) => (block.rightSum + 0.5) / (block.count + 1);

/**
 * Pool-adjacent-violators on the predictions sorted by confidence, with every block at least
 * `minBlockSize` rows, then the curve through the blocks' centres (strictly increasing in both)
 * and the corners.
 */
function fitIsotonic(
  confidences: readonly number[],
  correct: readonly boolean[],
  minBlockSize?: number,
): IsotonicRecalibration {
  const order = confidences.map((_, index) => index).sort((left, right) => confidences[left]! - confidences[right]!);
  const minimum = Math.max(1, Math.round(minBlockSize ?? Math.max(10, Math.sqrt(confidences.length))));
  const merge = (left: Block, right: Block): Block => ({
    count: left.count + right.count,
    rightSum: left.rightSum + right.rightSum,
    confidenceSum: left.confidenceSum + right.confidenceSum,
  });
  const stack: Block[] = [];
  const settle = (block: Block) => {
    let current = block;
    while (stack.length > 0) {
      const previous = stack[stack.length - 1]!;
      const tooSmall = previous.count < minimum;
      // Equal confidences always share a block, so the curve is a function of the confidence.
      const sameConfidence = previous.confidenceSum / previous.count === current.confidenceSum / current.count;
      if (!tooSmall && !sameConfidence && smoothedAccuracy(previous) < smoothedAccuracy(current)) break;
      current = merge(stack.pop()!, current);
    }
    stack.push(current);
  };
  for (const index of order) settle({ count: 1, rightSum: correct[index] ? 1 : 0, confidenceSum: confidences[index]! });
  // The last block may still be small: fold it into the one before, then restore the order.
  while (stack.length > 1 && stack[stack.length - 1]!.count < minimum) {
    const last = stack.pop()!;
    settle(merge(stack.pop()!, last));
  }
  const x = stack.map((block) => block.confidenceSum / block.count);
  const y = stack.map(smoothedAccuracy);
  // Ends drawn to the corners (0, 0) and (1, 1) instead of flat: no ties among the lowest or the
  // highest confidences, so the map is strictly increasing and keeps the ranking.
  if (x[0]! > 0) {
    x.unshift(0);
    y.unshift(0);
  }
  if (x[x.length - 1]! < 1) {
    x.push(1);
    y.push(1);
  }
  return { method: 'isotonic', x, y };
}

export interface RecalibrationCrossValidation {
  method: RecalibrationMethod | 'none';
  /** ECE (15 equal-width bins, `expectedCalibrationError`) on each held-out fold. */
  foldEce: number[];
  meanEce: number;
  /** ECE of all held-out predictions together. */
  pooledEce: number;
}

export interface CrossValidationOptions {
  methods?: ReadonlyArray<RecalibrationMethod | 'none'>;
  folds?: number;
  seed?: number;
  minBlockSize?: number;
}

/**
 * K-fold cross-validation of each method on labelled predictions: fitted on k − 1 folds, ECE on the
 * held-out one (`none` = the confidence as is). Sorted best first by mean fold ECE; the first is
 * the method to fit on all rows. Folds are a seeded shuffle, stratified by right / wrong.
 */
export function crossValidateRecalibration(
  confidences: readonly number[],
  correct: readonly boolean[],
  options: CrossValidationOptions = {},
): RecalibrationCrossValidation[] {
  checkInputs(confidences, correct);
  const folds = options.folds ?? 5;
  const methods = options.methods ?? ['none', 'platt', 'beta', 'isotonic'];
  const fold = new Int32Array(confidences.length);
  let state = (options.seed ?? 42) >>> 0 || 1;
  const random = () => {
    // xorshift32: the folds depend on the seed only.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  for (const right of [true, false]) {
    const members = correct.flatMap((value, index) => (value === right ? [index] : []));
    for (let at = members.length - 1; at > 0; at -= 1) {
      const other = Math.floor(random() * (at + 1));
      [members[at], members[other]] = [members[other]!, members[at]!];
    }
    members.forEach((index, position) => (fold[index] = position % folds));
  }
  const results = methods.map((method) => {
    const foldEce: number[] = [];
    const pooledConfidences: number[] = [];
    const pooledCorrect: boolean[] = [];
    for (let held = 0; held < folds; held += 1) {
      const fitOn = confidences.flatMap((_, index) => (fold[index] !== held ? [index] : []));
      const testOn = confidences.flatMap((_, index) => (fold[index] === held ? [index] : []));
      if (testOn.length === 0) continue;
      const fitted =
        method === 'none'
          ? null
          : fitRecalibration(
              fitOn.map((index) => confidences[index]!),
              fitOn.map((index) => correct[index]!),
              { method, minBlockSize: options.minBlockSize },
            );
      const predicted = testOn.map((index) =>
        fitted ? applyRecalibration(fitted, confidences[index]!) : confidences[index]!,
      );
      const truth = testOn.map((index) => correct[index]!);
      foldEce.push(expectedCalibrationError(predicted, truth, 15));
      pooledConfidences.push(...predicted);
      pooledCorrect.push(...truth);
    }
    return {
      method,
      foldEce,
      meanEce: foldEce.reduce((sum, value) => sum + value, 0) / foldEce.length,
      pooledEce: expectedCalibrationError(pooledConfidences, pooledCorrect, 15),
    };
  });
  return results.sort((left, right) => left.meanEce - right.meanEce);
}

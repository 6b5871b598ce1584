/** The two small fits of the few-shot matcher, by damped Newton steps (a handful of parameters each). */

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function linear(weights: readonly number[], inputs: readonly number[]): number {
  let sum = 0;
  for (let index = 0; index < weights.length; index += 1) sum += weights[index]! * inputs[index]!;
  return sum;
}

/**
 * One held-out message for the conditional logit: its candidate rows (intents, or groups of
 * intents that share one evidence vector), each with `dimension` evidence values and a
 * multiplicity, and which row is the right intent. A row of multiplicity m stands for m intents
 * with that evidence: the intents the message shares nothing with are one all-zero row, so a
 * message costs its candidates, not the whole sheet.
 */
export interface LogitSample {
  rows: number;
  /** rows × dimension evidence values. */
  values: Float64Array;
  /** How many intents each row stands for. */
  weights: Float64Array;
  /** The row of the right intent (multiplicity 1). */
  target: number;
}

/**
 * Maximum-likelihood weights of a conditional logit (softmax over intents of θ·evidence), by damped
 * Newton steps with a small ridge; θ stays ≥ 0. With every multiplicity 1 this is the plain
 * softmax over the rows.
 */
export function fitConditionalLogit(samples: readonly LogitSample[], start: readonly number[]): number[] {
  const dimension = start.length;
  const ridge = 0.01;
  let widest = 0;
  for (const sample of samples) widest = Math.max(widest, sample.rows);
  const scores = new Float64Array(widest);
  const mean = new Float64Array(dimension);
  const pass = (theta: readonly number[], withDerivatives: boolean) => {
    let likelihood = 0;
    const gradient = new Array<number>(dimension).fill(0);
    const hessian = Array.from({ length: dimension }, () => new Array<number>(dimension).fill(0));
    for (const { rows, values, weights, target } of samples) {
      let max = -Infinity;
      for (let row = 0; row < rows; row += 1) {
        let score = 0;
        for (let feature = 0; feature < dimension; feature += 1)
          score += theta[feature]! * values[row * dimension + feature]!;
        scores[row] = score;
        if (score > max) max = score;
      }
      let total = 0;
      for (let row = 0; row < rows; row += 1) total += weights[row]! * (scores[row] = Math.exp(scores[row]! - max));
      likelihood += Math.log(Math.max(1e-300, scores[target]! / total));
      if (!withDerivatives) continue;
      mean.fill(0);
      for (let row = 0; row < rows; row += 1) {
        const share = (weights[row]! * scores[row]!) / total;
        for (let feature = 0; feature < dimension; feature += 1)
          mean[feature]! += share * values[row * dimension + feature]!;
      }
      for (let feature = 0; feature < dimension; feature += 1)
        gradient[feature]! += values[target * dimension + feature]! - mean[feature]!;
      for (let row = 0; row < rows; row += 1) {
        const p = scores[row]! / total;
        if (p < 1e-9) continue;
        const share = weights[row]! * p;
        for (let i = 0; i < dimension; i += 1) {
          const di = values[row * dimension + i]! - mean[i]!;
          const hessianRow = hessian[i]!;
          for (let j = 0; j < dimension; j += 1)
            hessianRow[j]! += share * di * (values[row * dimension + j]! - mean[j]!);
        }
      }
    }
    for (let feature = 0; feature < dimension; feature += 1) {
      likelihood -= 0.5 * ridge * theta[feature]! * theta[feature]!;
      gradient[feature]! -= ridge * theta[feature]!;
      hessian[feature]![feature]! += ridge;
    }
    return { likelihood, gradient, hessian };
  };
  let theta = [...start];
  let current = pass(theta, true);
  for (let iteration = 0; iteration < 20; iteration += 1) {
    const step = solve(current.hessian, current.gradient);
    if (!step) break;
    let accepted = false;
    for (let scale = 1, halving = 0; halving < 20; halving += 1, scale /= 2) {
      const candidate = theta.map((value, i) => Math.max(0, value + scale * step[i]!));
      const next = pass(candidate, false);
      if (next.likelihood > current.likelihood + 1e-9) {
        const gain = next.likelihood - current.likelihood;
        theta = candidate;
        current = pass(theta, true);
        accepted = gain > 1e-4 * samples.length;
        break;
      }
    }
    if (!accepted) break;
  }
  return theta;
}

/** Weighted logistic regression by damped Newton steps on few inputs (with a small ridge). */
export function fitLogistic(
  rows: ReadonlyArray<{ x: number[]; y: number; weight: number }>,
  start: readonly number[],
): number[] {
  const dimension = start.length;
  let weights = [...start];
  const ridge = 1e-2;
  const objective = (candidate: readonly number[]) => {
    let sum = 0;
    for (const row of rows) {
      const z = linear(candidate, row.x);
      // log-likelihood of a logistic model, computed without overflow
      sum += row.weight * (row.y * z - (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))));
    }
    for (const value of candidate) sum -= 0.5 * ridge * value * value;
    return sum;
  };
  let current = objective(weights);
  for (let iteration = 0; iteration < 50; iteration += 1) {
    const gradient = new Array<number>(dimension).fill(0);
    const hessian = Array.from({ length: dimension }, () => new Array<number>(dimension).fill(0));
    for (const row of rows) {
      const p = sigmoid(linear(weights, row.x));
      const w = row.weight;
      for (let i = 0; i < dimension; i += 1) {
        gradient[i]! += w * (row.y - p) * row.x[i]!;
        for (let j = 0; j < dimension; j += 1) hessian[i]![j]! += w * p * (1 - p) * row.x[i]! * row.x[j]!;
      }
    }
    for (let i = 0; i < dimension; i += 1) {
      gradient[i]! -= ridge * weights[i]!;
      hessian[i]![i]! += ridge;
    }
    const step = solve(hessian, gradient);
    if (!step) break;
    let scale = 1;
    let improved = false;
    for (let halving = 0; halving < 30; halving += 1, scale /= 2) {
      const candidate = weights.map((value, i) => value + scale * step[i]!);
      const value = objective(candidate);
      if (value >= current) {
        improved = value - current > 1e-9;
        weights = candidate;
        current = value;
        break;
      }
    }
    if (!improved) break;
  }
  return weights;
}

/** Gaussian elimination with partial pivoting; null when singular. */
function solve(matrix: number[][], vector: number[]): number[] | null {
  const n = vector.length;
  const a = matrix.map((row, index) => [...row, vector[index]!]);
  for (let column = 0; column < n; column += 1) {
    let pivot = column;
    for (let row = column + 1; row < n; row += 1)
      if (Math.abs(a[row]![column]!) > Math.abs(a[pivot]![column]!)) pivot = row;
    if (Math.abs(a[pivot]![column]!) < 1e-12) return null;
    [a[column], a[pivot]] = [a[pivot]!, a[column]!];
    for (let row = 0; row < n; row += 1) {
      if (row === column) continue;
      const factor = a[row]![column]! / a[column]![column]!;
      for (let k = column; k <= n; k += 1) a[row]![k]! -= factor * a[column]![k]!;
    }
  }
  return a.map((row, index) => row[n]! / row[index]!);
}

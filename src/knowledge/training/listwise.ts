// A linear ranker trained with the listwise softmax loss: for each query, the probability mass the
// softmax over its candidates puts on the relevant ones is maximised (Adam, L2). This optimises the
// top of the list directly, which is what Recall@1 measures.

import { lcg } from './seeded-random.js';

export interface Group {
  rows: Float64Array[];
  relevant: boolean[];
}

export interface LinearRanker {
  weights: Float64Array;
}

export function fitListwise(
  groups: readonly Group[],
  options: { epochs?: number; learningRate?: number; l2?: number; batch?: number; seed?: number } = {},
): LinearRanker {
  const dimensions = groups[0]?.rows[0]?.length ?? 0;
  const epochs = options.epochs ?? 40;
  const learningRate = options.learningRate ?? 0.05;
  const l2 = options.l2 ?? 1e-4;
  const batch = options.batch ?? 64;
  const weights = new Float64Array(dimensions);
  const m = new Float64Array(dimensions);
  const v = new Float64Array(dimensions);
  let step = 0;
  const random = lcg(options.seed ?? 11);
  const order = groups.map((_, index) => index);
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    for (let index = order.length - 1; index > 0; index -= 1) {
      const other = Math.floor(random() * (index + 1));
      [order[index], order[other]] = [order[other]!, order[index]!];
    }
    for (let start = 0; start < order.length; start += batch) {
      const gradient = new Float64Array(dimensions);
      const end = Math.min(order.length, start + batch);
      for (let position = start; position < end; position += 1)
        accumulateGradient(groups[order[position]!]!, weights, gradient);
      step += 1;
      for (let d = 0; d < dimensions; d += 1) {
        const g = gradient[d]! / (end - start) + l2 * weights[d]!;
        m[d] = 0.9 * m[d]! + 0.1 * g;
        v[d] = 0.999 * v[d]! + 0.001 * g * g;
        const mHat = m[d]! / (1 - 0.9 ** step);
        const vHat = v[d]! / (1 - 0.999 ** step);
        weights[d]! -= (learningRate * mHat) / (Math.sqrt(vHat) + 1e-8);
      }
    }
  }
  return { weights };
}

function accumulateGradient(group: Group, weights: Float64Array, gradient: Float64Array): void {
  const scores = group.rows.map((row) => dot(weights, row));
  const max = Math.max(...scores);
  const exp = scores.map((score) => Math.exp(score - max));
  const total = exp.reduce((a, b) => a + b, 0);
  let relevantMass = 0;
  group.relevant.forEach((relevant, index) => {
    if (relevant) relevantMass += exp[index]!;
  });
  if (relevantMass === 0) return;
  group.rows.forEach((row, index) => {
    const coefficient = exp[index]! / total - (group.relevant[index] ? exp[index]! / relevantMass : 0);
    for (let d = 0; d < row.length; d += 1) gradient[d]! += coefficient * row[d]!;
  });
}

export function dot(weights: Float64Array, row: Float64Array): number {
  let total = 0;
  for (let d = 0; d < row.length; d += 1) total += weights[d]! * row[d]!;
  return total;
}

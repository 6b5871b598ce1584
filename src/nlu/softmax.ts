import type { SparseVector } from './features.js';
import { Random } from './random.js';
import { addQuantizedRows, addWeightedRows } from './sparse-rows.js';

/** A multinomial logistic-regression model over sparse features: weights are feature-major (feature × class). */
export interface LinearModel {
  dimensions: number;
  classes: number;
  weights: Float32Array;
  bias: Float32Array;
  /** Inference form loaded from an artifact: int8 rows with one scale per feature (weights is then empty). */
  quantized?: { weights: Int8Array; scales: Float32Array };
}

export interface SoftmaxTrainingOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  /** Per-example weights (e.g. to balance an out-of-scope class). */
  sampleWeights?: Float32Array;
  onEpoch?: (epoch: number) => void;
}

const GRADIENT_FLOOR = 1e-3;

/** Logits of one sparse vector into `out` (length = classes). */
export function linearScores(model: LinearModel, vector: SparseVector, out: Float32Array): Float32Array {
  const { classes, weights, bias } = model;
  out.set(bias);
  if (model.quantized)
    addQuantizedRows(out, model.quantized.weights, model.quantized.scales, classes, vector.indices, vector.values);
  else addWeightedRows(out, weights, classes, vector.indices, vector.values);
  return out;
}

/** In-place softmax of logits divided by temperature. */
export function softmaxInPlace(logits: Float32Array | Float64Array, temperature = 1): void {
  let max = -Infinity;
  for (let index = 0; index < logits.length; index += 1) if (logits[index] > max) max = logits[index];
  let sum = 0;
  for (let index = 0; index < logits.length; index += 1) {
    const value = Math.exp((logits[index] - max) / temperature);
    logits[index] = value;
    sum += value;
  }
  for (let index = 0; index < logits.length; index += 1) logits[index] /= sum;
}

/** Most competing classes remembered per example between full passes. */
const MAX_CANDIDATES = 12;
const CANDIDATE_FLOOR = 1e-3;

/**
 * Trains softmax regression with SGD and lazily applied L2 decay via a global scale factor
 * (Bottou's trick), so each step touches only the example's non-zero features.
 *
 * Candidate classes: a full pass (all classes) runs in the first two epochs, every fourth epoch
 * and the last one; it records, per example, the classes with probability ≥ 1e-3 (at most 12,
 * always including the true one). The passes in between compute the softmax over those
 * candidates only; the classes left out had a negligible probability and so a negligible
 * gradient. With 77–150 intents this makes most epochs several times cheaper.
 */
export function trainSoftmax(
  vectors: readonly SparseVector[],
  labels: Int32Array,
  classes: number,
  dimensions: number,
  options: SoftmaxTrainingOptions,
): LinearModel {
  const weights = new Float32Array(dimensions * classes);
  const bias = new Float32Array(classes);
  const random = new Random(options.seed);
  const order = Int32Array.from(vectors, (_, index) => index);
  const probabilities = new Float64Array(classes);
  const active = new Int32Array(classes);
  const activeGradient = new Float64Array(classes);
  const candidateLimit = Math.min(MAX_CANDIDATES, classes);
  const candidates = new Int32Array(vectors.length * candidateLimit);
  const candidateCounts = new Uint8Array(vectors.length);
  const candidateScores = new Float64Array(candidateLimit);
  let scale = 1;
  let step = 0;
  const { learningRate, l2, epochs } = options;
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    const full = classes <= candidateLimit * 2 || epoch < 2 || epoch === epochs - 1 || epoch % 4 === 0;
    random.shuffle(order);
    for (const exampleIndex of order) {
      const vector = vectors[exampleIndex];
      const label = labels[exampleIndex];
      const rate = learningRate / (1 + learningRate * l2 * step);
      step += 1;
      const { indices, values } = vector;
      const exampleWeight = options.sampleWeights ? options.sampleWeights[exampleIndex] : 1;
      let activeCount = 0;
      if (full) {
        for (let c = 0; c < classes; c += 1) probabilities[c] = bias[c];
        addWeightedRows(probabilities, weights, classes, indices, values, scale);
        softmaxInPlace(probabilities);
        // Remember the competing classes (largest probabilities first is not needed: all ≥ floor, capped).
        const candidateBase = exampleIndex * candidateLimit;
        candidates[candidateBase] = label;
        let count = 1;
        for (let c = 0; c < classes; c += 1) {
          if (c === label || probabilities[c] < CANDIDATE_FLOOR) continue;
          if (count < candidateLimit) {
            candidates[candidateBase + count] = c;
            count += 1;
          } else {
            // Replace the weakest remembered competitor if this one is stronger.
            let weakest = 1;
            for (let k = 2; k < count; k += 1)
              if (probabilities[candidates[candidateBase + k]] < probabilities[candidates[candidateBase + weakest]])
                weakest = k;
            if (probabilities[c] > probabilities[candidates[candidateBase + weakest]])
              candidates[candidateBase + weakest] = c;
          }
        }
        candidateCounts[exampleIndex] = count;
        probabilities[label] -= 1;
        for (let c = 0; c < classes; c += 1) {
          const gradient = probabilities[c];
          if (gradient > GRADIENT_FLOOR || gradient < -GRADIENT_FLOOR) {
            active[activeCount] = c;
            activeGradient[activeCount] = gradient;
            activeCount += 1;
          }
        }
      } else {
        const candidateBase = exampleIndex * candidateLimit;
        const count = candidateCounts[exampleIndex];
        for (let k = 0; k < count; k += 1) candidateScores[k] = bias[candidates[candidateBase + k]];
        for (let slot = 0; slot < indices.length; slot += 1) {
          const value = values[slot] * scale;
          const base = indices[slot] * classes;
          for (let k = 0; k < count; k += 1)
            candidateScores[k] += value * weights[base + candidates[candidateBase + k]];
        }
        let max = -Infinity;
        for (let k = 0; k < count; k += 1) if (candidateScores[k] > max) max = candidateScores[k];
        let sum = 0;
        for (let k = 0; k < count; k += 1) {
          candidateScores[k] = Math.exp(candidateScores[k] - max);
          sum += candidateScores[k];
        }
        for (let k = 0; k < count; k += 1) {
          const c = candidates[candidateBase + k];
          const gradient = candidateScores[k] / sum - (c === label ? 1 : 0);
          if (gradient > GRADIENT_FLOOR || gradient < -GRADIENT_FLOOR) {
            active[activeCount] = c;
            activeGradient[activeCount] = gradient;
            activeCount += 1;
          }
        }
      }
      scale *= 1 - rate * l2;
      const stepSize = (rate * exampleWeight) / scale;
      for (let slot = 0; slot < indices.length; slot += 1) {
        const factor = stepSize * values[slot];
        const base = indices[slot] * classes;
        for (let a = 0; a < activeCount; a += 1) weights[base + active[a]] -= factor * activeGradient[a];
      }
      for (let a = 0; a < activeCount; a += 1) bias[active[a]] -= rate * exampleWeight * activeGradient[a];
      if (scale < 1e-4) {
        for (let index = 0; index < weights.length; index += 1) weights[index] *= scale;
        scale = 1;
      }
    }
    options.onEpoch?.(epoch);
  }
  for (let index = 0; index < weights.length; index += 1) weights[index] *= scale;
  return { dimensions, classes, weights, bias };
}

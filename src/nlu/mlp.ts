import type { SparseVector } from './features.js';
import { Random } from './random.js';
import { addQuantizedRows, addWeightedRows } from './sparse-rows.js';

/**
 * A one-hidden-layer perceptron over sparse TF-IDF features: ReLU hidden units, softmax output.
 * W1 is feature-major (feature × hidden), W2 hidden-major (hidden × class).
 */
export interface MlpModel {
  dimensions: number;
  hidden: number;
  classes: number;
  inputWeights: Float32Array;
  hiddenBias: Float32Array;
  outputWeights: Float32Array;
  outputBias: Float32Array;
  /** Inference form loaded from an artifact: int8 input rows with one scale per feature (inputWeights is then empty). */
  quantizedInput?: { weights: Int8Array; scales: Float32Array };
}

export interface MlpTrainingOptions {
  hidden: number;
  epochs: number;
  learningRate: number;
  dropout: number;
  /** Share of an example's input features dropped at each step (word dropout, as in deep averaging networks). */
  inputDropout?: number;
  seed: number;
  sampleWeights?: Float32Array;
  onEpoch?: (epoch: number) => void;
}

const GRADIENT_FLOOR = 1e-4;

/** Logits of one sparse vector into `out`; `hidden` is scratch of length model.hidden. */
export function mlpScores(
  model: MlpModel,
  vector: SparseVector,
  hidden: Float32Array,
  out: Float32Array,
): Float32Array {
  const { hidden: size, classes, inputWeights, hiddenBias, outputWeights, outputBias } = model;
  hidden.set(hiddenBias);
  if (model.quantizedInput)
    addQuantizedRows(
      hidden,
      model.quantizedInput.weights,
      model.quantizedInput.scales,
      size,
      vector.indices,
      vector.values,
    );
  else addWeightedRows(hidden, inputWeights, size, vector.indices, vector.values);
  out.set(outputBias);
  for (let unit = 0; unit < size; unit += 1) {
    const activation = hidden[unit];
    if (activation <= 0) continue;
    const base = unit * classes;
    for (let label = 0; label < classes; label += 1) out[label] += activation * outputWeights[base + label];
  }
  return out;
}

/**
 * SGD with a linearly decaying learning rate and dropout on the hidden layer. Each step touches
 * only the example's feature rows, the active hidden units and the classes with a non-negligible
 * gradient, which keeps a Banking77-sized epoch around a second in plain JavaScript.
 */
export function trainMlp(
  vectors: readonly SparseVector[],
  labels: Int32Array,
  classes: number,
  dimensions: number,
  options: MlpTrainingOptions,
): MlpModel {
  const size = options.hidden;
  const random = new Random(options.seed);
  const inputWeights = new Float32Array(dimensions * size);
  const outputWeights = new Float32Array(size * classes);
  const hiddenBias = new Float32Array(size);
  const outputBias = new Float32Array(classes);
  const inputScale = 0.1;
  const outputScale = Math.sqrt(1 / size);
  for (let index = 0; index < inputWeights.length; index += 1)
    inputWeights[index] = (random.next() * 2 - 1) * inputScale;
  for (let index = 0; index < outputWeights.length; index += 1)
    outputWeights[index] = (random.next() * 2 - 1) * outputScale;
  const hidden = new Float32Array(size);
  const hiddenGradient = new Float32Array(size);
  const activeUnits = new Int32Array(size);
  const probabilities = new Float64Array(classes);
  const activeClasses = new Int32Array(classes);
  const classGradient = new Float64Array(classes);
  const order = Int32Array.from(vectors, (_, index) => index);
  const keep = 1 - options.dropout;
  const inputKeep = 1 - (options.inputDropout ?? 0);
  let longest = 0;
  for (const vector of vectors) longest = Math.max(longest, vector.indices.length);
  const keptIndices = new Int32Array(longest);
  const keptValues = new Float32Array(longest);
  const total = options.epochs * vectors.length;
  let dropoutState = (options.seed * 2654435761) >>> 0 || 1;
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    random.shuffle(order);
    for (const exampleIndex of order) {
      const rate = options.learningRate * (1 - step / total) + 1e-4;
      step += 1;
      const source = vectors[exampleIndex];
      let indices = source.indices;
      let values = source.values;
      if (inputKeep < 1 && indices.length > 1) {
        let kept = 0;
        for (let slot = 0; slot < source.indices.length; slot += 1) {
          dropoutState ^= dropoutState << 13;
          dropoutState ^= dropoutState >>> 17;
          dropoutState ^= dropoutState << 5;
          if ((dropoutState >>> 0) / 4294967296 < inputKeep) {
            keptIndices[kept] = source.indices[slot];
            keptValues[kept] = source.values[slot] / inputKeep;
            kept += 1;
          }
        }
        if (kept > 0) {
          indices = keptIndices.subarray(0, kept);
          values = keptValues.subarray(0, kept);
        }
      }
      const exampleWeight = options.sampleWeights ? options.sampleWeights[exampleIndex] : 1;
      hidden.set(hiddenBias);
      addWeightedRows(hidden, inputWeights, size, indices, values);
      let activeCount = 0;
      for (let unit = 0; unit < size; unit += 1) {
        dropoutState ^= dropoutState << 13;
        dropoutState ^= dropoutState >>> 17;
        dropoutState ^= dropoutState << 5;
        const kept = (dropoutState >>> 0) / 4294967296 < keep;
        if (hidden[unit] > 0 && kept) {
          hidden[unit] /= keep;
          activeUnits[activeCount] = unit;
          activeCount += 1;
        }
      }
      for (let label = 0; label < classes; label += 1) probabilities[label] = outputBias[label];
      for (let a = 0; a < activeCount; a += 1) {
        const unit = activeUnits[a];
        const activation = hidden[unit];
        const base = unit * classes;
        for (let label = 0; label < classes; label += 1)
          probabilities[label] += activation * outputWeights[base + label];
      }
      let max = -Infinity;
      for (let label = 0; label < classes; label += 1) if (probabilities[label] > max) max = probabilities[label];
      let sum = 0;
      for (let label = 0; label < classes; label += 1) {
        probabilities[label] = Math.exp(probabilities[label] - max);
        sum += probabilities[label];
      }
      let classCount = 0;
      for (let label = 0; label < classes; label += 1) {
        const gradient = (probabilities[label] / sum - (label === labels[exampleIndex] ? 1 : 0)) * exampleWeight;
        if (gradient > GRADIENT_FLOOR || gradient < -GRADIENT_FLOOR) {
          activeClasses[classCount] = label;
          classGradient[classCount] = gradient;
          classCount += 1;
        }
      }
      for (let label = 0; label < classCount; label += 1)
        outputBias[activeClasses[label]] -= rate * classGradient[label];
      for (let a = 0; a < activeCount; a += 1) {
        const unit = activeUnits[a];
        const activation = hidden[unit];
        const base = unit * classes;
        let gradient = 0;
        for (let k = 0; k < classCount; k += 1) {
          const position = base + activeClasses[k];
          gradient += classGradient[k] * outputWeights[position];
          outputWeights[position] -= rate * activation * classGradient[k];
        }
        hiddenGradient[a] = gradient / keep;
        hiddenBias[unit] -= rate * hiddenGradient[a];
      }
      for (let slot = 0; slot < indices.length; slot += 1) {
        const factor = rate * values[slot];
        const base = indices[slot] * size;
        for (let a = 0; a < activeCount; a += 1) inputWeights[base + activeUnits[a]] -= factor * hiddenGradient[a];
      }
    }
    options.onEpoch?.(epoch);
  }
  return { dimensions, hidden: size, classes, inputWeights, hiddenBias, outputWeights, outputBias };
}

/**
 * A small multinomial logistic regression over character n-grams and Latin words, written here
 * (no model download, no native code). Trained in a fraction of a second on the hand-over corpus
 * when the guard is first used; classifying one message costs microseconds.
 */

/** The features of normalised text: Han characters, character 2–3-grams, Latin words and word pairs. */
export function extractFeatures(text: string): string[] {
  const features = new Set<string>();
  const padded = ` ${text.replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;
  const characters = Array.from(padded);
  for (let index = 0; index < characters.length; index += 1) {
    const a = characters[index]!;
    if (a !== ' ' && /\p{Script=Han}/u.test(a)) features.add(`u${a}`);
    const b = characters[index + 1];
    if (b === undefined) continue;
    if (a !== ' ' || b !== ' ') features.add(`b${a}${b}`);
    const c = characters[index + 2];
    if (c !== undefined) features.add(`t${a}${b}${c}`);
  }
  const words = text.match(/[a-z][a-z']*/g) ?? [];
  for (let index = 0; index < words.length; index += 1) {
    const word = stem(words[index]!);
    features.add(`w${word}`);
    if (index + 1 < words.length) features.add(`p${word} ${stem(words[index + 1]!)}`);
  }
  const digits = /\d/.test(text);
  if (digits) features.add('#digit');
  if (/[¥$€£]|\d\s*(?:元|块|万|千|百|rmb|yuan|usd|dollars?|hkd|twd|ntd)/.test(text)) features.add('#amount');
  return [...features];
}

function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 3 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

export interface TrainingRow {
  text: string;
  /** Class index (0 … classes − 1). */
  label: number;
  weight?: number;
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  seed?: number;
}

/** A trained model: a vocabulary and, per feature, one weight per class. */
export interface LinearModel {
  readonly classes: number;
  readonly vocabulary: ReadonlyMap<string, number>;
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

/** Trains the model with plain SGD on the softmax loss, rows shuffled each epoch with a fixed seed. */
export function trainModel(rows: readonly TrainingRow[], classes: number, options: TrainOptions = {}): LinearModel {
  const epochs = options.epochs ?? 18;
  const baseRate = options.learningRate ?? 0.4;
  const l2 = options.l2 ?? 1e-6;
  const vocabulary = new Map<string, number>();
  const encoded = rows.map((row) => {
    const ids: number[] = [];
    for (const feature of extractFeatures(row.text)) {
      let id = vocabulary.get(feature);
      if (id === undefined) {
        id = vocabulary.size;
        vocabulary.set(feature, id);
      }
      ids.push(id);
    }
    return { ids, label: row.label, weight: row.weight ?? 1, scale: 1 / Math.sqrt(Math.max(ids.length, 1)) };
  });
  const weights = new Float32Array(vocabulary.size * classes);
  const bias = new Float32Array(classes);
  const order = encoded.map((_, index) => index);
  const random = mulberry32(options.seed ?? 7);
  const scores = new Float64Array(classes);
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    for (let index = order.length - 1; index > 0; index -= 1) {
      const other = Math.floor(random() * (index + 1));
      [order[index], order[other]] = [order[other]!, order[index]!];
    }
    const rate = baseRate / (1 + epoch * 0.25);
    for (const position of order) {
      const row = encoded[position]!;
      score(weights, bias, classes, row.ids, row.scale, scores);
      softmaxInPlace(scores);
      for (let k = 0; k < classes; k += 1) {
        const gradient = (scores[k]! - (k === row.label ? 1 : 0)) * row.weight;
        if (Math.abs(gradient) < 1e-6) continue;
        bias[k] = bias[k]! - rate * gradient * 0.1;
        const step = rate * gradient * row.scale;
        for (const id of row.ids) {
          const at = id * classes + k;
          weights[at] = weights[at]! * (1 - rate * l2) - step;
        }
      }
    }
  }
  return { classes, vocabulary, weights, bias };
}

/** Class probabilities of normalised text. */
export function predict(model: LinearModel, text: string): Float64Array {
  const ids: number[] = [];
  const features = extractFeatures(text);
  for (const feature of features) {
    const id = model.vocabulary.get(feature);
    if (id !== undefined) ids.push(id);
  }
  const scores = new Float64Array(model.classes);
  score(model.weights, model.bias, model.classes, ids, 1 / Math.sqrt(Math.max(features.length, 1)), scores);
  return softmaxInPlace(scores);
}

function score(
  weights: Float32Array,
  bias: Float32Array,
  classes: number,
  ids: readonly number[],
  scale: number,
  out: Float64Array,
): void {
  for (let k = 0; k < classes; k += 1) out[k] = bias[k]!;
  for (const id of ids) {
    const base = id * classes;
    for (let k = 0; k < classes; k += 1) out[k] = out[k]! + weights[base + k]! * scale;
  }
}

function softmaxInPlace(scores: Float64Array): Float64Array {
  let max = -Infinity;
  for (const value of scores) if (value > max) max = value;
  let sum = 0;
  for (let k = 0; k < scores.length; k += 1) {
    scores[k] = Math.exp(scores[k]! - max);
    sum += scores[k]!;
  }
  for (let k = 0; k < scores.length; k += 1) scores[k] = scores[k]! / sum;
  return scores;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

import type { Jieba } from '@node-rs/jieba';
import { tokenize } from '../text/index.js';

/** Which n-grams the featurizer emits; stored in the artifact so a loaded model featurizes the same way. */
export interface FeatureConfig {
  /** Word n-grams up to this order (1 or 2). */
  wordMaxN: number;
  /** Character n-grams of Latin words, padded with spaces (sklearn's char_wb). */
  charMinN: number;
  charMaxN: number;
  /** Character n-grams of Han runs (1..hanMaxN). */
  hanMaxN: number;
  /** Multiplier for the character block relative to the word block before L2 normalisation. */
  charWeight: number;
  /** Latin character n-grams over the whole text (crossing word boundaries) instead of per word. */
  charSpan: boolean;
  /** Porter-stem English words. */
  stem: boolean;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = { wordMaxN: 2, charMinN: 2, charMaxN: 4, hanMaxN: 3, charWeight: 1, charSpan: true, stem: true };

const HAN_RUN = /\p{Script=Han}+/gu;
const LATIN_WORD = /[a-z0-9]+/g;

/**
 * Feature strings of an already-normalised text. Prefixes keep the blocks apart: `w` words, `b` word
 * bigrams, `c` Latin character n-grams, `h` Han character n-grams.
 */
export function featureStrings(normalized: string, config: FeatureConfig, jieba: Jieba): { words: string[]; chars: string[] } {
  const words: string[] = [];
  const chars: string[] = [];
  const tokens = tokenize(normalized, { jieba, stem: config.stem });
  for (const token of tokens) words.push('w' + token);
  if (config.wordMaxN >= 2) {
    if (tokens.length > 0) {
      words.push('b^ ' + tokens[0]);
      words.push('b' + tokens[tokens.length - 1] + ' $');
    }
    for (let index = 1; index < tokens.length; index += 1) words.push('b' + tokens[index - 1] + ' ' + tokens[index]);
  }
  const latinWords = Array.from(normalized.matchAll(LATIN_WORD), (match) => match[0]);
  const pieces = config.charSpan ? (latinWords.length > 0 ? [latinWords.join(' ')] : []) : latinWords;
  for (const piece of pieces) {
    const padded = ' ' + piece + ' ';
    for (let n = config.charMinN; n <= config.charMaxN; n += 1) {
      if (padded.length < n) break;
      for (let start = 0; start + n <= padded.length; start += 1) chars.push('c' + padded.slice(start, start + n));
    }
  }
  for (const match of normalized.matchAll(HAN_RUN)) {
    const run = Array.from(match[0]);
    for (let n = 1; n <= config.hanMaxN; n += 1) {
      for (let start = 0; start + n <= run.length; start += 1) chars.push('h' + run.slice(start, start + n).join(''));
    }
  }
  return { words, chars };
}

function isCharFeature(feature: string): boolean {
  return feature[0] === 'c' || feature[0] === 'h';
}

/** A vocabulary of feature strings with inverse document frequencies, fixed at training time. */
export class Vocabulary {
  readonly index: Map<string, number>;
  readonly idf: Float32Array;
  readonly isChar: Uint8Array;

  /** Word features come first: indices below wordCount are words and word bigrams. */
  readonly wordCount: number;

  constructor(readonly features: readonly string[], idf: Float32Array) {
    this.index = new Map(features.map((feature, position) => [feature, position]));
    this.idf = idf;
    this.isChar = Uint8Array.from(features, (feature) => (isCharFeature(feature) ? 1 : 0));
    let wordCount = 0;
    while (wordCount < features.length && this.isChar[wordCount] === 0) wordCount += 1;
    for (let position = wordCount; position < features.length; position += 1) {
      if (this.isChar[position] === 0) throw new Error('vocabulary is not ordered words-first');
    }
    this.wordCount = wordCount;
  }

  get size(): number {
    return this.features.length;
  }

  /** Builds the vocabulary from documents' feature strings; keeps features seen in ≥ minCount documents. */
  static build(documents: ReadonlyArray<{ words: string[]; chars: string[] }>, minCount = 1): Vocabulary {
    const documentFrequency = new Map<string, number>();
    for (const document of documents) {
      const seen = new Set([...document.words, ...document.chars]);
      for (const feature of seen) documentFrequency.set(feature, (documentFrequency.get(feature) ?? 0) + 1);
    }
    const features: string[] = [];
    const idfValues: number[] = [];
    const total = documents.length;
    for (const wantChar of [false, true]) {
      for (const [feature, count] of documentFrequency) {
        if (count < minCount || isCharFeature(feature) !== wantChar) continue;
        features.push(feature);
        idfValues.push(Math.log((1 + total) / (1 + count)) + 1);
      }
    }
    return new Vocabulary(features, Float32Array.from(idfValues));
  }
}

/** A sparse L2-normalised TF-IDF vector (indices ascending is not required). */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/** Reusable scratch for vectorize (avoids a Map per call on the hot path). */
export class VectorizeScratch {
  readonly counts: Float32Array;
  readonly touched: Int32Array;
  constructor(dimensions: number, maxTouched = 4096) {
    this.counts = new Float32Array(dimensions);
    this.touched = new Int32Array(maxTouched);
  }
}

/** Sublinear TF × IDF over the known features, the character block scaled by charWeight, then L2-normalised. */
export function vectorize(
  strings: { words: string[]; chars: string[] },
  vocabulary: Vocabulary,
  charWeight: number,
  scratch?: VectorizeScratch,
): SparseVector {
  const work = scratch && scratch.counts.length === vocabulary.size ? scratch : new VectorizeScratch(vocabulary.size, strings.words.length + strings.chars.length);
  const { counts, touched } = work;
  let touchedCount = 0;
  for (const block of [strings.words, strings.chars]) {
    for (const feature of block) {
      const position = vocabulary.index.get(feature);
      if (position === undefined) continue;
      if (counts[position] === 0) {
        if (touchedCount === touched.length) continue;
        touched[touchedCount] = position;
        touchedCount += 1;
      }
      counts[position] += 1;
    }
  }
  const indices = new Int32Array(touchedCount);
  const values = new Float32Array(touchedCount);
  let norm = 0;
  for (let slot = 0; slot < touchedCount; slot += 1) {
    const position = touched[slot];
    let value = (1 + Math.log(counts[position])) * vocabulary.idf[position];
    counts[position] = 0;
    if (vocabulary.isChar[position] === 1) value *= charWeight;
    indices[slot] = position;
    values[slot] = value;
    norm += value * value;
  }
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let index = 0; index < values.length; index += 1) values[index] *= scale;
  }
  return { indices, values };
}

/** The word block of a vector on its own (indices < wordCount), re-normalised; for the MLP member. */
export function wordPart(vector: SparseVector, wordCount: number): SparseVector {
  let count = 0;
  for (let slot = 0; slot < vector.indices.length; slot += 1) if (vector.indices[slot] < wordCount) count += 1;
  const indices = new Int32Array(count);
  const values = new Float32Array(count);
  let norm = 0;
  let target = 0;
  for (let slot = 0; slot < vector.indices.length; slot += 1) {
    if (vector.indices[slot] >= wordCount) continue;
    indices[target] = vector.indices[slot];
    values[target] = vector.values[slot];
    norm += values[target] * values[target];
    target += 1;
  }
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let slot = 0; slot < count; slot += 1) values[slot] *= scale;
  }
  return { indices, values };
}

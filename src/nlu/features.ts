import type { Jieba } from '@node-rs/jieba';
import { stemmer } from 'stemmer';
import { tokenize } from '../text/index.js';

/** Which n-grams the featurizer emits; stored in the artifact so a loaded model featurizes the same way. */
export interface FeatureConfig {
  /** Word n-grams up to this order (1 or 2). */
  wordMaxN: number;
  /** Character n-grams of the Latin text (charMinN..charMaxN). */
  charMinN: number;
  charMaxN: number;
  /** Character n-grams of Han runs (1..hanMaxN). */
  hanMaxN: number;
  /** Multiplier for the character block relative to the word block before L2 normalisation. */
  charWeight: number;
  /** Latin character n-grams over the whole Latin text (crossing word boundaries) instead of per word. */
  charSpan: boolean;
  /** Porter-stem English words. */
  stem: boolean;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  wordMaxN: 2,
  charMinN: 2,
  charMaxN: 4,
  hanMaxN: 3,
  charWeight: 1,
  charSpan: true,
  stem: true,
};

/**
 * Features are 32-bit hashes (FNV-1a over UTF-16 code units, one seed per kind) computed without
 * building n-gram strings: the hot path allocates almost nothing. With tens of thousands of
 * features per tenant, a collision between two real features is a ~1-in-10 event per model and
 * merges two rare features; it does not matter at this scale.
 */
export interface FeatureHashes {
  words: number[];
  chars: number[];
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 16777619;
const SEED_WORD = 0x1b873593;
const SEED_BIGRAM = 0x5bd1e995;
const SEED_LATIN = 0x27d4eb2f;
const SEED_HAN = 0x165667b1;

function hashString(text: string, seed: number): number {
  let hash = (FNV_OFFSET ^ seed) >>> 0;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), FNV_PRIME);
  return hash | 0;
}

function combineHashes(left: number, right: number): number {
  let hash = Math.imul(left ^ SEED_BIGRAM, 0x85ebca6b) ^ right;
  hash = Math.imul(hash ^ (hash >>> 16), 0xc2b2ae35);
  return (hash ^ (hash >>> 13)) | 0;
}

const stemCache = new Map<string, string>();
function stemWord(word: string): string {
  let stem = stemCache.get(word);
  if (stem === undefined) {
    stem = stemmer(word);
    if (stemCache.size > 50_000) stemCache.clear();
    stemCache.set(word, stem);
  }
  return stem;
}

const HAN = /\p{Script=Han}/u;
const LATIN_WORD = /[a-z0-9]+/g;

function isHanCode(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0xf900 && code <= 0xfaff);
}

/** Word (uni/bi-gram) and character n-gram hashes of already-normalised text. */
export function featureHashes(normalized: string, config: FeatureConfig, jieba: Jieba): FeatureHashes {
  const words: number[] = [];
  const chars: number[] = [];
  const tokens = tokenize(normalized, { jieba, stem: false });
  const tokenHashes: number[] = [];
  for (const token of tokens) {
    const word = config.stem && /^[a-z]+$/.test(token) ? stemWord(token) : token;
    const hash = hashString(word, SEED_WORD);
    tokenHashes.push(hash);
    words.push(hash);
  }
  if (config.wordMaxN >= 2 && tokenHashes.length > 0) {
    words.push(combineHashes(SEED_WORD, tokenHashes[0]));
    words.push(combineHashes(tokenHashes[tokenHashes.length - 1], SEED_WORD));
    for (let index = 1; index < tokenHashes.length; index += 1)
      words.push(combineHashes(tokenHashes[index - 1], tokenHashes[index]));
  }
  // Latin character n-grams, over ' word word ' (span) or ' word ' (per word).
  if (config.charMaxN >= config.charMinN) {
    const latinWords = normalized.match(LATIN_WORD);
    if (latinWords) {
      const pieces = config.charSpan ? [latinWords.join(' ')] : latinWords;
      for (const piece of pieces) {
        const padded = ' ' + piece + ' ';
        for (let start = 0; start < padded.length; start += 1) {
          let hash = (FNV_OFFSET ^ SEED_LATIN) >>> 0;
          for (let n = 1; n <= config.charMaxN && start + n <= padded.length; n += 1) {
            hash = Math.imul(hash ^ padded.charCodeAt(start + n - 1), FNV_PRIME);
            if (n >= config.charMinN) chars.push(hash | 0);
          }
        }
      }
    }
  }
  // Han character n-grams within each run of Han characters.
  if (config.hanMaxN > 0 && HAN.test(normalized)) {
    let runStart = -1;
    for (let index = 0; index <= normalized.length; index += 1) {
      const inRun = index < normalized.length && isHanCode(normalized.charCodeAt(index));
      if (inRun && runStart < 0) runStart = index;
      if (!inRun && runStart >= 0) {
        for (let start = runStart; start < index; start += 1) {
          let hash = (FNV_OFFSET ^ SEED_HAN) >>> 0;
          for (let n = 1; n <= config.hanMaxN && start + n <= index; n += 1) {
            hash = Math.imul(hash ^ normalized.charCodeAt(start + n - 1), FNV_PRIME);
            chars.push(hash | 0);
          }
        }
        runStart = -1;
      }
    }
  }
  return { words, chars };
}

/**
 * An open-addressing hash table from feature hash to feature index on typed arrays: lookups do not
 * allocate (a JS Map would box hashes outside the small-integer range).
 */
export class FeatureIndex {
  private readonly keys: Int32Array;
  private readonly values: Int32Array;
  private readonly mask: number;

  constructor(hashes: Int32Array) {
    let size = 16;
    while (size < hashes.length * 2) size *= 2;
    this.keys = new Int32Array(size);
    this.values = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let position = 0; position < hashes.length; position += 1) {
      let slot = this.slotOf(hashes[position]);
      while (this.values[slot] !== -1 && this.keys[slot] !== hashes[position]) slot = (slot + 1) & this.mask;
      if (this.values[slot] === -1) {
        this.keys[slot] = hashes[position];
        this.values[slot] = position;
      }
    }
  }

  private slotOf(hash: number): number {
    return (Math.imul(hash, 0x9e3779b1) >>> 7) & this.mask;
  }

  /** The feature's index, or -1. */
  get(hash: number): number {
    let slot = this.slotOf(hash);
    for (;;) {
      const value = this.values[slot];
      if (value === -1) return -1;
      if (this.keys[slot] === hash) return value;
      slot = (slot + 1) & this.mask;
    }
  }

  has(hash: number): boolean {
    return this.get(hash) !== -1;
  }
}

/** The features kept at training time (word features first), with inverse document frequencies. */
export class Vocabulary {
  readonly index: FeatureIndex;
  /** Indices below wordCount are word features; the rest are character features. */
  readonly wordCount: number;

  constructor(
    readonly hashes: Int32Array,
    readonly idf: Float32Array,
    wordCount: number,
  ) {
    this.index = new FeatureIndex(hashes);
    this.wordCount = wordCount;
  }

  get size(): number {
    return this.hashes.length;
  }

  /** Builds the vocabulary from documents' feature hashes (features seen in ≥ minCount documents). */
  static build(documents: readonly FeatureHashes[], minCount = 1): Vocabulary {
    const wordFrequency = new Map<number, number>();
    const charFrequency = new Map<number, number>();
    const seen = new Set<number>();
    for (const document of documents) {
      seen.clear();
      for (const hash of document.words) {
        if (seen.has(hash)) continue;
        seen.add(hash);
        wordFrequency.set(hash, (wordFrequency.get(hash) ?? 0) + 1);
      }
      for (const hash of document.chars) {
        if (seen.has(hash)) continue;
        seen.add(hash);
        charFrequency.set(hash, (charFrequency.get(hash) ?? 0) + 1);
      }
    }
    const hashes: number[] = [];
    const idf: number[] = [];
    const total = documents.length;
    for (const [hash, count] of wordFrequency) {
      if (count < minCount) continue;
      hashes.push(hash);
      idf.push(Math.log((1 + total) / (1 + count)) + 1);
    }
    const wordCount = hashes.length;
    for (const [hash, count] of charFrequency) {
      if (count < minCount || wordFrequency.has(hash)) continue;
      hashes.push(hash);
      idf.push(Math.log((1 + total) / (1 + count)) + 1);
    }
    return new Vocabulary(Int32Array.from(hashes), Float32Array.from(idf), wordCount);
  }
}

/** A sparse L2-normalised TF-IDF vector. */
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
  hashes: FeatureHashes,
  vocabulary: Vocabulary,
  charWeight: number,
  scratch?: VectorizeScratch,
): SparseVector {
  const work =
    scratch && scratch.counts.length === vocabulary.size
      ? scratch
      : new VectorizeScratch(vocabulary.size, hashes.words.length + hashes.chars.length);
  const { counts, touched } = work;
  const { index, idf, wordCount } = vocabulary;
  let touchedCount = 0;
  for (const block of [hashes.words, hashes.chars]) {
    for (let slot = 0; slot < block.length; slot += 1) {
      const position = index.get(block[slot]);
      if (position < 0) continue;
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
    let value = (1 + Math.log(counts[position])) * idf[position];
    counts[position] = 0;
    if (position >= wordCount) value *= charWeight;
    indices[slot] = position;
    values[slot] = value;
    norm += value * value;
  }
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let slot = 0; slot < values.length; slot += 1) values[slot] *= scale;
  }
  return { indices, values };
}

/** The word block of a vector on its own (indices < wordCount), re-normalised; for the MLP and kNN members. */
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

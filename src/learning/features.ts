import { normalizeText, tokenize } from '../text/index.js';

/**
 * Sparse TF-IDF features of short customer messages, Chinese first: jieba words (and word
 * bigrams) plus Han character unigrams/bigrams for Chinese; Porter-stemmed words (and bigrams)
 * plus character 3–5-grams inside word boundaries for English. Traditional input is folded to
 * Simplified by normalizeText, so the three scripts share one vocabulary.
 */

export interface SparseRow {
  indices: Int32Array;
  values: Float32Array;
}

export interface SparseMatrix {
  rows: SparseRow[];
  columns: number;
}

export interface FeatureOptions {
  /** Weight of the word block relative to the character block (default 1). */
  wordWeight?: number;
  /** Weight of the character n-gram block (default 0.8). */
  charWeight?: number;
  /** Drop features seen in fewer documents (default 2; 1 when there are fewer than 200 messages). */
  minDf?: number;
  /** Drop features seen in more than this share of documents (default 0.5). */
  maxDfShare?: number;
}

const HAN = /\p{Script=Han}/u;
const HAN_RUNS = /\p{Script=Han}+/gu;
const LATIN_WORDS = /[a-z0-9]+/g;

/** Raw (unweighted) feature strings of one message, words prefixed `w:` and characters `c:`. */
export function messageFeatures(text: string): { words: string[]; chars: string[] } {
  const normalized = normalizeText(text).text;
  const tokens = tokenize(normalized).filter((token) => token.length > 0);
  const words: string[] = [];
  const meaningful = tokens.filter((token) => !(token.length === 1 && !HAN.test(token) && !/\d/.test(token)));
  for (const token of meaningful) words.push(`w:${token}`);
  for (let i = 0; i + 1 < meaningful.length; i++) words.push(`b:${meaningful[i]}_${meaningful[i + 1]}`);
  const chars: string[] = [];
  for (const run of normalized.match(HAN_RUNS) ?? []) {
    const characters = [...run];
    for (const character of characters) chars.push(`h:${character}`);
    for (let i = 0; i + 1 < characters.length; i++) chars.push(`h:${characters[i]}${characters[i + 1]}`);
  }
  for (const word of normalized.match(LATIN_WORDS) ?? []) {
    const padded = `<${word}>`;
    for (let size = 3; size <= 5; size++)
      for (let i = 0; i + size <= padded.length; i++) chars.push(`l:${padded.slice(i, i + size)}`);
  }
  return { words, chars };
}

/**
 * TF-IDF matrix (sublinear tf, smoothed idf), each block L2-normalised then weighted, each row
 * L2-normalised. Features outside [minDf, maxDfShare] are dropped.
 */
export function tfidfMatrix(texts: readonly string[], options: FeatureOptions = {}): SparseMatrix {
  const wordWeight = options.wordWeight ?? 1;
  const charWeight = options.charWeight ?? 0.8;
  const minDf = options.minDf ?? (texts.length < 200 ? 1 : 2);
  const maxDf = Math.max(minDf, Math.floor((options.maxDfShare ?? 0.5) * texts.length));
  const documents = texts.map((text) => messageFeatures(text));
  const df = new Map<string, number>();
  for (const { words, chars } of documents)
    for (const feature of new Set([...words, ...chars])) df.set(feature, (df.get(feature) ?? 0) + 1);
  const vocabulary = new Map<string, number>();
  const idf: number[] = [];
  for (const [feature, count] of df) {
    if (count < minDf || count > maxDf) continue;
    vocabulary.set(feature, vocabulary.size);
    idf.push(Math.log((1 + texts.length) / (1 + count)) + 1);
  }
  const block = (features: readonly string[], weight: number, out: Map<number, number>) => {
    const counts = new Map<number, number>();
    for (const feature of features) {
      const index = vocabulary.get(feature);
      if (index !== undefined) counts.set(index, (counts.get(index) ?? 0) + 1);
    }
    let norm = 0;
    const weighted = new Map<number, number>();
    for (const [index, count] of counts) {
      const value = (1 + Math.log(count)) * idf[index]!;
      weighted.set(index, value);
      norm += value * value;
    }
    norm = Math.sqrt(norm);
    if (norm === 0) return;
    for (const [index, value] of weighted) out.set(index, (out.get(index) ?? 0) + (value / norm) * weight);
  };
  const rows = documents.map(({ words, chars }): SparseRow => {
    const values = new Map<number, number>();
    block(words, wordWeight, values);
    block(chars, charWeight, values);
    const entries = [...values.entries()].sort((a, b) => a[0] - b[0]);
    let norm = 0;
    for (const [, value] of entries) norm += value * value;
    norm = Math.sqrt(norm) || 1;
    return {
      indices: Int32Array.from(entries.map(([index]) => index)),
      values: Float32Array.from(entries.map(([, value]) => value / norm)),
    };
  });
  return { rows, columns: vocabulary.size };
}

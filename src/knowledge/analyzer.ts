import type { Jieba } from '@node-rs/jieba';
import { defaultJieba, normalizeText, tokenize } from '../text/index.js';

/** The terms retrieval indexes for one text, by signal. */
export interface AnalyzedText {
  /** Normalised text (Simplified, half-width, lower case). */
  normalized: string;
  /** jieba words for Han runs, Porter-stemmed words for Latin runs. */
  words: string[];
  /** Han character bigrams (and single characters of one-character runs): robust to segmentation differences. */
  grams: string[];
  /** Han characters, for the similarity features. */
  characters: string[];
}

const HAN_RUN = /\p{Script=Han}+/gu;

/**
 * Words and character n-grams of a text. jieba's segmentation of a short question often differs
 * from that of its paraphrase (微粒贷 vs 微粒 贷), so a character-bigram signal runs beside the word
 * signal; both are built on the shared normalizeText/tokenize of src/text.
 */
export function analyzeText(text: string, jieba: Jieba = defaultJieba()): AnalyzedText {
  const normalized = normalizeText(text).text;
  const words = tokenize(normalized, { jieba });
  const grams: string[] = [];
  const characters: string[] = [];
  for (const match of normalized.matchAll(HAN_RUN)) {
    const run = Array.from(match[0]);
    characters.push(...run);
    if (run.length === 1) grams.push(run[0]!);
    for (let index = 0; index + 1 < run.length; index += 1) grams.push(run[index]! + run[index + 1]!);
  }
  return { normalized, words, grams, characters };
}

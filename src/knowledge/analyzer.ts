import type { Jieba } from '@node-rs/jieba';
import { defaultJieba, normalizeText, tokenize } from '../text/index.js';
import { synonymFeaturesOf } from '../fewshot/cedict-synonyms.js';

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

/** `KEFU_RETRIEVAL_SYNONYMS=on` adds CC-CEDICT synonym classes to the word terms (off by default). */
function retrievalSynonyms(): boolean {
  const setting = process.env.KEFU_RETRIEVAL_SYNONYMS?.trim().toLowerCase();
  return setting === 'on' || setting === '1' || setting === 'true';
}

/**
 * Words and character n-grams of a text. jieba's segmentation of a short question often differs
 * from that of its paraphrase (微粒贷 vs 微粒 贷), so a character-bigram signal runs beside the word
 * signal; both are built on the shared normalizeText/tokenize of src/text.
 */
export function analyzeText(text: string, jieba: Jieba = defaultJieba()): AnalyzedText {
  const normalized = normalizeText(text).text;
  const words = tokenize(normalized, { jieba });
  if (retrievalSynonyms()) {
    // CC-CEDICT synonym classes as extra word terms (opt-in, docs/fewshot.md): 早饭 also indexes ~breakfast.
    const added: string[] = [];
    for (const word of words)
      for (const feature of synonymFeaturesOf(word))
        added.push(feature.startsWith('s:') ? `~${feature.slice(2)}` : feature.slice(2));
    words.push(...added);
  }
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

import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { stemmer } from 'stemmer';

let sharedJieba: Jieba | undefined;

/** The process-wide jieba instance with the default dictionary (loaded once, ~100 ms). */
export function defaultJieba(): Jieba {
  sharedJieba ??= Jieba.withDict(dict);
  return sharedJieba;
}

/**
 * A jieba instance with a tenant's user dictionary added (lines `word [freq] [tag]`, as in
 * jieba's userdict.txt).
 */
export function jiebaWithUserDictionary(lines: readonly string[]): Jieba {
  const jieba = Jieba.withDict(dict);
  const text = lines.map((line) => line.trim()).filter((line) => line.length > 0 && !line.startsWith('#')).join('\n');
  if (text.length > 0) jieba.loadDict(Buffer.from(text, 'utf8'));
  return jieba;
}

export interface TokenizeOptions {
  jieba?: Jieba;
  /** Porter-stem Latin words (default true). */
  stem?: boolean;
}

const HAN_RUN = /\p{Script=Han}+/u;
const SEGMENT = /(\p{Script=Han}+)|([a-z0-9]+(?:[.'][a-z0-9]+)*)/giu;

/**
 * Word tokens of already-normalised text: jieba for Han runs, letters/digits runs for the rest
 * (Porter-stemmed). Punctuation, emoji and whitespace are dropped.
 */
export function tokenize(normalized: string, options: TokenizeOptions = {}): string[] {
  const jieba = options.jieba ?? defaultJieba();
  const stem = options.stem ?? true;
  const tokens: string[] = [];
  for (const match of normalized.matchAll(SEGMENT)) {
    const [, han, latin] = match;
    if (han !== undefined && HAN_RUN.test(han)) {
      for (const word of jieba.cut(han, true)) if (word.trim().length > 0) tokens.push(word);
    } else if (latin !== undefined) {
      const word = latin.toLowerCase();
      tokens.push(stem && /^[a-z]+$/.test(word) ? stemmer(word) : word);
    }
  }
  return tokens;
}

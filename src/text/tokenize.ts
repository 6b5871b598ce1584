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
 * jieba's userdict.txt). Lines are cleaned first: control characters removed, a frequency that is
 * not a whole number dropped (with its tag), so one bad line in a tenant pack cannot make jieba
 * reject the whole dictionary.
 */
export function jiebaWithUserDictionary(lines: readonly string[]): Jieba {
  const text = lines
    .map((line) => sanitizeDictionaryLine(String(line)))
    .filter((line): line is string => line !== null)
    .join('\n');
  // One instance per dictionary while anything uses it: each costs ~35 MB of native memory and
  // ~300 ms to build, and a tenant's classifier and retrieval index ask for the same one.
  const shared = byDictionary.get(text)?.deref();
  if (shared) return shared;
  const jieba = Jieba.withDict(dict);
  if (text.length > 0) jieba.loadDict(Buffer.from(text, 'utf8'));
  byDictionary.set(text, new WeakRef(jieba));
  released.register(jieba, text);
  return jieba;
}

const byDictionary = new Map<string, WeakRef<Jieba>>();
const released = new FinalizationRegistry<string>((text) => {
  if (byDictionary.get(text)?.deref() === undefined) byDictionary.delete(text);
});

function sanitizeDictionaryLine(line: string): string | null {
  const cleaned = line.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  if (cleaned.length === 0 || cleaned.startsWith('#')) return null;
  const [word, frequency, tag] = cleaned.split(/\s+/);
  if (frequency === undefined || !/^\d+$/.test(frequency)) return word;
  return tag !== undefined && /^[a-z]+$/i.test(tag) ? `${word} ${frequency} ${tag}` : `${word} ${frequency}`;
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

import { readFileSync } from 'node:fs';
import { pinyin } from 'pinyin-pro';
import type { Jieba } from '@node-rs/jieba';
import { tokenize } from '../text/index.js';
import { synonymFeaturesOf } from './cedict-synonyms.js';

/** Kinds of sparse features a message is described by, each with its own weight. */
export const FEATURE_KINDS = ['word', 'han1', 'han2', 'pinyin2', 'latin3', 'synonym'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

/** Relative weight of each feature kind in the similarity (tuned by leave-one-phrasing-out on travel-zh train). */
export type FeatureWeights = Record<FeatureKind, number>;

export const DEFAULT_FEATURE_WEIGHTS: FeatureWeights = {
  word: 1,
  han1: 0.25,
  han2: 0.8,
  pinyin2: 0.6,
  latin3: 0.5,
  synonym: 0.25,
};

const HAN = /\p{Script=Han}/u;
const HAN_RUNS = /\p{Script=Han}+/gu;
const LATIN_WORDS = /[a-z]+/g;

// Words that carry no topic in a customer question (they only add noise to short phrasings).
const STOP_WORDS = new Set([
  '的',
  '了',
  '吗',
  '呢',
  '吧',
  '啊',
  '呀',
  '么',
  '嘛',
  '哦',
  '哈',
  '是',
  '我',
  '我们',
  '你',
  '你们',
  '您',
  '请问',
  '一下',
  '想',
  '要',
  '能',
  '可以',
  '怎么',
  '怎么办',
  '如何',
  '什么',
  '吗',
  '请',
  '在',
  '和',
  '有',
  '就',
  '还',
  '也',
  '都',
  '这',
  '那',
  '个',
  '会',
  '把',
  '给',
  '让',
  '被',
  '如果',
  '的话',
  '问',
  '问下',
  '问问',
  'the',
  'a',
  'an',
  'i',
  'my',
  'to',
  'is',
  'do',
  'can',
  'you',
  'how',
  'what',
  'of',
  'for',
  'it',
  'in',
  'on',
  'me',
  'be',
  'are',
  'doe',
]);

const pinyinCache = new Map<string, string>();

/** Toneless pinyin of one Han character (its most common reading), cached. */
function syllableOf(character: string): string {
  let syllable = pinyinCache.get(character);
  if (syllable === undefined) {
    syllable = pinyin(character, { toneType: 'none', type: 'array' })[0] ?? character;
    pinyinCache.set(character, syllable);
  }
  return syllable;
}

function readDataLines(name: string): string[] {
  return readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}

let glossary: { pattern: RegExp; translations: Map<string, string> } | undefined;

/** English customer-service words → Chinese (data/english-glossary.txt), loaded once. */
function englishGlossary() {
  if (!glossary) {
    const translations = new Map<string, string>();
    for (const line of readDataLines('english-glossary.txt')) {
      const [english, chinese] = line.split('\t');
      if (english && chinese) translations.set(english.trim(), chinese.trim());
    }
    const alternatives = [...translations.keys()]
      .sort((a, b) => b.length - a.length)
      .map((key) => key.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'));
    glossary = { pattern: new RegExp(`(?<![a-z])(?:${alternatives.join('|')})(?![a-z])`, 'g'), translations };
  }
  return glossary;
}

/** The built-in generic out-of-scope messages (data/background-oos.txt) that calibrate declines. */
export function defaultBackground(): string[] {
  return readDataLines('background-oos.txt');
}

/** Appends the Chinese for English customer-service words, so mixed messages meet Chinese phrasings. */
export function withTranslations(normalized: string): string {
  if (!/[a-z]/.test(normalized)) return normalized;
  const { pattern, translations } = englishGlossary();
  const added: string[] = [];
  for (const match of normalized.matchAll(pattern)) added.push(translations.get(match[0])!);
  return added.length === 0 ? normalized : `${normalized} ${added.join(' ')}`;
}

export interface FeatureOptions {
  /**
   * Add CC-CEDICT synonym classes (`s:` features): a Chinese word's shared glosses, and an English
   * word's gloss class or its one Chinese translation, so 早饭 meets 早餐 and "luggage" meets 行李.
   */
  synonyms?: boolean;
}

/** Sparse bag of `kind:feature` strings with counts, from already-normalised text. */
export function extractFeatures(input: string, jieba?: Jieba, options: FeatureOptions = {}): Map<string, number> {
  const normalized = withTranslations(input);
  const bag = new Map<string, number>();
  const add = (key: string) => bag.set(key, (bag.get(key) ?? 0) + 1);
  for (const word of tokenize(normalized, jieba ? { jieba } : {})) {
    if (STOP_WORDS.has(word) || /^\d+$/.test(word)) continue;
    add(`w:${word}`);
    if (options.synonyms) for (const feature of synonymFeaturesOf(word)) add(feature);
  }
  for (const match of normalized.matchAll(HAN_RUNS)) {
    const run = match[0];
    const syllables: string[] = [];
    for (let index = 0; index < run.length; index += 1) {
      const character = run[index]!;
      if (!HAN.test(character)) continue;
      add(`h1:${character}`);
      syllables.push(syllableOf(character));
      if (index + 1 < run.length) add(`h2:${run.slice(index, index + 2)}`);
    }
    for (let index = 0; index + 1 < syllables.length; index += 1) add(`p2:${syllables[index]} ${syllables[index + 1]}`);
  }
  for (const match of normalized.matchAll(LATIN_WORDS)) {
    const padded = ` ${match[0]} `;
    if (match[0].length < 3) continue;
    for (let index = 0; index + 3 <= padded.length; index += 1) add(`l3:${padded.slice(index, index + 3)}`);
  }
  return bag;
}

/** The kind of a feature key made by `extractFeatures`. */
export function kindOf(key: string): FeatureKind {
  switch (key.charCodeAt(0)) {
    case 119: // w
      return 'word';
    case 112: // p
      return 'pinyin2';
    case 108: // l
      return 'latin3';
    case 115: // s
      return 'synonym';
    default:
      return key.charCodeAt(1) === 49 ? 'han1' : 'han2';
  }
}

import { normalizeText } from '../../text/index.js';

/**
 * The guard reads a message the way a person would, whatever was done to slip past it: NFKC
 * (full-width and compatibility forms), format characters removed (zero-width spaces and joiners,
 * soft hyphens, bidirectional controls), accents dropped from Latin letters, Cyrillic and Greek
 * look-alikes mapped to Latin, leetspeak inside words (k1ll → kill), letters spaced out one by one
 * (k i l l, 自 杀) joined, long runs of one character shortened, then the shared normalisation
 * (src/text: Traditional → Simplified, half-width, lower case, whitespace collapsed).
 * Huge messages are bounded first, so the cost stays linear in a fixed budget.
 */

/** Characters of a message the guard reads at most: the head and the tail of anything longer. */
export const MAX_GUARD_CHARS = 12_000;
const TAIL_CHARS = 3_000;

const FORMAT_CHARACTERS =
  /[\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0]|\p{Variation_Selector}|\u034f|\u17b4|\u17b5/gu;
const COMBINING_MARK = /\p{Mn}/gu;

/** Cyrillic and Greek letters that look like Latin ones (lower case; input is lower-cased first). */
const HOMOGLYPHS: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ɡ: 'g',
  ӏ: 'l',
  ո: 'n',
  ս: 'u',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  ł: 'l',
  ø: 'o',
  ß: 'ss',
  đ: 'd',
  ı: 'i',
};
const HOMOGLYPH = new RegExp(`[${Object.keys(HOMOGLYPHS).join('')}]`, 'g');

const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
};
/** A word mixing letters with digits or symbols that stand for letters. */
const LEET_WORD = /[a-z0-9@$!|]*[a-z][a-z0-9@$!|]*/g;
const LEET_CHARACTER = /[013457@$!|]/;

/** Single Han characters separated by spaces or filler symbols: 自 杀, 自.杀, 自*杀. */
const SPACED_HAN = /(\p{Script=Han})[\s·•.\-_*~|/\\+^`'"]+(?=\p{Script=Han})/gu;
/** Three or more single Latin letters separated by spaces or dots: k i l l, s.u.i.c.i.d.e. */
const SPACED_LATIN = /\b[a-z](?:[\s.\-_*]+[a-z]\b){2,}/g;
const LONG_RUN = /(.)\1{2,}/gsu;

export interface GuardText {
  /** The normalised text the rules and the classifier read. */
  text: string;
  /** The message was longer than the guard reads; its middle was left out. */
  truncated: boolean;
}

/** Bounds, de-obfuscates and normalises a customer message for the guard. */
export function normalizeForGuard(raw: string): GuardText {
  const input = typeof raw === 'string' ? raw : String(raw ?? '');
  const truncated = input.length > MAX_GUARD_CHARS;
  const bounded = truncated
    ? `${input.slice(0, MAX_GUARD_CHARS - TAIL_CHARS)} ${input.slice(input.length - TAIL_CHARS)}`
    : input;
  let text = bounded.normalize('NFKC').replace(FORMAT_CHARACTERS, '');
  // Accents off Latin letters only (NFD of Han and kana is a no-op; Hangul recombines under NFKC).
  if (/[\u00c0-\u024f\u1e00-\u1eff]/.test(text))
    text = text.normalize('NFD').replace(COMBINING_MARK, '').normalize('NFKC');
  text = text.toLowerCase();
  if (HOMOGLYPH.test(text)) text = text.replace(HOMOGLYPH, (character) => HOMOGLYPHS[character] ?? character);
  HOMOGLYPH.lastIndex = 0;
  text = text.replace(LEET_WORD, deLeet);
  text = text.replace(SPACED_LATIN, (run) => run.replace(/[\s.\-_*]+/g, ''));
  text = text.replace(SPACED_HAN, '$1');
  text = text.replace(LONG_RUN, '$1$1');
  return { text: normalizeText(text).text, truncated };
}

function deLeet(word: string): string {
  if (!LEET_CHARACTER.test(word) || /^[a-z]*\d+$/.test(word)) return word;
  // Only a symbol with a letter on each side stands for a letter: k1ll, mys3lf, su1c1de, but not
  // iphone15, 4g, 5gb or 12315.
  let out = '';
  for (let index = 0; index < word.length; index += 1) {
    const character = word[index]!;
    const replacement = LEET[character];
    if (
      replacement !== undefined &&
      /[a-z]/.test(word[index - 1] ?? '') &&
      /[a-z0-9@$!|]/.test(word[index + 1] ?? '')
    ) {
      const next = word.slice(index + 1).match(/^[0-9@$!|]*[a-z]/);
      out += next ? replacement : character;
    } else out += character;
  }
  return out;
}

import { toHalfWidth, toSimplifiedChinese } from '../../text/index.js';

/**
 * Text as the style checker reads it: Simplified, half-width, lower case, with zero-width and
 * control characters dropped and look-alike letters (Cyrillic а, Greek ο, …) read as Latin, so a
 * phrase cannot slip past the guide by a change of script or an invisible character. Every
 * UTF-16 unit of the folded text remembers the span of the original it came from, so a match is
 * reported, and fixed, in the text as written.
 */
export interface FoldedText {
  text: string;
  /** For each unit of `text`: where its source character starts in the original. */
  starts: number[];
  /** For each unit of `text`: where its source character ends in the original. */
  ends: number[];
}

const INVISIBLE = /^[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2060-\u2064\ufeff]$/;

// Letters that render like Latin ones; a reply written with them reads the same to a customer.
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  һ: 'h',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  А: 'a',
  В: 'b',
  Е: 'e',
  К: 'k',
  М: 'm',
  Н: 'h',
  О: 'o',
  Р: 'p',
  С: 'c',
  Т: 't',
  Х: 'x',
  У: 'y',
  І: 'i',
  α: 'a',
  ο: 'o',
  ρ: 'p',
  ν: 'v',
  τ: 't',
  ι: 'i',
  κ: 'k',
  Α: 'a',
  Β: 'b',
  Ε: 'e',
  Ζ: 'z',
  Η: 'h',
  Ι: 'i',
  Κ: 'k',
  Μ: 'm',
  Ν: 'n',
  Ο: 'o',
  Ρ: 'p',
  Τ: 't',
  Υ: 'y',
  Χ: 'x',
  // Taiwan's feminine "you", which OpenCC keeps as it is.
  妳: '你',
};

const foldCache = new Map<string, string>();

function foldCharacter(character: string): string {
  const cached = foldCache.get(character);
  if (cached !== undefined) return cached;
  let folded: string;
  if (INVISIBLE.test(character)) folded = '';
  else {
    const half = toHalfWidth(character);
    folded = (HOMOGLYPHS[half] ?? toSimplifiedChinese(half)).toLowerCase();
    // Conversion that changes a character's length would break the offsets only in rare forms; keep those as they are.
    if (folded.length === 0) folded = half.toLowerCase();
  }
  if (foldCache.size < 20_000) foldCache.set(character, folded);
  return folded;
}

/** Folds `original` character by character (see {@link FoldedText}). */
export function foldText(original: string): FoldedText {
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let index = 0;
  for (const character of original) {
    const folded = foldCharacter(character);
    for (let unit = 0; unit < folded.length; unit += 1) {
      starts.push(index);
      ends.push(index + character.length);
    }
    text += folded;
    index += character.length;
  }
  return { text, starts, ends };
}

/** The span of the original that the folded span [start, end) came from. */
export function originalSpan(folded: FoldedText, start: number, end: number): { start: number; end: number } {
  if (folded.starts.length === 0) return { start: 0, end: 0 };
  const first = Math.min(start, folded.starts.length - 1);
  const last = Math.max(first, Math.min(end, folded.ends.length) - 1);
  return { start: folded.starts[first], end: folded.ends[last] };
}

/** Folds a phrase the way message text is folded, for matching. */
export function foldPhrase(phrase: string): string {
  return foldText(phrase).text;
}

/**
 * A recogniser-friendly view of a message that keeps a map back to the original offsets:
 * full-width ASCII becomes half-width, mathematical and other decimal digits become ASCII digits,
 * dashes become '-', zero-width and soft-hyphen characters disappear (they are how a number slips
 * past a pattern), and a run of seven or more Chinese numerals (一三八…) reads as digits.
 */
export interface FoldedText {
  text: string;
  /** Original UTF-16 start of each folded character. */
  starts: number[];
  /** Original UTF-16 end (exclusive) of each folded character. */
  ends: number[];
}

const INVISIBLE = new Set([0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2060, 0xfeff, 0x00ad, 0x180e]);
const DASHES = new Set([0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xfe58, 0xfe63, 0xff0d, 0x30fc]);
const SPACES = new Set([0x3000, 0x00a0, 0x2002, 0x2003, 0x2009, 0x202f, 0x205f]);
const CHINESE_DIGITS: Record<string, string> = {
  零: '0',
  〇: '0',
  洞: '0',
  一: '1',
  幺: '1',
  二: '2',
  两: '2',
  兩: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  拐: '7',
  八: '8',
  九: '9',
  勾: '9',
};

function foldCodePoint(code: number): string | null {
  if (INVISIBLE.has(code)) return null;
  if (code >= 0xff01 && code <= 0xff5e) return String.fromCharCode(code - 0xfee0);
  if (SPACES.has(code)) return ' ';
  if (DASHES.has(code)) return '-';
  // Mathematical digits (𝟎–𝟿): five alphabets of ten.
  if (code >= 0x1d7ce && code <= 0x1d7ff) return String((code - 0x1d7ce) % 10);
  // Arabic-Indic, Extended Arabic-Indic, Devanagari and circled digits are rare but cheap.
  if (code >= 0x0660 && code <= 0x0669) return String(code - 0x0660);
  if (code >= 0x06f0 && code <= 0x06f9) return String(code - 0x06f0);
  if (code >= 0x2460 && code <= 0x2468) return String(code - 0x2460 + 1);
  if (code === 0x24ea) return '0';
  return null;
}

export function foldText(text: string): FoldedText {
  let folded = '';
  const starts: number[] = [];
  const ends: number[] = [];
  for (let index = 0; index < text.length;) {
    const code = text.codePointAt(index)!;
    const width = code > 0xffff ? 2 : 1;
    const replaced = foldCodePoint(code);
    if (replaced === null && INVISIBLE.has(code)) {
      index += width;
      continue;
    }
    const character = replaced ?? text.slice(index, index + width);
    for (let unit = 0; unit < character.length; unit += 1) {
      starts.push(index);
      ends.push(index + width);
    }
    folded += character;
    index += width;
  }
  folded = foldChineseNumeralRuns(folded);
  return { text: folded, starts, ends };
}

/** 一三八零零一三八零零零 → 13800138000, only in runs long enough to be a number, never in words. */
function foldChineseNumeralRuns(text: string): string {
  return text.replace(/[零〇洞一幺二两兩三四五六七拐八九勾]{7,}/g, (run) =>
    [...run].map((character) => CHINESE_DIGITS[character]).join(''),
  );
}

/** The original [start, end) of folded [start, end). */
export function originalRange(folded: FoldedText, start: number, end: number): [number, number] {
  return [folded.starts[start], folded.ends[end - 1]];
}

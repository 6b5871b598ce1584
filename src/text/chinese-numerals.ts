const DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  壹: 1,
  二: 2,
  贰: 2,
  两: 2,
  三: 3,
  叁: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};
const SMALL_UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const LARGE_UNITS: Record<string, number> = { 万: 1e4, 萬: 1e4, 亿: 1e8, 億: 1e8 };

/** Characters that may appear in a Chinese numeral (for building regular expressions). */
export const CHINESE_NUMERAL_CHARACTERS = '零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万萬亿億点點';

/** Parses the integer part of a Chinese numeral; NaN when it is not one. */
function parseInteger(text: string): number {
  if (text.length === 0) return NaN;
  // Digit by digit with no units (二〇二四 → 2024).
  if ([...text].every((character) => character in DIGITS)) {
    return text.length === 1 ? DIGITS[text] : Number([...text].map((character) => DIGITS[character]).join(''));
  }
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  let lastUnit = 0;
  let largestUnit = 0;
  const characters = [...text];
  for (let index = 0; index < characters.length; index += 1) {
    const character = characters[index];
    if (character in DIGITS) {
      digit = DIGITS[character];
    } else if (character in SMALL_UNITS) {
      const unit = SMALL_UNITS[character];
      section += (digit ?? 1) * unit;
      digit = null;
      lastUnit = unit;
    } else if (character in LARGE_UNITS) {
      const unit = LARGE_UNITS[character];
      section += digit ?? 0;
      // 一亿两千万: 万 below an earlier 亿 scales only its own section.
      if (unit >= largestUnit) total = (total + section) * unit;
      else total += section * unit;
      largestUnit = Math.max(largestUnit, unit);
      section = 0;
      digit = null;
      lastUnit = unit;
    } else {
      return NaN;
    }
  }
  if (digit !== null) {
    // Colloquial trailing digit: 两万三 = 23000, 一千二 = 1200 (but 一百零五 = 105).
    const previous = characters[characters.length - 2];
    const afterZero = previous === '零' || previous === '〇';
    if (!afterZero && lastUnit >= 10 && characters.length >= 2 && !(previous in DIGITS))
      section += digit * (lastUnit / 10);
    else section += digit;
  }
  return total + section;
}

/**
 * Parses a Chinese numeral, optionally mixed with Arabic digits: 一千二百 → 1200, 两万三 → 23000,
 * 一百零五 → 105, 三点五 → 3.5, 二〇二四 → 2024, 1.5万 → 15000. Returns NaN if the text is not a number.
 */
export function parseChineseNumber(text: string): number {
  const trimmed = text.trim();
  if (trimmed.length === 0) return NaN;
  const mixed = /^(\d+(?:\.\d+)?)([十拾百佰千仟万萬亿億]+)$/u.exec(trimmed);
  if (mixed) {
    let value = Number(mixed[1]);
    for (const character of mixed[2]) value *= SMALL_UNITS[character] ?? LARGE_UNITS[character];
    return value;
  }
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const [integerPart, fractionPart, ...rest] = trimmed.split(/[点點]/u);
  if (rest.length > 0) return NaN;
  const integer = integerPart.length === 0 ? 0 : parseInteger(integerPart);
  if (fractionPart === undefined) return integer;
  if (fractionPart.length === 0 || ![...fractionPart].every((character) => character in DIGITS)) return NaN;
  return Number(`${integer}.${[...fractionPart].map((character) => DIGITS[character]).join('')}`);
}

/**
 * Numbers as a speech synthesiser should say them, in Chinese and English. Pure functions: the
 * inverse of src/text/chinese-numerals.ts (which parses what customers type).
 */

const ZH_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
/** Digits read one by one (phone and order numbers): 1 is 幺 on the phone, so 1 and 7 never blur. */
const ZH_PHONE_DIGITS = ['零', '幺', '二', '三', '四', '五', '六', '七', '八', '九'];
const ZH_YEAR_DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const EN_ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A section below 10,000 (千百十个), with the zeros Chinese reads between non-zero digits. */
function zhSection(value: number): string {
  const units = ['', '十', '百', '千'];
  const digits = String(value).padStart(4, '0').split('').map(Number);
  let out = '';
  let pendingZero = false;
  digits.forEach((digit, index) => {
    const unit = units[3 - index]!;
    if (digit === 0) {
      if (out) pendingZero = true;
      return;
    }
    if (pendingZero) out += '零';
    pendingZero = false;
    out += ZH_DIGITS[digit]! + unit;
  });
  return out;
}

/** A non-negative integer in Chinese: 1079 → 一千零七十九, 12000 → 一万二千, 10 → 十. */
export function integerToChinese(value: number): string {
  if (!Number.isFinite(value) || value < 0) return String(value);
  const n = Math.floor(value);
  if (n === 0) return '零';
  if (n >= 1e16) return digitsToChinese(String(n));
  const sections: number[] = [];
  let rest = n;
  while (rest > 0) {
    sections.push(rest % 10000);
    rest = Math.floor(rest / 10000);
  }
  const bigUnits = ['', '万', '亿', '万亿'];
  let out = '';
  let zeroNeeded = false;
  for (let index = sections.length - 1; index >= 0; index--) {
    const section = sections[index]!;
    if (section === 0) {
      if (out) zeroNeeded = true;
      continue;
    }
    if (out && (zeroNeeded || section < 1000)) out += '零';
    zeroNeeded = false;
    out += zhSection(section) + bigUnits[index]!;
  }
  // 一十二 → 十二 at the start (but 一百一十二 keeps its 一十).
  return out.startsWith('一十') ? out.slice(1) : out;
}

/** A decimal number in Chinese: 3.5 → 三点五, 0.05 → 零点零五. */
export function decimalToChinese(text: string): string {
  const [whole = '0', fraction] = text.replace(/,/g, '').split('.');
  const head = integerToChinese(Number(whole));
  return fraction ? `${head}点${digitsToChinese(fraction, ZH_DIGITS)}` : head;
}

/** Digits one by one: 13800138000 → 幺三八零零幺三八零零零. */
export function digitsToChinese(digits: string, table: readonly string[] = ZH_PHONE_DIGITS): string {
  return digits.replace(/\d/g, (digit) => table[Number(digit)]!);
}

/** A year read digit by digit: 2026 → 二〇二六. */
export function yearToChinese(year: string): string {
  return digitsToChinese(year, ZH_YEAR_DIGITS);
}

/** An amount of yuan in Chinese money words: 1079.20 → 一千零七十九元二角, 5.05 → 五元零五分. */
export function yuanToChinese(amount: string): string {
  const [whole = '0', fraction = ''] = amount.replace(/[,，\s]/g, '').split('.');
  const jiao = Number(fraction[0] ?? '0');
  const fen = Number(fraction[1] ?? '0');
  let out = `${integerToChinese(Number(whole))}元`;
  if (jiao === 0 && fen === 0) return out;
  if (jiao > 0) out += `${ZH_DIGITS[jiao]}角`;
  else out += '零';
  if (fen > 0) out += `${ZH_DIGITS[fen]}分`;
  return out;
}

/** A non-negative integer in English words: 1079 → one thousand seventy-nine. */
export function integerToEnglish(value: number): string {
  const n = Math.floor(value);
  if (!Number.isFinite(n) || n < 0) return String(value);
  if (n < 20) return EN_ONES[n]!;
  if (n < 100) return EN_TENS[Math.floor(n / 10)]! + (n % 10 ? `-${EN_ONES[n % 10]}` : '');
  if (n < 1000) return `${EN_ONES[Math.floor(n / 100)]} hundred${n % 100 ? ` and ${integerToEnglish(n % 100)}` : ''}`;
  const scales: Array<[number, string]> = [
    [1e12, 'trillion'],
    [1e9, 'billion'],
    [1e6, 'million'],
    [1e3, 'thousand'],
  ];
  for (const [size, name] of scales) {
    if (n >= size) {
      const rest = n % size;
      const tail = rest === 0 ? '' : rest < 100 ? ` and ${integerToEnglish(rest)}` : ` ${integerToEnglish(rest)}`;
      return `${integerToEnglish(Math.floor(n / size))} ${name}${tail}`;
    }
  }
  return String(n);
}

/** A decimal in English: 3.5 → three point five. */
export function decimalToEnglish(text: string): string {
  const [whole = '0', fraction] = text.replace(/,/g, '').split('.');
  const head = integerToEnglish(Number(whole));
  return fraction ? `${head} point ${digitsToEnglish(fraction)}` : head;
}

/** Digits one by one: 138 → one three eight. */
export function digitsToEnglish(digits: string): string {
  return [...digits]
    .filter((char) => /\d/.test(char))
    .map((digit) => EN_ONES[Number(digit)]!)
    .join(' ');
}

/** Yuan in English: 1079.20 → one thousand seventy-nine yuan and twenty cents. */
export function yuanToEnglish(amount: string): string {
  const [whole = '0', fraction = ''] = amount.replace(/[,\s]/g, '').split('.');
  const cents = Number((fraction + '00').slice(0, 2));
  const yuan = `${integerToEnglish(Number(whole))} yuan`;
  return cents > 0 ? `${yuan} and ${integerToEnglish(cents)} cent${cents === 1 ? '' : 's'}` : yuan;
}

/** A year in English as people say it: 2026 → twenty twenty-six, 2000 → two thousand. */
export function yearToEnglish(year: number): string {
  if (year >= 2000 && year < 2010) return integerToEnglish(year);
  const high = Math.floor(year / 100);
  const low = year % 100;
  if (low === 0) return `${integerToEnglish(high)} hundred`;
  return `${integerToEnglish(high)} ${low < 10 ? `oh ${integerToEnglish(low)}` : integerToEnglish(low)}`;
}

/** An ordinal day in English: 25 → twenty-fifth. */
export function ordinalToEnglish(value: number): string {
  const words = integerToEnglish(value);
  const irregular: Record<string, string> = {
    one: 'first',
    two: 'second',
    three: 'third',
    five: 'fifth',
    eight: 'eighth',
    nine: 'ninth',
    twelve: 'twelfth',
  };
  return words.replace(/(\w+)$/, (last) => {
    if (irregular[last]) return irregular[last]!;
    if (last.endsWith('y')) return `${last.slice(0, -1)}ieth`;
    return `${last}th`;
  });
}

/** A calendar date in Chinese: 2026-11-25 → 二〇二六年十一月二十五日 (year optional). */
export function dateToChinese(year: string | undefined, month: number, day: number): string {
  return `${year ? `${yearToChinese(year)}年` : ''}${integerToChinese(month)}月${integerToChinese(day)}日`;
}

/** A calendar date in English: November twenty-fifth, twenty twenty-six. */
export function dateToEnglish(year: string | undefined, month: number, day: number): string {
  const name = EN_MONTHS[month - 1] ?? String(month);
  return `${name} ${ordinalToEnglish(day)}${year ? `, ${yearToEnglish(Number(year))}` : ''}`;
}

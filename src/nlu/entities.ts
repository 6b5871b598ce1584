import { CHINESE_NUMERAL_CHARACTERS, parseChineseNumber, toHalfWidth, toSimplifiedChinese } from '../text/index.js';

/** An entity found in a message; start/end are UTF-16 offsets into the original text. */
export interface Entity {
  type: 'order_number' | 'phone' | 'amount' | 'date' | 'card_last4' | 'email' | 'list' | 'regex';
  text: string;
  start: number;
  end: number;
  /** Normalised value: digits-only phone, upper-case order number, number for amounts, ISO date (YYYY-MM-DD or YYYY-MM). */
  value: string | number;
  /** Currency code for amounts (CNY, USD, …). */
  unit?: string;
  /** The list or regex name for tenant-defined entities. */
  name?: string;
}

export interface ExtractEntitiesOptions {
  /** Reference time for relative dates (default: now), read in the process's time zone. */
  now?: Date;
  /** Tenant lists: list name → canonical value → synonyms (the canonical value itself also matches). */
  lists?: Record<string, Record<string, string[]>>;
  /** Tenant regular expressions: name → pattern (case-insensitive; the first capture group, if any, is the value). */
  regexes?: Record<string, string>;
}

const NUMERAL = `[${CHINESE_NUMERAL_CHARACTERS}]+`;
const ARABIC = String.raw`\d+(?:,\d{3})*(?:\.\d+)?`;

const CURRENCY_WORDS: Array<[RegExp, string]> = [
  [/^(?:元|块钱|块|圆|人民币|rmb|cny|yuan)$/i, 'CNY'],
  [/^(?:美元|美金|usd|dollars?|bucks)$/i, 'USD'],
  [/^(?:欧元|eur|euros?)$/i, 'EUR'],
  [/^(?:英镑|gbp|pounds?)$/i, 'GBP'],
  [/^(?:港币|港元|hkd)$/i, 'HKD'],
  [/^(?:日元|jpy|yen)$/i, 'JPY'],
];
const CURRENCY_SYMBOLS: Array<[RegExp, string]> = [
  [/^(?:¥|rmb|cny)$/i, 'CNY'],
  [/^(?:hk\$|hkd)$/i, 'HKD'],
  [/^(?:us\$|\$|usd)$/i, 'USD'],
  [/^(?:€|eur)$/i, 'EUR'],
  [/^(?:£|gbp)$/i, 'GBP'],
];
const SUFFIX_WORDS = String.raw`块钱|元|块|圆|人民币|rmb|cny|yuan|美元|美金|usd|dollars?|bucks|欧元|eur|euros?|英镑|gbp|pounds?|港币|港元|hkd|日元|jpy|yen`;
const AMOUNT_SUFFIX = new RegExp(
  String.raw`(${ARABIC}|${NUMERAL})\s*([万千百亿]?)\s*(${SUFFIX_WORDS})(?![a-z])`,
  'giu',
);
const AMOUNT_PREFIX = new RegExp(
  String.raw`(hk\$|us\$|¥|\$|€|£|rmb|cny|usd|eur|gbp|hkd)\s*(${ARABIC})(?:\s*([万千kK])(?![a-z]))?`,
  'giu',
);

const EMAIL = /[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/gi;
const PHONE =
  /(?<![\d])(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?![\d])|(?<![\d])0\d{2,3}-\d{7,8}(?![\d])|(?<![\d])[48]00[\s-]?\d{3}[\s-]?\d{4}(?![\d])|\+\d{1,3}[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d{2,4}){2,4}(?![\d])/g;
const ORDER =
  /(?<![a-z0-9])[a-z]{1,4}-?\d{8,20}(?![a-z0-9])|(?:订单号?|单号|order\s*(?:number|no\.?|#|id)?)\s*[:：#]?\s*([a-z0-9-]{6,24})/gi;
const CARD_LAST4 =
  /(?:尾号|末四位|后四位|尾数|卡号末尾|ending(?:\s+in)?|last\s+(?:4|four)(?:\s+digits)?(?:\s+(?:are|is))?)\s*[:：]?\s*(\d{4})(?!\d)/gi;

const WEEKDAY: Record<string, number> = {
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  日: 7,
  天: 7,
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  6: 6,
  7: 7,
};
const ENGLISH_WEEKDAY: Record<string, number> = {
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
  sunday: 7,
};
const RELATIVE_DAY: Record<string, number> = {
  大前天: -3,
  前天: -2,
  昨天: -1,
  昨日: -1,
  今天: 0,
  今日: 0,
  明天: 1,
  明日: 1,
  后天: 2,
  大后天: 3,
  today: 0,
  yesterday: -1,
  tomorrow: 1,
};

const RELATIVE_DAY_PATTERN =
  /大前天|前天|昨天|昨日|今天|今日|明天|明日|大后天|后天|\btoday\b|\byesterday\b|\btomorrow\b/gi;
const CHINESE_WEEK_PATTERN = /(上上|上|下下|下|本|这|这个|上个|下个)?(?:周|星期|礼拜)([一二三四五六日天1-7])/g;
const ENGLISH_WEEK_PATTERN = /\b(last|next|this)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/gi;
const MONTH_PATTERN = /(上个月|上月|下个月|下月|这个月|本月)|\b(last|next|this)\s+month\b/gi;
const ABSOLUTE_DATE = new RegExp(
  String.raw`(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?|(?<![\d年])(\d{1,2}|${NUMERAL})月(\d{1,2}|${NUMERAL})[日号]`,
  'gu',
);

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function isoDate(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
}

/** 1 = Monday … 7 = Sunday. */
function isoWeekday(date: Date): number {
  return ((date.getDay() + 6) % 7) + 1;
}

function currencyOf(word: string, table: Array<[RegExp, string]>): string | undefined {
  return table.find(([pattern]) => pattern.test(word))?.[1];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Finds order numbers, phone numbers, amounts with currencies, absolute and relative dates
 * (昨天, 上周五, last friday), card last-4 digits, e-mail addresses and tenant lists/regexes.
 * Matching runs on a width- and script-normalised copy of the same length, so offsets point into
 * the original text. Overlaps are resolved by keeping the earliest, then longest, match.
 * @example extractEntities('一千二百元', {}) // [{ type: 'amount', value: 1200, unit: 'CNY', ... }]
 */
export function extractEntities(text: string, options: ExtractEntitiesOptions = {}): Entity[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const input = text.length > 20_000 ? text.slice(0, 20_000) : text;
  const halfWidth = toHalfWidth(input);
  const simplified = toSimplifiedChinese(halfWidth);
  // Keep offsets valid: only use the simplified copy if conversion kept every position.
  const source = simplified.length === input.length ? simplified : halfWidth;
  const now = options.now ?? new Date();
  const found: Entity[] = [];
  const push = (entity: Omit<Entity, 'text'>) => found.push({ ...entity, text: input.slice(entity.start, entity.end) });

  for (const match of source.matchAll(EMAIL))
    push({ type: 'email', start: match.index, end: match.index + match[0].length, value: match[0].toLowerCase() });
  for (const match of source.matchAll(CARD_LAST4)) {
    const start = match.index + match[0].length - 4;
    push({ type: 'card_last4', start, end: start + 4, value: match[1] });
  }
  for (const match of source.matchAll(ORDER)) {
    if (match[1] !== undefined) {
      if (!/\d/.test(match[1])) continue;
      const start = match.index + match[0].length - match[1].length;
      push({
        type: 'order_number',
        start,
        end: start + match[1].length,
        value: match[1].toUpperCase().replace(/-/g, ''),
      });
    } else {
      push({
        type: 'order_number',
        start: match.index,
        end: match.index + match[0].length,
        value: match[0].toUpperCase().replace(/-/g, ''),
      });
    }
  }
  for (const match of source.matchAll(PHONE)) {
    const digits = match[0].replace(/[^\d+]/g, '');
    const value = digits.replace(/^(?:\+86|0086)(?=1[3-9]\d{9}$)/, '');
    push({ type: 'phone', start: match.index, end: match.index + match[0].length, value });
  }
  for (const match of source.matchAll(AMOUNT_SUFFIX)) {
    const base = /\d/.test(match[1]) ? Number(match[1].replace(/,/g, '')) : parseChineseNumber(match[1]);
    if (!Number.isFinite(base)) continue;
    const multiplier = match[2] ? parseChineseNumber('一' + match[2]) : 1;
    const unit = currencyOf(match[3], CURRENCY_WORDS);
    if (!unit) continue;
    push({
      type: 'amount',
      start: match.index,
      end: match.index + match[0].length,
      value: roundAmount(base * multiplier),
      unit,
    });
  }
  for (const match of source.matchAll(AMOUNT_PREFIX)) {
    const base = Number(match[2].replace(/,/g, ''));
    const scale = match[3]?.toLowerCase();
    const multiplier = scale === '万' ? 1e4 : scale === '千' || scale === 'k' ? 1e3 : 1;
    const unit = currencyOf(match[1], CURRENCY_SYMBOLS);
    if (!unit || !Number.isFinite(base)) continue;
    push({
      type: 'amount',
      start: match.index,
      end: match.index + match[0].length,
      value: roundAmount(base * multiplier),
      unit,
    });
  }
  extractDates(source, now, push);
  for (const [name, entries] of Object.entries(options.lists ?? {})) {
    for (const [canonical, synonyms] of Object.entries(entries ?? {})) {
      for (const phrase of [canonical, ...(synonyms ?? [])]) {
        const needle = toSimplifiedChinese(toHalfWidth(String(phrase))).toLowerCase();
        if (needle.length === 0) continue;
        const latin = /^[a-z0-9]/i.test(needle);
        const pattern = new RegExp(
          (latin ? '(?<![a-z0-9])' : '') + escapeRegExp(needle) + (latin ? '(?![a-z0-9])' : ''),
          'gi',
        );
        for (const match of source.matchAll(pattern))
          push({ type: 'list', start: match.index, end: match.index + match[0].length, value: canonical, name });
      }
    }
  }
  for (const [name, patternText] of Object.entries(options.regexes ?? {})) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(patternText, 'giu');
    } catch {
      continue; // an invalid tenant pattern matches nothing rather than failing the turn
    }
    for (const match of input.matchAll(pattern)) {
      if (match[0].length === 0) continue;
      const value = match[1] ?? match[0];
      push({ type: 'regex', start: match.index, end: match.index + match[0].length, value, name });
    }
  }
  return resolveOverlaps(found);
}

function roundAmount(value: number): number {
  return Math.round(value * 100) / 100;
}

function extractDates(source: string, now: Date, push: (entity: Omit<Entity, 'text'>) => void): void {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  for (const match of source.matchAll(RELATIVE_DAY_PATTERN)) {
    const offset = RELATIVE_DAY[match[0].toLowerCase()];
    push({
      type: 'date',
      start: match.index,
      end: match.index + match[0].length,
      value: isoDate(addDays(today, offset)),
    });
  }
  const monday = addDays(today, 1 - isoWeekday(today));
  for (const match of source.matchAll(CHINESE_WEEK_PATTERN)) {
    const day = WEEKDAY[match[2]];
    const prefix = match[1] ?? '';
    const weeks =
      prefix === '上上'
        ? -2
        : prefix === '上' || prefix === '上个'
          ? -1
          : prefix === '下下'
            ? 2
            : prefix === '下' || prefix === '下个'
              ? 1
              : 0;
    push({
      type: 'date',
      start: match.index,
      end: match.index + match[0].length,
      value: isoDate(addDays(monday, weeks * 7 + day - 1)),
    });
  }
  for (const match of source.matchAll(ENGLISH_WEEK_PATTERN)) {
    const day = ENGLISH_WEEKDAY[match[2].toLowerCase()];
    const which = match[1]?.toLowerCase();
    const current = isoWeekday(today);
    let offset: number;
    // "last friday" = the most recent Friday before today; "next friday" = the first after today.
    if (which === 'last') offset = -((current - day + 7) % 7 || 7);
    else if (which === 'next') offset = (day - current + 7) % 7 || 7;
    else offset = day - current;
    const start = match.index + (match[0].length - match[0].trimStart().length);
    push({ type: 'date', start, end: match.index + match[0].length, value: isoDate(addDays(today, offset)) });
  }
  for (const match of source.matchAll(MONTH_PATTERN)) {
    const word = (match[1] ?? match[2]).toLowerCase();
    const delta = /上|last/.test(word) ? -1 : /下|next/.test(word) ? 1 : 0;
    const month = new Date(today.getFullYear(), today.getMonth() + delta, 1);
    push({
      type: 'date',
      start: match.index,
      end: match.index + match[0].length,
      value: `${month.getFullYear()}-${pad(month.getMonth() + 1)}`,
    });
  }
  for (const match of source.matchAll(ABSOLUTE_DATE)) {
    let year: number;
    let month: number;
    let day: number;
    if (match[1] !== undefined) {
      year = Number(match[1]);
      month = Number(match[2]);
      day = Number(match[3]);
    } else {
      year = today.getFullYear();
      month = /\d/.test(match[4]) ? Number(match[4]) : parseChineseNumber(match[4]);
      day = /\d/.test(match[5]) ? Number(match[5]) : parseChineseNumber(match[5]);
    }
    if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) continue;
    push({
      type: 'date',
      start: match.index,
      end: match.index + match[0].length,
      value: `${year}-${pad(month)}-${pad(day)}`,
    });
  }
}

/** Keeps the earliest match; among matches starting together, the longest; drops anything overlapping a kept one. */
function resolveOverlaps(entities: Entity[]): Entity[] {
  const priority: Record<Entity['type'], number> = {
    regex: 0,
    list: 1,
    email: 2,
    card_last4: 3,
    order_number: 4,
    phone: 5,
    amount: 6,
    date: 7,
  };
  const sorted = [...entities].sort(
    (left, right) =>
      left.start - right.start ||
      right.end - right.start - (left.end - left.start) ||
      priority[left.type] - priority[right.type],
  );
  const kept: Entity[] = [];
  for (const entity of sorted) {
    if (kept.some((other) => entity.start < other.end && other.start < entity.end)) continue;
    kept.push(entity);
  }
  return kept;
}

import {
  isMainlandMobile,
  isProvinceCode,
  isValidResidentId15,
  isValidResidentId18,
  isValidDate,
  luhnValid,
} from './checksums.js';
import { contextKinds, nearestContext, type ContextKind } from './context.js';
import type { PiiType } from './types.js';

/** A recognised item in folded-text offsets. */
export interface FoldedMatch {
  start: number;
  end: number;
  type: PiiType;
  score: number;
}

interface Group {
  start: number;
  end: number;
  digits: string;
  paren: boolean;
  /** The separator text before this group ('' for the first). */
  before: string;
}

interface Cluster {
  start: number;
  end: number;
  plus: boolean;
  groups: Group[];
  /** Glued to letters or a code (SKU-138…, SF138…): part of a code, never personal data alone. */
  glued: boolean;
}

const DIGIT = /[0-9]/;
const ALNUM = /[A-Za-z0-9]/;

/** Runs of digit groups joined by a space, a dash or a dot, with an optional + and (area code). */
function scanClusters(text: string): Cluster[] {
  const clusters: Cluster[] = [];
  let index = 0;
  while (index < text.length) {
    const character = text[index];
    const startsWithPlus = character === '+' && /^\+ ?[0-9]/.test(text.slice(index, index + 3));
    const startsWithParen = character === '(' && /^\( ?0?[0-9]{1,4} ?\)/.test(text.slice(index, index + 8));
    if (!DIGIT.test(character) && !startsWithPlus && !startsWithParen) {
      index += 1;
      continue;
    }
    const start = index;
    const previous = text[start - 1] ?? '';
    const beforePrevious = text[start - 2] ?? '';
    let glued = ALNUM.test(previous) || (/[-_/#.]/.test(previous) && ALNUM.test(beforePrevious));
    let position = index;
    let plus = false;
    if (startsWithPlus) {
      plus = true;
      position += text[position + 1] === ' ' ? 2 : 1;
    }
    const groups: Group[] = [];
    let separator = '';
    let digitCount = 0;
    for (;;) {
      if (text[position] === '(') {
        const paren = /^\( ?([0-9]{1,5}) ?\)/.exec(text.slice(position, position + 10));
        if (!paren) break;
        groups.push({
          start: position,
          end: position + paren[0].length,
          digits: paren[1],
          paren: true,
          before: separator,
        });
        digitCount += paren[1].length;
        position += paren[0].length;
      } else if (DIGIT.test(text[position] ?? '')) {
        let end = position;
        while (end < text.length && DIGIT.test(text[end])) end += 1;
        let digits = text.slice(position, end);
        digitCount += digits.length;
        if (
          /[Xx]/.test(text[end] ?? '') &&
          !ALNUM.test(text[end + 1] ?? '') &&
          (digitCount === 17 || digits.length === 17)
        ) {
          digits += 'X';
          end += 1;
        }
        groups.push({ start: position, end, digits, paren: false, before: separator });
        position = end;
      } else break;
      const rest = text.slice(position, position + 4);
      const joint =
        /^(?: ?[-.] ?| {1,2}|-|\.)(?=[0-9(])/.exec(rest) ??
        (groups[groups.length - 1].paren ? /^(?=[0-9])/.exec(rest) : null);
      if (!joint) break;
      // A dot between digits is a decimal point or a version, not a separator, unless groups follow it again.
      separator = joint[0];
      position += joint[0].length;
    }
    if (groups.length === 0) {
      index = position + 1;
      continue;
    }
    const end = groups[groups.length - 1].end;
    if (/[A-Za-z]/.test(text[end] ?? '')) glued = true;
    clusters.push({ start, end, plus, groups, glued });
    index = end;
  }
  return clusters;
}

const AMOUNT_BEFORE = /(?:[¥$￥€£]|rmb|cny|usd|hkd|nt\$|twd)\s?$/i;
const AMOUNT_AFTER =
  /^\s?(?:元|块|塊|圆|圓|万|萬|千|亿|億|%|rmb|cny|美元|美金|港币|港幣|港元|台币|台幣|日元|欧元|歐元|usd|hkd|twd|件|个|個|次|天|年|月|日|号|號|kg|g\b|ml|mah|分钟|分鐘|小时|小時|秒|岁|歲|楼|樓|室|栋|棟|层|層|单元|單元|积分|積分|点|點|公里|km|米)/i;
const EXTENSION = /^ ?(?:转|轉|分机|分機|ext\.?|x|#|-) ?([0-9]{1,5})(?![0-9])/i;

interface Context {
  nearest: ContextKind | null;
  kinds: Set<ContextKind>;
  amount: boolean;
}

function readContext(text: string, windowStart: number, start: number, end: number): Context {
  const window = text.slice(Math.max(windowStart, start - 18), start);
  const after = text.slice(end, end + 6);
  const amount = AMOUNT_BEFORE.test(text.slice(Math.max(0, start - 4), start)) || AMOUNT_AFTER.test(after);
  return { nearest: nearestContext(window), kinds: contextKinds(window), amount };
}

const BUSINESS_NUMBER = /^(?:400|800)\d{7}$|^95\d{3,6}$|^1[0-2]\d{3}$/;

/** What a run of digits is, or null. `groups` are the digit groups it came from. */
function classify(
  digits: string,
  groups: Group[],
  plus: boolean,
  context: Context,
): { type: PiiType; score: number } | null {
  const { nearest } = context;
  const negative = nearest === 'negative' || nearest === 'amount' || nearest === 'date';
  const hasX = digits.endsWith('X');
  let national = digits;
  let country: string | null = null;
  if (!hasX) {
    if (digits.startsWith('0086')) {
      country = '86';
      national = digits.slice(4);
    } else if (plus) {
      const code = /^(86|852|853|886|1|44|61|65|81|82|60|66|84|63|62|49|33)/.exec(digits);
      if (code) {
        country = code[1];
        national = digits.slice(code[1].length);
      }
    } else if (groups[0].paren && groups.length > 1 && /^(?:852|853|886)$/.test(groups[0].digits)) {
      // (852) 2123 4567: a country code in brackets.
      country = groups[0].digits;
      national = digits.slice(country.length);
    } else if (groups[0].digits === '86' && groups.length > 1 && isMainlandMobile(digits.slice(2))) {
      country = '86';
      national = digits.slice(2);
    }
  }
  if (context.amount && country === null) return null;
  if (BUSINESS_NUMBER.test(national)) return null;

  if (country === '852' || country === '853') {
    if (national.length !== 8) return null;
    return { type: /^[23]/.test(national) ? 'landline' : 'phone', score: 0.9 };
  }
  if (country === '886') {
    if (/^9\d{8}$/.test(national)) return { type: 'phone', score: 0.9 };
    if (/^[2-8]\d{7,8}$/.test(national)) return { type: 'landline', score: 0.8 };
    return null;
  }
  if (country !== null && country !== '86') {
    return national.length >= 7 && national.length <= 11 ? { type: 'phone', score: 0.8 } : null;
  }

  if (isMainlandMobile(national)) {
    if (country === null && negative) return null;
    return { type: 'phone', score: 0.95 };
  }
  if (national.length === 18 && isValidResidentId18(national)) {
    if (negative && !context.kinds.has('id_card')) return null;
    return { type: 'id_card', score: 0.99 };
  }
  // A mistyped check digit still leaks a person's ID: where the customer says it is one, a
  // real region and birth date are enough.
  if (national.length === 18 && nearest === 'id_card' && /^\d{17}[\dX]$/.test(national) && isProvinceCode(national))
    return { type: 'id_card', score: 0.6 };
  if (hasX) return null;
  if (country === '86') return landline(national, groups, true, context);
  if (national.length === 15 && isValidResidentId15(national)) {
    if (nearest === 'id_card' || (!negative && nearest !== 'bank_card' && nearest !== 'phone'))
      return { type: 'id_card', score: 0.7 };
  }
  if (national.length >= 16 && national.length <= 19) {
    if (nearest === 'bank_card' || (context.kinds.has('bank_card') && !negative)) {
      if (luhnValid(national)) return { type: 'bank_card', score: 0.95 };
      if (/^(?:62|4|5[1-5]|3[5-7]|60|9)/.test(national)) return { type: 'bank_card', score: 0.6 };
      return null;
    }
    if (negative || !luhnValid(national)) return null;
    // Issuer prefixes: UnionPay 62/60/81, Visa 4, Mastercard 51–55 and 2221–2720, JCB 35, Amex 34/37,
    // Discover 65, the old domestic 9-series debit cards. An order number that starts with its
    // date (2024…, 2025…) is none of these.
    if (/^(?:62|60|81|4|5[1-5]|222[1-9]|22[3-9]|2[3-6]|27[01]|2720|35|34|37|65|9[4-9])/.test(national))
      return { type: 'bank_card', score: 0.85 };
    return null;
  }
  // Taiwan mobile numbers (0912-345-678) before mainland area codes.
  if (/^09\d{8}$/.test(national)) return negative ? null : { type: 'phone', score: 0.8 };
  if (national.startsWith('0')) return landline(national, groups, false, context);
  // A local number with no area code: only where the customer says it is a phone.
  if (/^[2-8]\d{6,7}$/.test(national) && (nearest === 'landline' || nearest === 'phone')) {
    if (
      national.length === 8 &&
      isValidDate(Number(national.slice(0, 4)), Number(national.slice(4, 6)), Number(national.slice(6, 8))) &&
      Number(national.slice(0, 4)) > 1900
    )
      return null;
    if (/^[5-9]\d{7}$/.test(national) && nearest === 'phone') return { type: 'phone', score: 0.6 };
    return { type: 'landline', score: 0.6 };
  }
  // North-American style 415-555-0134 / (415) 555-0134 with a phone context.
  if (/^[2-9]\d{9}$/.test(national) && nearest === 'phone' && groups.length >= 2) return { type: 'phone', score: 0.6 };
  return null;
}

/** Mainland area codes: 010, 02x, and 0 + three digits from 3 to 9. */
function landline(
  national: string,
  groups: Group[],
  international: boolean,
  context: Context,
): { type: PiiType; score: number } | null {
  const negative = context.nearest === 'negative' || context.nearest === 'amount';
  if (negative && !context.kinds.has('landline') && !context.kinds.has('phone')) return null;
  const full = international ? `0${national}` : national;
  if (!/^0/.test(full)) return null;
  const first = groups[0];
  const explicitArea = groups.length > 1 && /^0?\d{2,3}$/.test(first.digits.replace(/^86/, ''));
  const area = /^0(?:10|2\d)/.test(full) ? 3 : /^0[3-9]\d{2}/.test(full) ? 4 : 0;
  if (area === 0) return null;
  const local = full.slice(area);
  if (!/^[2-9]\d{6,7}$/.test(local)) return null;
  // Unseparated 0 + 10–11 digits also looks like an invoice code: ask for a separator, an
  // international prefix, a bracket or a phone word.
  const positive = context.nearest === 'phone' || context.nearest === 'landline';
  if (!explicitArea && !international && !first.paren && !positive && context.nearest !== null) return null;
  return { type: 'landline', score: explicitArea || first.paren || international ? 0.9 : 0.75 };
}

/** Phones, landlines, resident IDs and bank cards in folded text. */
export function findNumbers(text: string): FoldedMatch[] {
  const matches: FoldedMatch[] = [];
  let windowStart = 0;
  for (const cluster of scanClusters(text)) {
    if (cluster.glued) {
      windowStart = cluster.end;
      continue;
    }
    const { groups } = cluster;
    let index = 0;
    while (index < groups.length) {
      let accepted = false;
      for (let stop = Math.min(groups.length, index + 19); stop > index; stop -= 1) {
        const slice = groups.slice(index, stop);
        const digits = slice.map((group) => group.digits).join('');
        if (digits.length < 7 || digits.length > 22) continue;
        const plus = index === 0 && cluster.plus;
        const start = plus ? cluster.start : slice[0].start;
        let end = slice[slice.length - 1].end;
        // A dot-joined run is a decimal or a version unless it is long enough to be a number.
        if (slice.slice(1).some((group) => group.before.trim() === '.') && digits.length < 11) continue;
        const context = readContext(text, windowStart, start, end);
        const found = classify(digits, slice, plus, context);
        if (!found) continue;
        let next = stop;
        if (found.type === 'landline') {
          const extensionGroup = groups[stop];
          if (extensionGroup && extensionGroup.digits.length <= 5 && extensionGroup.before.trim() === '-') {
            end = extensionGroup.end;
            next = stop + 1;
          } else {
            const extension = EXTENSION.exec(text.slice(end, end + 12));
            if (extension) end += extension[0].length;
          }
        }
        matches.push({ start, end, type: found.type, score: found.score });
        windowStart = end;
        index = next;
        accepted = true;
        break;
      }
      if (!accepted) index += 1;
    }
    windowStart = Math.max(windowStart, cluster.end);
  }
  return matches;
}

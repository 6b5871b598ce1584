import { isValidHongKongId, isValidTaiwanId } from './checksums.js';
import { contextKinds, nearestContext } from './context.js';
import type { FoldedMatch } from './numbers.js';

const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

// One or two letters, six digits, and the check character, optionally in brackets: A123456(3).
const HONG_KONG_ID = /(?<![A-Za-z0-9])([A-Za-z]|[XxWw][A-Za-z])(\d{6}) ?(?:\(([0-9Aa])\)|([0-9Aa]))(?![A-Za-z0-9])/g;
const TAIWAN_ID = /(?<![A-Za-z0-9])[A-Za-z][1289]\d{8}(?![A-Za-z0-9])/g;
/**
 * Mainland passports (E + 8 digits, E + letter + 7 digits, G + 8), official passports (D/S/P/DE/SE/PE),
 * Exit-Entry Permits for Hong Kong and Macao (C/W + 8, CA… + 7) and for Taiwan (L/T + 8), and the
 * Hong Kong/Macao passports (K/H/MA + digits). Others (1–2 letters + 6–9 digits) need a passport word.
 */
const PASSPORT_SHAPE =
  /(?<![A-Za-z0-9])(?:E(?:[A-HJ-NP-Z]\d{7}|\d{8})|[GCWLT]\d{8}|C[A-Z]\d{7}|[DSP]E\d{7}|K\d{8}|H\d{8}|MA\d{7})(?![A-Za-z0-9])/g;
const PASSPORT_WITH_WORD =
  /(?<![A-Za-z0-9])[A-Za-z]{1,2} ?\d{6,9}(?![A-Za-z0-9])|(?<![A-Za-z0-9])\d{9}(?![A-Za-z0-9])/g;

function before(text: string, start: number, length = 16): string {
  return text.slice(Math.max(0, start - length), start);
}

/** Emails, passports and travel permits, Hong Kong and Taiwan IDs in folded text. */
export function findDocuments(text: string): FoldedMatch[] {
  const matches: FoldedMatch[] = [];
  for (const match of text.matchAll(EMAIL)) {
    matches.push({ start: match.index, end: match.index + match[0].length, type: 'email', score: 0.99 });
  }
  for (const match of text.matchAll(TAIWAN_ID)) {
    if (!isValidTaiwanId(match[0])) continue;
    const window = before(text, match.index);
    if (nearestContext(window) === 'negative' && !contextKinds(window).has('tw_id')) continue;
    matches.push({ start: match.index, end: match.index + match[0].length, type: 'tw_id', score: 0.95 });
  }
  for (const match of text.matchAll(HONG_KONG_ID)) {
    const check = match[3] ?? match[4];
    if (!isValidHongKongId(match[1], match[2], check)) continue;
    const window = before(text, match.index);
    const nearest = nearestContext(window);
    const bracketed = match[3] !== undefined;
    if (nearest === 'negative' && !contextKinds(window).has('hk_id')) continue;
    if (nearest === 'passport') continue;
    // Without brackets a letter and seven digits is also a product code: the check digit (1 in 11
    // by chance) and the absence of a code word decide.
    matches.push({
      start: match.index,
      end: match.index + match[0].length,
      type: 'hk_id',
      score: bracketed ? 0.95 : 0.8,
    });
  }
  for (const match of text.matchAll(PASSPORT_SHAPE)) {
    const window = before(text, match.index);
    const nearest = nearestContext(window);
    if (nearest === 'negative' && !contextKinds(window).has('passport')) continue;
    if (nearest === 'hk_id' || nearest === 'tw_id') continue;
    matches.push({ start: match.index, end: match.index + match[0].length, type: 'passport', score: 0.85 });
  }
  for (const match of text.matchAll(PASSPORT_WITH_WORD)) {
    const window = before(text, match.index, 20);
    if (nearestContext(window) !== 'passport') continue;
    matches.push({ start: match.index, end: match.index + match[0].length, type: 'passport', score: 0.7 });
  }
  return matches;
}

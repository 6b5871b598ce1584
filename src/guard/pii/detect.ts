import { findAddresses } from './address.js';
import { findDocuments } from './documents.js';
import { foldText, originalRange } from './fold.js';
import { findNames } from './names.js';
import { findNumbers, type FoldedMatch } from './numbers.js';
import type { PiiSpan, PiiType } from './types.js';

/** Longer messages are read in windows of this many characters (with an overlap), so time stays linear. */
const WINDOW = 4_000;
const OVERLAP = 200;

/** When two candidates overlap, the checksum-backed one wins; an address yields its overlap. */
const PRIORITY: Record<PiiType, number> = {
  id_card: 10,
  bank_card: 9,
  tw_id: 9,
  hk_id: 8,
  email: 8,
  passport: 7,
  phone: 7,
  landline: 6,
  name: 4,
  address: 3,
};

function findAll(text: string): FoldedMatch[] {
  const numbers = findNumbers(text);
  const documents = findDocuments(text);
  const addresses = findAddresses(text);
  // A bare name stands beside a phone or an ID in a shipping block or a real-name line.
  const phones = numbers.filter((match) => match.type !== 'bank_card');
  const names = findNames(text, phones);
  return [...numbers, ...documents, ...addresses, ...names];
}

/** Keeps non-overlapping matches, higher priority first; an address is trimmed around what beat it. */
function resolve(matches: FoldedMatch[]): FoldedMatch[] {
  const ordered = [...matches].sort(
    (left, right) =>
      PRIORITY[right.type] - PRIORITY[left.type] ||
      right.score - left.score ||
      right.end - right.start - (left.end - left.start) ||
      left.start - right.start,
  );
  const kept: FoldedMatch[] = [];
  for (const match of ordered) {
    let pieces: Array<[number, number]> = [[match.start, match.end]];
    for (const other of kept) {
      const next: Array<[number, number]> = [];
      for (const [start, end] of pieces) {
        if (other.end <= start || other.start >= end) next.push([start, end]);
        else if (match.type === 'address') {
          if (other.start > start) next.push([start, other.start]);
          if (other.end < end) next.push([other.end, end]);
        }
      }
      pieces = next;
    }
    if (pieces.length === 0) continue;
    if (match.type === 'address') {
      const [start, end] = pieces.reduce((best, piece) => (piece[1] - piece[0] > best[1] - best[0] ? piece : best));
      if (end - start >= 3) kept.push({ ...match, start, end });
    } else kept.push(match);
  }
  return kept.sort((left, right) => left.start - right.start);
}

/**
 * Personal data in a message: phones, landlines, resident IDs, bank cards, emails, passports and
 * permits, Hong Kong and Taiwan IDs, addresses and names. Spans use UTF-16 offsets into `text`
 * (as JavaScript strings index them), do not overlap, and are in order.
 * @example
 * detectPii('手机：138 0013 8000，订单号 2024120512345678')
 * // → [{ start: 3, end: 16, type: 'phone', value: '138 0013 8000', score: 0.95 }]
 */
export function detectPii(text: string): PiiSpan[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const folded = foldText(text);
  const found: FoldedMatch[] = [];
  if (folded.text.length <= WINDOW) found.push(...findAll(folded.text));
  else {
    for (let offset = 0; offset < folded.text.length; offset += WINDOW - OVERLAP) {
      const slice = folded.text.slice(offset, offset + WINDOW);
      for (const match of findAll(slice)) {
        // A match cut by the window's end is found whole by the next window.
        if (match.end === slice.length && offset + WINDOW < folded.text.length) continue;
        found.push({ ...match, start: match.start + offset, end: match.end + offset });
      }
      if (offset + WINDOW >= folded.text.length) break;
    }
  }
  return resolve(found).map((match) => {
    const [start, end] = originalRange(folded, match.start, match.end);
    return { start, end, type: match.type, value: text.slice(start, end), score: match.score };
  });
}

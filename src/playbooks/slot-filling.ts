import type { Entity } from '../nlu/index.js';
import { CHINESE_NUMERAL_CHARACTERS, parseChineseNumber, toHalfWidth, toSimplifiedChinese } from '../text/index.js';
import type { PlaybookSlot } from './playbook-schema.js';

/** Chinese numerals a customer may use for a count ("分十二期"). */
const CHINESE_DIGITS: Record<string, number> = {
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

function chineseCount(text: string): number | null {
  const match = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!match || text.length === 0) return null;
  const [, tens, ten, units] = match;
  if (!ten) return tens ? CHINESE_DIGITS[tens]! : null;
  return (tens ? CHINESE_DIGITS[tens]! : 1) * 10 + (units ? CHINESE_DIGITS[units]! : 0);
}

const NUMBER = new RegExp(`(\\d+(?:,\\d{3})*(?:\\.\\d+)?)(万|千)?|[${CHINESE_NUMERAL_CHARACTERS}]+`, 'g');

/** Plain numbers in the text with their spans: Arabic (with 万/千), or Chinese numerals. */
function numbersIn(text: string): Array<{ value: number; start: number; end: number }> {
  const found: Array<{ value: number; start: number; end: number }> = [];
  for (const match of text.matchAll(NUMBER)) {
    // Digits glued to letters are codes (XM20261115003), not quantities.
    if (/[a-z]/i.test(text[match.index - 1] ?? '') || /[a-z]/i.test(text[match.index + match[0].length] ?? ''))
      continue;
    let value: number | null;
    if (match[1] !== undefined) {
      value = Number(match[1].replace(/,/g, '')) * (match[2] === '万' ? 10_000 : match[2] === '千' ? 1000 : 1);
    } else value = chineseCount(match[0]) ?? parseChineseNumber(match[0]);
    if (value !== null && Number.isFinite(value))
      found.push({ value, start: match.index, end: match.index + match[0].length });
  }
  return found;
}

const isCount = (text: string, number: { end: number }) => /^\s*(期|个月|次)/.test(text.slice(number.end));

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && b.start < a.end;

/**
 * Fills slots from one message. `waitingFor` is the slot an ask step just asked for: a bare
 * answer ("12000", "6") then counts for it. Returns only slots found in this message.
 */
export function fillSlots(
  slots: readonly PlaybookSlot[],
  rawText: string,
  entities: readonly Entity[],
  waitingFor?: string,
): Record<string, string | number> {
  const filled: Record<string, string | number> = {};
  const used: Array<{ start: number; end: number }> = [];
  // Simplified, half-width (萬 → 万, １２ → 12); entity spans refer to the raw text, which has the same length.
  const text = toSimplifiedChinese(toHalfWidth(rawText));
  // Specific slots first (patterns, order numbers, phones), then amounts, then bare counts.
  const rank = (slot: PlaybookSlot) => (slot.entity === 'number' ? 2 : slot.entity === 'amount' ? 1 : 0);
  const ordered = [...slots].sort((a, b) => rank(a) - rank(b));
  // A bare number answers the slot just asked for, not another one.
  const mayTakeBareNumber = (slot: PlaybookSlot) => waitingFor === undefined || waitingFor === slot.name;
  for (const slot of ordered) {
    let value: string | number | undefined;
    let span: { start: number; end: number } | undefined;
    if (slot.pattern) {
      const match = new RegExp(slot.pattern, 'i').exec(text.toUpperCase());
      if (match) {
        value = match[0].toUpperCase();
        span = { start: match.index, end: match.index + match[0].length };
      }
    }
    const byType = (type: Entity['type']) =>
      entities.find((entity) => entity.type === type && !used.some((range) => overlaps(range, entity)));
    if (value === undefined) {
      const entity =
        slot.entity === 'order_no'
          ? byType('order_number')
          : slot.entity === 'amount'
            ? byType('amount')
            : slot.entity === 'phone'
              ? byType('phone')
              : slot.entity === 'date'
                ? byType('date')
                : slot.entity === 'card_last4'
                  ? byType('card_last4')
                  : slot.entity === 'email'
                    ? byType('email')
                    : undefined;
      if (entity) {
        value = entity.value;
        span = entity;
      }
    }
    if (value === undefined && slot.entity === 'amount' && mayTakeBareNumber(slot)) {
      // "12000分12期", "一万二分六期": the largest number that is not a count of periods.
      const amounts = numbersIn(text).filter(
        (number) => !isCount(text, number) && !used.some((range) => overlaps(range, number)),
      );
      const largest = amounts.sort((a, b) => b.value - a.value)[0];
      if (largest && (waitingFor === slot.name || largest.value >= 10)) {
        value = largest.value;
        span = largest;
      }
    }
    if (value === undefined && slot.entity === 'number' && mayTakeBareNumber(slot)) {
      const candidates = numbersIn(text).filter((number) => !used.some((range) => overlaps(range, number)));
      const allowed = slot.values
        ? candidates.filter((number) => slot.values!.some((allowedValue) => Number(allowedValue) === number.value))
        : candidates;
      // "12000 分 12 期": a number followed by 期 is the count; otherwise the last candidate.
      const preferred =
        allowed.find((number) => isCount(text, number)) ?? (waitingFor === slot.name ? allowed.at(-1) : undefined);
      if (preferred) {
        value = preferred.value;
        span = preferred;
      }
    }
    if (value === undefined && slot.entity === 'text' && waitingFor === slot.name && text.trim().length > 0)
      value = text.trim();
    if (value !== undefined) {
      filled[slot.name] = value;
      if (span) used.push(span);
    }
  }
  return filled;
}

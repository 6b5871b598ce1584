import { detectPii } from './detect.js';
import type { PiiSpan, PiiType } from './types.js';

/** Placeholder → the original text it stands for. */
export type PiiPlaceholders = Record<string, string>;

export interface MaskResult {
  masked: string;
  placeholders: PiiPlaceholders;
  spans: PiiSpan[];
}

export type PlaceholderStyle = 'zh' | 'en';

const LABELS: Record<PiiType, { zh: string; en: string }> = {
  phone: { zh: '手机号', en: 'PHONE' },
  landline: { zh: '座机', en: 'LANDLINE' },
  id_card: { zh: '身份证号', en: 'ID_CARD' },
  bank_card: { zh: '银行卡号', en: 'BANK_CARD' },
  email: { zh: '邮箱', en: 'EMAIL' },
  passport: { zh: '证件号', en: 'PASSPORT' },
  hk_id: { zh: '香港身份证', en: 'HK_ID' },
  tw_id: { zh: '台湾身份证', en: 'TW_ID' },
  address: { zh: '地址', en: 'ADDRESS' },
  name: { zh: '姓名', en: 'NAME' },
};

const HAN = /\p{Script=Han}/u;

function placeholder(type: PiiType, number: number, style: PlaceholderStyle): string {
  return style === 'zh' ? `〔${LABELS[type].zh}${number}〕` : `[${LABELS[type].en}_${number}]`;
}

/**
 * Masks personal data across several texts of one conversation: the same value always gets the
 * same placeholder, numbered per type, so a model can tell "the phone in turn 1" from another.
 * @example
 * const masker = new PiiMasker();
 * const prompt = masker.mask('我的手机是13800138000');   // '我的手机是〔手机号1〕'
 * masker.restore('已为〔手机号1〕登记');                 // '已为13800138000登记'
 */
export class PiiMasker {
  readonly placeholders: PiiPlaceholders = {};
  readonly #byValue = new Map<string, string>();
  readonly #counts = new Map<PiiType, number>();

  constructor(private readonly style?: PlaceholderStyle) {}

  /** The text with every recognised item replaced by its placeholder. */
  mask(text: string): string {
    return this.maskWithSpans(text).masked;
  }

  maskWithSpans(text: string): { masked: string; spans: PiiSpan[] } {
    if (typeof text !== 'string' || text.length === 0) return { masked: text, spans: [] };
    const spans = detectPii(text);
    if (spans.length === 0) return { masked: text, spans };
    const style = this.style ?? (HAN.test(text) ? 'zh' : 'en');
    let masked = '';
    let cursor = 0;
    for (const span of spans) {
      masked += text.slice(cursor, span.start) + this.#placeholderFor(span, style);
      cursor = span.end;
    }
    return { masked: masked + text.slice(cursor), spans };
  }

  #placeholderFor(span: PiiSpan, style: PlaceholderStyle): string {
    const key = `${span.type}\u0000${span.value}`;
    const known = this.#byValue.get(key);
    if (known) return known;
    const number = (this.#counts.get(span.type) ?? 0) + 1;
    this.#counts.set(span.type, number);
    const name = placeholder(span.type, number, style);
    this.#byValue.set(key, name);
    this.placeholders[name] = span.value;
    return name;
  }

  /** Puts the original values back (see {@link restorePii}). */
  restore(text: string): string {
    return restorePii(text, this.placeholders);
  }

  /** Restores a stream of deltas, holding back a possibly half-written placeholder. */
  streamRestorer(): PiiStreamRestorer {
    return new PiiStreamRestorer(this.placeholders);
  }
}

/**
 * Masks one text.
 * @example
 * maskPii('call me on +86 138 0013 8000') // { masked: 'call me on [PHONE_1]', placeholders: { '[PHONE_1]': '+86 138 0013 8000' }, … }
 */
export function maskPii(text: string, options: { style?: PlaceholderStyle } = {}): MaskResult {
  const masker = new PiiMasker(options.style);
  const { masked, spans } = masker.maskWithSpans(text);
  return { masked, placeholders: { ...masker.placeholders }, spans };
}

const OPEN = '[〔【［(（';
const CLOSE = ']〕】］)）';

function canonical(name: string): string {
  return name
    .slice(1, -1)
    .replace(/[\s_]+/g, '')
    .toUpperCase();
}

/**
 * Puts the original values back in place of their placeholders. A model may change the brackets
 * (〔手机号1〕 → 【手机号1】) or the spacing ([PHONE_1] → [PHONE 1]); both still restore.
 */
export function restorePii(text: string, placeholders: PiiPlaceholders): string {
  const names = Object.keys(placeholders);
  if (typeof text !== 'string' || names.length === 0) return text;
  const byCanonical = new Map(names.map((name) => [canonical(name), placeholders[name]]));
  return text.replace(
    new RegExp(`[${escape(OPEN)}]\\s*([\\p{Script=Han}A-Za-z_]{2,12}[_\\s]?\\d{1,4})\\s*[${escape(CLOSE)}]`, 'gu'),
    (whole, inner: string) => byCanonical.get(inner.replace(/[\s_]+/g, '').toUpperCase()) ?? whole,
  );
}

function escape(characters: string): string {
  return characters.replace(/[\]\\[^-]/g, '\\$&');
}

/** Restores streamed text: what it returns is safe to show; `flush` returns the rest. */
export class PiiStreamRestorer {
  #pending = '';

  constructor(private readonly placeholders: PiiPlaceholders) {}

  push(delta: string): string {
    this.#pending += delta;
    let cut = this.#pending.length;
    // Hold back from the last opening bracket that is not yet closed (a placeholder is short).
    for (let index = this.#pending.length - 1; index >= Math.max(0, this.#pending.length - 20); index -= 1) {
      const character = this.#pending[index];
      if (CLOSE.includes(character)) break;
      if (OPEN.includes(character)) {
        cut = index;
        break;
      }
    }
    const ready = this.#pending.slice(0, cut);
    this.#pending = this.#pending.slice(cut);
    return restorePii(ready, this.placeholders);
  }

  flush(): string {
    const rest = this.#pending;
    this.#pending = '';
    return restorePii(rest, this.placeholders);
  }
}

/**
 * A short identifier-like string (a stage, a responder, an intent id, `faq-33`): one token of
 * ASCII letters, punctuation and at most five digits, no `@`. No detector can match in it (a phone,
 * an id or a card needs more digits, an e-mail an `@`, a name or an address words), so a trace's
 * many such strings skip the detectors.
 */
function cannotHoldPii(text: string): boolean {
  if (text.length > 64 || !/^[\w.:-]*$/.test(text)) return false;
  let digits = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57 && ++digits > 5) return false;
  }
  return true;
}

/** Masks every string inside a JSON-like value (a trace, an export row); keys are kept. */
export function maskDeep<T>(value: T, masker: PiiMasker = new PiiMasker(), depth = 0): T {
  if (typeof value === 'string') return cannotHoldPii(value) ? value : (masker.mask(value) as T);
  if (depth > 12 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item: unknown) => maskDeep(item, masker, depth + 1)) as T;
  // Only plain objects: an Error, a Date or a Buffer keeps its own shape (a logger serialises it).
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>))
    copy[key] = maskDeep(field, masker, depth + 1);
  return copy as T;
}

import * as OpenCC from 'opencc-js';
import type { ConverterFunction } from 'opencc-js/core';

/** Detected script mix of a message. */
export type Language = 'zh' | 'en' | 'mixed' | 'unknown';

export interface NormalizedText {
  /** Simplified, half-width, lower-cased, whitespace-collapsed text. */
  text: string;
  language: Language;
}

// Traditional (Taiwan, Hong Kong and OpenCC's generic set all map through 't') → Simplified (mainland).
// opencc-js's main declarations import './core' without an extension, which NodeNext cannot resolve,
// so the converter's type is lost there; its own 'opencc-js/core' entry declares it.
const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' }) as ConverterFunction;
const twToSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' }) as ConverterFunction;

const FULL_WIDTH = /[\uff01-\uff5e\u3000]/;
const CJK = /[\u2e80-\u9fff\uf900-\ufaff\u{20000}-\u{2ffff}]/u;
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/g;

/** Full-width ASCII (！–～) and the ideographic space to their half-width forms. */
export function toHalfWidth(text: string): string {
  if (!FULL_WIDTH.test(text)) return text;
  let result = '';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (code >= 0xff01 && code <= 0xff5e) result += String.fromCodePoint(code - 0xfee0);
    else if (code === 0x3000) result += ' ';
    else result += character;
  }
  return result;
}

/** Traditional Chinese → Simplified Chinese (OpenCC, with Taiwan phrases). */
export function toSimplifiedChinese(text: string): string {
  // Fast path: OpenCC only changes CJK characters; most English messages have none.
  if (!CJK.test(text)) return text;
  return toSimplified(twToSimplified(text));
}

const HAN = /\p{Script=Han}/u;
const LATIN = /[a-z]/i;

/**
 * zh when Han characters dominate, en when only Latin letters occur, mixed when both are
 * substantial (at least two Latin words and one Latin word per three Han characters, since a
 * Chinese word is about two characters): '我的order什么时候ship' is mixed, '我要买iPhone' is zh.
 */
export function detectLanguage(text: string): Language {
  let han = 0;
  let latinWords = 0;
  for (const character of text) if (HAN.test(character)) han += 1;
  for (const word of text.split(/[^a-z]+/i)) if (word.length > 0 && LATIN.test(word)) latinWords += 1;
  if (han === 0 && latinWords === 0) return 'unknown';
  if (han === 0) return 'en';
  if (latinWords === 0) return 'zh';
  return latinWords >= 2 && latinWords * 3 >= han ? 'mixed' : 'zh';
}

/**
 * The one normalisation every tier shares: strip control characters, full-width → half-width,
 * Traditional → Simplified, lower case, collapse whitespace.
 * @example normalizeText('退票費怎麼算？ＯＫ') // { text: '退票费怎么算?ok', language: 'zh' }
 */
export function normalizeText(input: string): NormalizedText {
  const stripped = input.replace(CONTROL_CHARACTERS, ' ');
  const text = toSimplifiedChinese(toHalfWidth(stripped)).toLowerCase().replace(/\s+/g, ' ').trim();
  return { text, language: detectLanguage(text) };
}

import * as OpenCC from 'opencc-js';
import type { ConverterFunction } from 'opencc-js/core';
import { toSimplifiedChinese } from './normalize.js';

/**
 * Simplified and Traditional Chinese are the same language in two scripts: a customer who writes
 * 「七天無理由退貨怎麼申請？」 reads Traditional, and gets the answer in it, converted with OpenCC
 * (Taiwan phrasing by default, Hong Kong forms for zh-HK) from the Simplified text a pack holds.
 */

export type ChineseScript = 'simplified' | 'traditional';

// Typed through 'opencc-js/core' for the reason given in normalize.ts.
const toTaiwan = OpenCC.Converter({ from: 'cn', to: 'twp' }) as ConverterFunction;
const toHongKong = OpenCC.Converter({ from: 'cn', to: 'hk' }) as ConverterFunction;
const HAN = /\p{Script=Han}/u;

/** The script a Chinese message is written in, or null when it has no Chinese (or no telling characters). */
export function chineseScriptOf(text: string): ChineseScript | null {
  if (!HAN.test(text)) return null;
  return toSimplifiedChinese(text) === text ? 'simplified' : 'traditional';
}

/** Simplified → Traditional, with Taiwan (default) or Hong Kong conventions. */
export function toTraditionalChinese(text: string, region: 'tw' | 'hk' = 'tw'): string {
  if (!HAN.test(text)) return text;
  return region === 'hk' ? toHongKong(text) : toTaiwan(text);
}

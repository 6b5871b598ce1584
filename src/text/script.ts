import * as OpenCC from 'opencc-js';
import type { ConverterFunction, DictGroup, DictLike, Trie } from 'opencc-js/core';
import { toSimplifiedChinese } from './normalize.js';

/**
 * Simplified and Traditional Chinese are the same language in two scripts: a customer who writes
 * 「七天無理由退貨怎麼申請？」 reads Traditional, and gets the answer in it, converted with OpenCC
 * (Taiwan phrasing by default, Hong Kong forms for zh-HK) from the Simplified text a pack holds.
 */

export type ChineseScript = 'simplified' | 'traditional';

/** An OpenCC conversion as its preset describes it (opencc-js `Locale.configs`, e.g. `s2twp`). */
interface ConversionConfig {
  normalizationChain?: readonly DictGroup[];
  segmentation?: DictLike | DictGroup;
  conversionChain: readonly DictGroup[];
}

/**
 * Simplified → Traditional for Taiwan (`s2twp`) and Hong Kong (`s2hk`), built as opencc-js's
 * `Converter` builds them, except that the two share their normalisation, segmentation and
 * Simplified → Traditional tries: those are ~40 MB of heap each, built twice by `Converter`.
 * Each regional converter adds only its own small variant tries. Same output as `Converter`
 * (src/text/script.test.ts compares them).
 */
function traditionalConverters(): { tw: ConverterFunction; hk: ConverterFunction } {
  // Typed through 'opencc-js/core' for the reason given in normalize.ts.
  const library = OpenCC as unknown as {
    Trie: new () => Trie;
    Locale: { configs: Record<string, ConversionConfig> };
  };
  const { s2twp: taiwan, s2hk: hongKong } = library.Locale.configs as Record<'s2twp' | 's2hk', ConversionConfig>;
  const trieOf = (group: DictLike | DictGroup) => {
    const trie = new library.Trie();
    if (typeof group !== 'string' && group.every((dict) => typeof dict === 'string' || Array.isArray(dict[0])))
      trie.loadDictGroup(group as DictGroup);
    else trie.loadDict(group as DictLike);
    return trie;
  };
  const sameGroup = (left: DictGroup | undefined, right: DictGroup | undefined) =>
    left !== undefined &&
    right !== undefined &&
    left.length === right.length &&
    left.every((dict, i) => dict === right[i]);
  const shareable =
    sameGroup(taiwan.normalizationChain?.[0], hongKong.normalizationChain?.[0]) &&
    taiwan.normalizationChain?.length === 1 &&
    hongKong.normalizationChain?.length === 1 &&
    taiwan.segmentation !== undefined &&
    sameGroup(taiwan.segmentation as DictGroup, hongKong.segmentation as DictGroup) &&
    sameGroup(taiwan.conversionChain[0], hongKong.conversionChain[0]);
  if (!shareable) {
    // Another opencc-js release with other presets: build them the library's way.
    return {
      tw: OpenCC.Converter({ from: 'cn', to: 'twp' }) as ConverterFunction,
      hk: OpenCC.Converter({ from: 'cn', to: 'hk' }) as ConverterFunction,
    };
  }
  const normalization = trieOf(taiwan.normalizationChain![0]!);
  const segmentation = trieOf(taiwan.segmentation!);
  const simplifiedToTraditional = trieOf(taiwan.conversionChain[0]!);
  const converter = (regional: readonly Trie[]): ConverterFunction => {
    const chain = [simplifiedToTraditional, ...regional];
    return (text) =>
      segmentation
        .segment(normalization.convert(text))
        .map((segment) => chain.reduce((converted, trie) => trie.convert(converted), segment))
        .join('');
  };
  return {
    tw: converter(taiwan.conversionChain.slice(1).map(trieOf)),
    hk: converter(hongKong.conversionChain.slice(1).map(trieOf)),
  };
}

const { tw: toTaiwan, hk: toHongKong } = traditionalConverters();
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

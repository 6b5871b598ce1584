import { toTraditionalChinese } from '../text/script.js';

/**
 * Product text a customer or agent reads comes from locale files: one module per capability
 * (`<capability>/locales.ts`) holding a catalogue of messages in zh-CN and en, and zh-TW / zh-HK
 * where a person wrote them. A missing Traditional message is the Simplified one converted with
 * OpenCC, so a catalogue never shows Simplified text to a Traditional reader. Keys are not ids a
 * person sees: they name the message for the code.
 */

/** The locales kefu writes in. zh-HK shares zh-TW's catalogue with Hong Kong character forms. */
export type Locale = 'zh-CN' | 'zh-TW' | 'zh-HK' | 'en';

/** A BCP 47 tag (zh-Hant-TW, zh_TW, en-GB, zh, …) → the locale kefu writes in; Simplified Chinese by default. */
export function resolveLocale(tag: string | null | undefined): Locale {
  const value = (tag ?? '').trim().toLowerCase().replace(/_/g, '-');
  if (value.startsWith('en')) return 'en';
  if (/^zh-(?:hk|mo)|^zh-hant-(?:hk|mo)/.test(value)) return 'zh-HK';
  if (/^zh-(?:tw|hant)/.test(value)) return 'zh-TW';
  return 'zh-CN';
}

/** Messages of one capability: every key in zh-CN and en; Traditional optional per key. */
export interface Catalogue<K extends string> {
  'zh-CN': Record<K, string>;
  en: Record<K, string>;
  'zh-TW'?: Partial<Record<K, string>>;
  'zh-HK'?: Partial<Record<K, string>>;
}

export type Translate<K extends string> = (
  locale: string | null | undefined,
  key: K,
  params?: Record<string, string | number>,
) => string;

/**
 * A translator over one catalogue. `{name}` placeholders are filled from `params`; a placeholder
 * without a value stays as written, so a missing value is visible in tests rather than blank.
 */
export function createTranslator<K extends string>(catalogue: Catalogue<K>): Translate<K> {
  return (tag, key, params) => {
    const locale = resolveLocale(tag);
    let template: string;
    if (locale === 'en') template = catalogue.en[key];
    else if (locale === 'zh-CN') template = catalogue['zh-CN'][key];
    else {
      const own = catalogue[locale]?.[key] ?? (locale === 'zh-HK' ? catalogue['zh-TW']?.[key] : undefined);
      template = own ?? toTraditionalChinese(catalogue['zh-CN'][key], locale === 'zh-HK' ? 'hk' : 'tw');
    }
    return fill(template, params);
  };
}

function fill(template: string, params: Record<string, string | number> | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

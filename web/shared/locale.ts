/** The three UI languages: Simplified Chinese, Traditional Chinese, English. */
export type Locale = 'zh-Hans' | 'zh-Hant' | 'en';

/**
 * Picks the UI language from an explicit tag (a `data-locale` attribute, a saved choice) or the
 * browser's languages: zh-TW/HK/MO and zh-Hant → Traditional, any other zh → Simplified, else English.
 */
export function pickLocale(
  explicit: string | null | undefined,
  browser: readonly string[] = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]),
): Locale {
  const tags = [explicit, ...browser].filter((tag): tag is string => Boolean(tag));
  for (const tag of tags) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return /hant|tw|hk|mo/.test(lower) ? 'zh-Hant' : 'zh-Hans';
    if (lower.startsWith('en')) return 'en';
  }
  // kefu is Chinese-first: with no hint at all, Simplified Chinese; a non-Chinese browser gets English.
  return tags.length === 0 ? 'zh-Hans' : 'en';
}

/** The BCP 47 tag for `lang` attributes. */
export function htmlLang(locale: Locale): string {
  return locale === 'zh-Hans' ? 'zh-CN' : locale === 'zh-Hant' ? 'zh-TW' : 'en';
}

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

import { resolveLocale, type Locale } from '../../i18n/index.js';
import { translateHandover } from './locales.js';

/**
 * The self-harm path: a caring reply naming crisis lines that suit the customer's locale, and a
 * hand-over to the top of the queue. The default lines and their sources are in docs/guard.md
 * ("Crisis lines"); a tenant overrides them with `handover.crisis_lines` in tenant.yaml.
 */

/** The intent a self-harm hand-over carries: the hand-off queue puts it ahead of everyone waiting. */
export const CRISIS_INTENT = 'guard:self_harm';

/** Crisis lines kefu names by default, per locale (sources in docs/guard.md). */
export const DEFAULT_CRISIS_LINES: Record<Locale, string> = {
  'zh-CN': '北京心理危机研究与干预中心 010-82951332（24小时），希望24热线 400-161-9995（24小时）',
  'zh-TW': '衛福部安心專線 1925（24小時免付費），生命線 1995，張老師專線 1980',
  'zh-HK': '香港撒瑪利亞防止自殺會 2389 2222（24小時），撒瑪利亞會 2896 0000（24小時，多語言）',
  en: 'in the US the 988 Suicide & Crisis Lifeline (call or text 988); in the UK and Ireland Samaritans on 116 123; in Hong Kong The Samaritans on 2896 0000',
};

/** The emergency number to call first, per locale. */
const EMERGENCY: Record<Locale, string> = {
  'zh-CN': '110 或 120',
  'zh-TW': '110 或 119',
  'zh-HK': '999',
  en: 'your local emergency number (911 in the US, 999 in the UK, 112 in the EU)',
};

const CANTONESE = /[嘅咗唔冇係喺哋嚟啲嗰乜嘢咁佢]/;
const TRADITIONAL_ONLY = /[們個這說麼為會過還時後來對發點經裡與沒讓頭錢帳號訊問題裏嗎請謝應]/;
const HAN = /\p{Script=Han}/u;

/**
 * The locale to answer a crisis message in: the customer's script first (English, Cantonese,
 * Traditional, Simplified), then the tenant's locale to choose between Taiwan and Hong Kong.
 */
export function crisisLocale(text: string, tenantLocale: string | null | undefined): Locale {
  const tenant = resolveLocale(tenantLocale);
  if (!HAN.test(text)) return /[a-z]/i.test(text) ? 'en' : tenant;
  if (CANTONESE.test(text)) return 'zh-HK';
  if (TRADITIONAL_ONLY.test(text)) return tenant === 'zh-HK' ? 'zh-HK' : 'zh-TW';
  return tenant === 'zh-TW' || tenant === 'zh-HK' ? tenant : 'zh-CN';
}

/** The caring reply with the crisis lines of `locale` (the tenant's own when it set them). */
export function crisisReply(locale: Locale, overrides?: Partial<Record<Locale, string>> | null): string {
  const lines = overrides?.[locale] ?? DEFAULT_CRISIS_LINES[locale];
  return translateHandover(locale, 'crisis_reply', { lines, emergency: EMERGENCY[locale] });
}

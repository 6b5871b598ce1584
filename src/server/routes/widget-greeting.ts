import { createTranslator, resolveLocale } from '../../i18n/index.js';
import { toTraditionalChinese } from '../../text/index.js';
import type { Tenant } from '../../tenancy/index.js';

const defaults = createTranslator({
  'zh-CN': { greeting: '您好，欢迎来到{name}，请问有什么可以帮您？' },
  en: { greeting: 'Hello, welcome to {name}. How can I help you?' },
});

/**
 * What the widget shows when it opens on an empty conversation: the tenant's configured greeting
 * (tenant.yaml `messages.greeting`) in the widget's script (converted for Traditional readers), or,
 * when the widget speaks another language than the greeting was written in, a welcome in the
 * widget's own language.
 */
export function widgetGreeting(tenant: Pick<Tenant, 'name' | 'locale' | 'settings'>, widgetLocale?: string): string {
  const locale = resolveLocale(widgetLocale ?? tenant.locale);
  const messages = (tenant.settings as { messages?: { greeting?: unknown } }).messages;
  const configured = typeof messages?.greeting === 'string' && messages.greeting.trim() ? messages.greeting : null;
  const tenantSpeaksEnglish = resolveLocale(tenant.locale) === 'en';
  if (configured && tenantSpeaksEnglish === (locale === 'en')) {
    if (locale === 'zh-TW') return toTraditionalChinese(configured, 'tw');
    if (locale === 'zh-HK') return toTraditionalChinese(configured, 'hk');
    return configured;
  }
  return defaults(locale, 'greeting', { name: tenant.name });
}

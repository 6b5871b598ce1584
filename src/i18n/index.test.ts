import { describe, expect, it } from 'vitest';
import { createTranslator, resolveLocale } from './index.js';

const t = createTranslator({
  'zh-CN': { waiting: '您前面还有 {count} 位客户，请稍候。', thanks: '谢谢' },
  en: { waiting: '{count} customers are ahead of you. Please hold on.', thanks: 'Thank you' },
  'zh-TW': { thanks: '感謝您' },
});

describe('createTranslator', () => {
  it('writes in Simplified, Traditional (own or converted) and English', () => {
    expect(t('zh-CN', 'waiting', { count: 3 })).toBe('您前面还有 3 位客户，请稍候。');
    expect(t('en-GB', 'waiting', { count: 3 })).toBe('3 customers are ahead of you. Please hold on.');
    expect(t('zh-TW', 'waiting', { count: 3 })).toBe('您前面還有 3 位客戶，請稍候。');
    expect(t('zh-TW', 'thanks')).toBe('感謝您');
    expect(t('zh-HK', 'thanks')).toBe('感謝您');
  });

  it('leaves a placeholder without a value visible', () => {
    expect(t('en', 'waiting')).toBe('{count} customers are ahead of you. Please hold on.');
  });
});

describe('resolveLocale', () => {
  it.each([
    ['zh-Hant-TW', 'zh-TW'],
    ['zh_TW', 'zh-TW'],
    ['zh-HK', 'zh-HK'],
    ['zh-Hans', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['en-US', 'en'],
    [undefined, 'zh-CN'],
  ])('%s → %s', (tag, locale) => {
    expect(resolveLocale(tag)).toBe(locale);
  });
});

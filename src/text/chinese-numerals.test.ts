import { describe, expect, it } from 'vitest';
import { detectLanguage, normalizeText, parseChineseNumber, tokenize } from './index.js';

describe('parseChineseNumber', () => {
  it.each([
    ['一千二百', 1200],
    ['一千二', 1200],
    ['两万三', 23000],
    ['一百零五', 105],
    ['十二', 12],
    ['二十', 20],
    ['三点五', 3.5],
    ['二〇二四', 2024],
    ['1.5万', 15000],
    ['一亿两千万', 120000000],
    ['三万五千', 35000],
    ['壹佰贰拾', 120],
  ])('%s → %d', (text, value) => {
    expect(parseChineseNumber(text)).toBe(value);
  });

  it('returns NaN for non-numbers', () => {
    expect(parseChineseNumber('abc')).toBeNaN();
    expect(parseChineseNumber('')).toBeNaN();
  });
});

describe('normalizeText / detectLanguage / tokenize', () => {
  it('folds Traditional, full width and case', () => {
    expect(normalizeText('退票費怎麼算？ＯＫ')).toEqual({ text: '退票费怎么算?ok', language: 'zh' });
  });

  it('detects zh, en, mixed and unknown', () => {
    expect(detectLanguage('我要退货')).toBe('zh');
    expect(detectLanguage('where is my order')).toBe('en');
    expect(detectLanguage('我的order什么时候ship')).toBe('mixed');
    expect(detectLanguage('我要买iphone')).toBe('zh');
    expect(detectLanguage('😀 123')).toBe('unknown');
  });

  it('segments Chinese with jieba and stems English', () => {
    expect(tokenize('我要退货')).toEqual(['我要', '退货']);
    expect(tokenize('cards were charged')).toEqual(['card', 'were', 'charg']);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { analyzeText } from './analyzer.js';

describe('analyzeText with CC-CEDICT synonym terms (KEFU_RETRIEVAL_SYNONYMS, opt-in)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('adds nothing by default', () => {
    expect(analyzeText('酒店包早饭吗').words.some((word) => word.startsWith('~'))).toBe(false);
  });

  it('gives synonyms a shared term in Simplified, Traditional and English, so 早饭 meets 早餐', () => {
    vi.stubEnv('KEFU_RETRIEVAL_SYNONYMS', 'on');
    expect(analyzeText('酒店含早餐吗').words).toContain('~breakfast');
    expect(analyzeText('酒店包早饭吗').words).toContain('~breakfast');
    expect(analyzeText('酒店包早飯嗎').words).toContain('~breakfast');
    expect(analyzeText('is breakfast included').words).toContain('~breakfast');
    // An English word whose gloss has one Chinese word adds that word: refund → 退款.
    expect(analyzeText('where is my refund').words).toContain('退款');
  });
});

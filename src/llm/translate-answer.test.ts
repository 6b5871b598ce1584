import { describe, expect, it } from 'vitest';
import { translationProblem } from './translate-answer.js';

describe('translationProblem', () => {
  it('accepts an English translation that keeps the figures', () => {
    expect(
      translationProblem(
        '退款3-5个工作日到账，客服电话400-123-4567。',
        'Refunds arrive in 3-5 working days; call 400-123-4567.',
      ),
    ).toBeNull();
    // Chinese numerals may become figures.
    expect(translationProblem('七天内可以退货。', 'You can return it within 7 days.')).toBeNull();
  });

  it('rejects an empty, untranslated or number-losing answer', () => {
    expect(translationProblem('七天内可以退货。', '  '.trim())).toBe('empty');
    expect(translationProblem('七天内可以退货。', '七天內可以退貨。')).toBe('not in English');
    expect(translationProblem('满99元包邮。', 'Free shipping over 100 yuan.')).toBe('numbers differ from the original');
  });
});

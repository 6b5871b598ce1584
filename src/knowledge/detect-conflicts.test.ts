import { describe, expect, it } from 'vitest';
import { chineseNumeral, detectConflicts, quantities } from './detect-conflicts.js';

describe('detectConflicts', () => {
  it('flags the same question answered with different numbers, returning both sides', () => {
    const conflicts = detectConflicts([
      { id: 'faq-1', question: '退货期限是多久？', answer: '自签收起 7 天内可以退货。', source: 'faq.csv row 2' },
      {
        id: 'policy#3',
        question: '退货的期限是多久',
        answer: '签收后十五天内可申请退货。',
        source: 'policy.md › 退货期限',
      },
      { id: 'faq-2', question: '运费谁承担？', answer: '质量问题由商家承担运费。' },
    ]);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ reason: 'numbers', detail: '天: 7 vs 15' });
    expect([conflicts[0]!.first.id, conflicts[0]!.second.id].sort()).toEqual(['faq-1', 'policy#3']);
    expect(conflicts[0]!.second.source ?? conflicts[0]!.first.source).toBeDefined();
  });

  it('compares Traditional with Simplified Chinese and finds negation conflicts', () => {
    const conflicts = detectConflicts([
      { id: 'a', question: '定制商品可以退货吗？', answer: '可以，签收后申请即可。' },
      { id: 'b', question: '訂製商品可以退貨嗎', answer: '定制商品不支持退货。' },
    ]);
    expect(conflicts).toEqual([expect.objectContaining({ reason: 'negation' })]);
  });

  it('handles English answers and leaves consistent or unrelated entries alone', () => {
    expect(
      detectConflicts([
        {
          id: 'en-1',
          question: 'How long do I have to return an item?',
          answer: 'Returns are accepted within 30 days.',
        },
        { id: 'en-2', question: 'How long do I have to return items?', answer: 'You can return items within 14 days.' },
      ])[0],
    ).toMatchObject({ reason: 'numbers', detail: '天: 30 vs 14' });
    expect(
      detectConflicts([
        { id: 'x', question: '退货期限是多久？', answer: '7 天内可以退货。' },
        { id: 'y', question: '退货期限多久', answer: '签收后 7 天内都能退。' },
        { id: 'z', question: '发票怎么开？', answer: '订单完成后 30 天内可申请。' },
      ]),
    ).toEqual([]);
  });

  it('does not confuse questions that differ only in a number', () => {
    expect(
      detectConflicts([
        { id: 'p3', question: '第 3 期怎么还款', answer: '第 3 期需在 10 日前还款。' },
        { id: 'p5', question: '第 5 期怎么还款', answer: '第 5 期需在 20 日前还款。' },
      ]),
    ).toEqual([]);
  });

  it('reads quantities in digits and Chinese numerals', () => {
    expect(chineseNumeral('十五')).toBe(15);
    expect(chineseNumeral('二十四')).toBe(24);
    expect(chineseNumeral('两百')).toBe(200);
    expect(Object.fromEntries(quantities('7 天内退货，3 个工作日到账，满 99 元包邮，收取 10% 手续费'))).toEqual({
      天: [7],
      工作日: [3],
      元: [99],
      '%': [10],
    });
  });
});

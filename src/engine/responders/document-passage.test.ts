import { describe, expect, it } from 'vitest';
import { contextFor, documents, fixedRuntime } from './__fixtures__/turn-fixtures.js';
import { documentPassage } from './document-passage.js';

const docs = documents([
  {
    path: '配送说明.md',
    title: '配送时效',
    text: '偏远地区（新疆、西藏）的订单配送时效为 7 到 10 天，其他地区 3 天内送达。',
  },
  {
    path: 'returns.md',
    title: 'Return shipping',
    text: 'Return shipping labels are free for orders above 200 yuan; below that the label costs 12 yuan.',
  },
]);

describe('document-passage responder', () => {
  it('answers an unrelated-to-any-intent question from a document passage and cites it', async () => {
    const context = contextFor(
      fixedRuntime({ intent: null, confidence: 0.1, outOfScope: true }, docs),
      '新疆西藏偏远地区配送时效多少天？',
    );
    const proposal = await documentPassage.propose(context);
    // The sentence that answers, quoted with the document's title and version, and a person offered.
    expect(proposal).toMatchObject({ route: 'auto', tier: 'light', quickReplies: ['转人工'] });
    expect(proposal?.text).toBe(
      '根据《配送时效》（第 2 版）：\n偏远地区（新疆、西藏）的订单配送时效为 7 到 10 天，其他地区 3 天内送达。\n' +
        '如果没有解决您的问题，可以回复「转人工」，由客服为您处理。',
    );
    expect(proposal?.citations).toEqual([{ source: 'doc', id: '配送说明.md', version: 2 }]);
    expect(proposal?.reasons[0]).toMatch(/^document answer: 配送说明\.md v2 covers (?:0\.\d+|1\.000) of the question/);
    expect(proposal?.confidence).toBeGreaterThanOrEqual(0.55);
    expect(context.retrieval()[0]?.id).toBe('doc:配送说明.md#0');
  });

  it('answers in English from an English document', async () => {
    const context = contextFor(
      fixedRuntime({ intent: null, confidence: 0.1, outOfScope: true }, docs),
      'Are return shipping labels free for orders above 200 yuan?',
    );
    const proposal = await documentPassage.propose(context);
    expect(proposal?.citations).toEqual([{ source: 'doc', id: 'returns.md', version: 2 }]);
    expect(proposal?.text).toMatch(/^From "Return shipping" \(version 2\):\nReturn shipping labels are free/);
    expect(proposal?.quickReplies).toEqual(['Talk to a human agent']);
  });

  it('answers a Traditional-Chinese question with the sentence that answers it', async () => {
    const sections = documents([
      {
        path: 'policy.md',
        title: '退货政策 › 退款时效',
        text: '仓库收到退货后 48 小时内完成审核。\n- 微信支付：1–3 个工作日到账；\n- 银行卡：3–7 个工作日到账。',
      },
    ]);
    const context = contextFor(
      fixedRuntime({ intent: null, confidence: 0.1, outOfScope: true }, sections),
      '退到銀行卡要幾個工作日到賬？',
    );
    const proposal = await documentPassage.propose(context);
    expect(proposal?.text).toContain('根据《退货政策》「退款时效」（第 2 版）：\n银行卡：3–7 个工作日到账。');
  });

  it('answers from a document when the FAQ guess is under the gate, but not when it is confident', async () => {
    const unsure = contextFor(
      fixedRuntime({ intent: 'faq-1', confidence: 0.5 }, docs),
      '新疆西藏偏远地区配送时效多少天？',
    );
    expect((await documentPassage.propose(unsure))?.citations).toEqual([
      { source: 'doc', id: '配送说明.md', version: 2 },
    ]);
  });

  it('declines when an intent fits, and searches nothing then', async () => {
    const context = contextFor(fixedRuntime({ intent: 'faq-1', confidence: 0.9 }, docs), '新疆配送时效');
    expect(documentPassage.propose(context)).toBeNull();
    expect(context.retrieval()).toEqual([]);
  });

  it('declines when the best passage is below the gate', async () => {
    const context = contextFor(fixedRuntime({ intent: null, confidence: 0.1, outOfScope: true }, docs), '你们老板是谁');
    expect(documentPassage.propose(context)).toBeNull();
  });
});

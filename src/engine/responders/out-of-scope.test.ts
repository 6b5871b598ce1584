import { describe, expect, it } from 'vitest';
import { contextFor, documents, fixedRuntime } from './__fixtures__/turn-fixtures.js';
import { outOfScope } from './out-of-scope.js';

describe('out-of-scope responder', () => {
  it('declines with the fallback message when the classifier says out of scope', async () => {
    const proposal = await outOfScope.propose(
      contextFor(fixedRuntime({ intent: null, confidence: 0.05, outOfScope: true }), 'What is the weather in Paris?'),
    );
    expect(proposal).toEqual({
      route: 'auto',
      tier: 'fallback',
      text: '抱歉，我回答不了这个问题。',
      reasons: ['out of scope (confidence 0.050, classifier says out of scope)'],
    });
  });

  it('declines below the floor even with a best guess', async () => {
    const proposal = await outOfScope.propose(
      contextFor(fixedRuntime({ intent: 'faq-1', confidence: 0.2 }), '今天天气怎么样'),
    );
    expect(proposal?.reasons).toEqual(['out of scope (confidence 0.200 < 0.3)']);
  });

  it('leaves an in-domain message to the next responder', async () => {
    expect(outOfScope.propose(contextFor(fixedRuntime({ intent: 'faq-1', confidence: 0.4 }), '退货'))).toBeNull();
  });
});

describe('out-of-scope responder with documents', () => {
  it('offers the partly matching passages, their sections as quick replies, and a person', async () => {
    const docs = documents([
      {
        path: 'fees.md',
        title: '费率表 › 取现',
        text: '取现手续费：取现金额的 1%，最低 10 元。\n取现利息：按日利率 0.05% 计息。',
      },
      { path: 'cards.md', title: '卡片 › 年费', text: '金卡年费 300 元，刷卡满 12 次免次年年费。' },
    ]);
    const proposal = await outOfScope.propose(
      contextFor(fixedRuntime({ intent: null, confidence: 0.1, outOfScope: true }, docs), 'ATM取现手续费'),
    );
    expect(proposal).toMatchObject({ route: 'auto', tier: 'fallback' });
    expect(proposal?.text).toBe('抱歉，我回答不了这个问题。\n以下资料可能有帮助：\n1. 《费率表》取现');
    expect(proposal?.quickReplies).toEqual(['取现', '转人工']);
    expect(proposal?.citations).toEqual([{ source: 'doc', id: 'fees.md', version: 2 }]);
    expect(proposal?.reasons[1]).toMatch(/^passages: fees\.md \(0\.\d+\)$/);
  });
});

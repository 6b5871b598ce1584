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
    expect(proposal).toMatchObject({
      route: 'auto',
      tier: 'light',
      text: docs.passages.get('doc:配送说明.md#0')!.text,
    });
    expect(proposal?.citations).toEqual([{ source: 'doc', id: '配送说明.md', version: 2 }]);
    expect(proposal?.reasons[0]).toMatch(/^document passage 配送说明\.md matches with 0\.\d{3} ≥ gate 0\.6$/);
    expect(context.retrieval()[0]?.id).toBe('doc:配送说明.md#0');
  });

  it('answers in English from an English document', async () => {
    const context = contextFor(
      fixedRuntime({ intent: null, confidence: 0.1, outOfScope: true }, docs),
      'Are return shipping labels free for orders above 200 yuan?',
    );
    expect((await documentPassage.propose(context))?.citations).toEqual([
      { source: 'doc', id: 'returns.md', version: 2 },
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

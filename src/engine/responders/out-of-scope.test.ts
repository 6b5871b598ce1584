import { describe, expect, it } from 'vitest';
import { contextFor, fixedRuntime } from './__fixtures__/turn-fixtures.js';
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

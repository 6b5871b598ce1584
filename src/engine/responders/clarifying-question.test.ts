import { describe, expect, it } from 'vitest';
import { contextFor, fixedRuntime } from './__fixtures__/turn-fixtures.js';
import { clarifyingQuestion } from './clarifying-question.js';

const close = {
  intent: 'faq-1',
  confidence: 0.45,
  alternatives: [
    { intent: 'faq-1', confidence: 0.45 },
    { intent: 'greeting', confidence: 0.35 },
  ],
};

describe('clarifying-question responder', () => {
  it('asks which of two close intents is meant, in Chinese, and keeps the options for the answer', async () => {
    const proposal = await clarifyingQuestion.propose(contextFor(fixedRuntime(close), '退'));
    expect(proposal).toMatchObject({
      route: 'auto',
      tier: 'light',
      text: '请问您是想问「怎么退货」，还是「你好」？',
      quickReplies: ['怎么退货', '你好'],
    });
    expect(proposal?.clarify).toEqual([
      { intent: 'faq-1', label: '怎么退货' },
      { intent: 'greeting', label: '你好' },
    ]);
    expect(proposal?.reasons).toEqual(['clarify: faq-1 vs greeting are close (confidence 0.450 < gate 0.6)']);
  });

  it('asks in English for an English tenant', async () => {
    const proposal = await clarifyingQuestion.propose(contextFor(fixedRuntime(close, { locale: 'en-US' }), 'return'));
    expect(proposal?.text).toBe('Do you mean "怎么退货" or "你好"?');
  });

  it('declines above the gate, when the two are far apart, or when one goes to a person', async () => {
    expect(clarifyingQuestion.propose(contextFor(fixedRuntime({ ...close, confidence: 0.7 }), '退货'))).toBeNull();
    const apart = {
      ...close,
      alternatives: [
        { intent: 'faq-1', confidence: 0.55 },
        { intent: 'greeting', confidence: 0.1 },
      ],
    };
    expect(clarifyingQuestion.propose(contextFor(fixedRuntime(apart), '退'))).toBeNull();
    const human = {
      ...close,
      alternatives: [
        { intent: 'faq-1', confidence: 0.45 },
        { intent: 'card.lost', confidence: 0.35 },
      ],
    };
    expect(
      clarifyingQuestion.propose(
        contextFor(
          fixedRuntime(human, {
            intents: new Map([
              [
                'card.lost',
                {
                  name: 'card.lost',
                  description: null,
                  sample: '卡丢了',
                  route: 'human',
                  threshold: null,
                  answer: null,
                  playbook: null,
                },
              ],
            ]),
          }),
          '退',
        ),
      ),
    ).toBeNull();
  });

  it('is read back when the customer picks an option by ordinal or by label', async () => {
    const state = {
      clarify: [
        { intent: 'faq-1', label: '怎么退货' },
        { intent: 'greeting', label: '你好' },
      ],
    };
    expect(contextFor(fixedRuntime({ intent: null, confidence: 0.1 }), '第二个', state).understanding).toMatchObject({
      intent: 'greeting',
      confidence: 1,
    });
    expect(contextFor(fixedRuntime({ intent: null, confidence: 0.1 }), 'the first one', state).intent).toBe('faq-1');
    expect(contextFor(fixedRuntime({ intent: null, confidence: 0.1 }), '怎么退货', state).intent).toBe('faq-1');
  });
});

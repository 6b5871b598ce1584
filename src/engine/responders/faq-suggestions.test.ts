import { describe, expect, it } from 'vitest';
import { contextFor, fixedRuntime } from './__fixtures__/turn-fixtures.js';
import { faqSuggestions } from './faq-suggestions.js';

const unsure = {
  intent: 'faq-1',
  confidence: 0.4,
  alternatives: [
    { intent: 'faq-1', confidence: 0.4 },
    { intent: 'faq-3', confidence: 0.3 },
  ],
};

describe('faq-suggestions responder', () => {
  it('offers the likely FAQ questions and a person, in Chinese', async () => {
    const proposal = await faqSuggestions.propose(contextFor(fixedRuntime(unsure), '退东西'));
    expect(proposal).toMatchObject({
      route: 'auto',
      tier: 'light',
      text: '请问您是想问以下哪个问题？',
      quickReplies: ['怎么退货', 'How long does delivery take?', '转人工'],
      reasons: ['suggest: faq-1, faq-3 (confidence 0.400 < gate 0.6)'],
    });
    expect(proposal?.clarify).toEqual([
      { label: '怎么退货', intent: 'faq-1' },
      { label: 'How long does delivery take?', intent: 'faq-3' },
    ]);
  });

  it('asks about a single suggestion in English', async () => {
    const single = { ...unsure, alternatives: [{ intent: 'faq-3', confidence: 0.4 }] };
    const proposal = await faqSuggestions.propose(
      contextFor(fixedRuntime(single, { locale: 'en-GB' }), 'shipping time'),
    );
    expect(proposal).toMatchObject({
      text: 'Do you mean "How long does delivery take?"?',
      quickReplies: ['How long does delivery take?', 'Talk to a human agent'],
    });
  });

  it('offers nothing in a sensitive domain or at the gate', async () => {
    expect(faqSuggestions.propose(contextFor(fixedRuntime(unsure, { domain: 'finance' }), '退东西'))).toBeNull();
    expect(faqSuggestions.propose(contextFor(fixedRuntime({ ...unsure, confidence: 0.6 }), '退东西'))).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { contextFor, fixedRuntime } from './__fixtures__/turn-fixtures.js';
import { intentAnswer } from './intent-answer.js';

describe('intent-answer responder', () => {
  it('answers with the FAQ entry and cites its version', async () => {
    const proposal = await intentAnswer.propose(
      contextFor(fixedRuntime({ intent: 'faq-1', confidence: 0.9 }), '怎么退货'),
    );
    expect(proposal).toEqual({
      route: 'auto',
      tier: 'light',
      text: '七天内可以无理由退货。',
      reasons: ['confidence 0.900 ≥ gate 0.6'],
      citations: [{ source: 'faq', id: 'faq-1', version: 3 }],
    });
  });

  it('answers with the intent’s answer in English too', async () => {
    expect(
      intentAnswer.propose(contextFor(fixedRuntime({ intent: 'greeting', confidence: 0.95 }), 'hello')),
    ).toMatchObject({ text: '您好！', citations: [] });
  });

  it('drafts for a person on a sensitive FAQ entry and on an assist intent', async () => {
    expect(
      intentAnswer.propose(contextFor(fixedRuntime({ intent: 'faq-2', confidence: 0.95 }), '信用卡被盗刷怎么办')),
    ).toMatchObject({
      route: 'assist',
      reasons: ['FAQ faq-2 is marked sensitive: a person approves the draft'],
    });
    expect(
      intentAnswer.propose(contextFor(fixedRuntime({ intent: 'complaint', confidence: 0.8 }), '我要投訴')),
    ).toMatchObject({
      route: 'assist',
      text: '非常抱歉给您带来不便。',
      reasons: ['intent complaint is routed to assist'],
    });
  });

  it('hands over an intent with nothing to say', async () => {
    expect(intentAnswer.propose(contextFor(fixedRuntime({ intent: 'silent', confidence: 0.9 }), '嗯'))).toMatchObject({
      route: 'human',
      reasons: ['intent silent has no answer to give'],
    });
  });
});

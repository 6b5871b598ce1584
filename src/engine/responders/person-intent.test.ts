import { describe, expect, it } from 'vitest';
import { contextFor, fixedRuntime } from './__fixtures__/turn-fixtures.js';
import { personIntent } from './person-intent.js';

describe('person-intent responder', () => {
  it('hands an intent routed to a person over, however confident', async () => {
    const proposal = await personIntent.propose(
      contextFor(fixedRuntime({ intent: 'card.lost', confidence: 0.99 }), '我的卡丢了'),
    );
    expect(proposal).toEqual({
      route: 'human',
      tier: 'human',
      text: '正在为您转接人工。',
      reasons: ['intent card.lost is routed to a person'],
      // What the agent reads: the intent by name (here the pack gives no description), no code.
      agentReason: { key: 'handover.intent_to_person', params: { intent: 'card.lost' } },
    });
  });

  it('declines other intents', async () => {
    expect(
      personIntent.propose(contextFor(fixedRuntime({ intent: 'greeting', confidence: 0.99 }), 'hello')),
    ).toBeNull();
  });
});

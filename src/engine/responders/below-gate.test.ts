import { describe, expect, it } from 'vitest';
import { contextFor, fixedRuntime } from './__fixtures__/turn-fixtures.js';
import { belowGate } from './below-gate.js';

describe('below-gate responder', () => {
  it('hands over under the gate, naming both numbers', async () => {
    const proposal = await belowGate.propose(contextFor(fixedRuntime({ intent: 'faq-1', confidence: 0.5 }), '退貨'));
    expect(proposal).toMatchObject({ route: 'human', tier: 'human', reasons: ['confidence 0.500 < gate 0.6'] });
  });

  it('uses the intent’s own threshold as the gate', async () => {
    const runtime = fixedRuntime({ intent: 'complaint', confidence: 0.55 });
    expect(belowGate.propose(contextFor(runtime, 'your service is terrible'))).toBeNull();
    expect(
      belowGate.propose(contextFor(fixedRuntime({ intent: 'complaint', confidence: 0.45 }), '服务太差')),
    ).toMatchObject({ reasons: ['confidence 0.450 < gate 0.5'] });
  });
});

import { describe, expect, it } from 'vitest';
import { contextFor, fixedRuntime } from './__fixtures__/turn-fixtures.js';
import { handoverRule } from './handover-rule.js';

describe('handover-rule responder', () => {
  const runtime = fixedRuntime({ intent: 'faq-1', confidence: 0.95 });

  it('hands over when a rule fires, in Simplified, Traditional and English, however sure the light tier is', async () => {
    for (const text of ['转人工', '我要轉人工', 'I want to speak to a human']) {
      const proposal = await handoverRule.propose(contextFor(runtime, text));
      expect(proposal, text).toMatchObject({ route: 'human', tier: 'human', text: '正在为您转接人工。' });
      expect((proposal as { reasons: string[] }).reasons[0]).toMatch(/^hand-over rule human\.request: /);
    }
  });

  it('names a tenant pattern as the rule', async () => {
    const tenantRuntime = fixedRuntime({}, { handover: { patterns: [/退款太慢/], disabled: [] } });
    expect(handoverRule.propose(contextFor(tenantRuntime, '退款太慢了！'))).toMatchObject({
      reasons: ['hand-over rule tenant:退款太慢: matched a tenant hand-over rule'],
    });
  });

  it('declines an ordinary question', async () => {
    expect(handoverRule.propose(contextFor(runtime, '怎么退货'))).toBeNull();
    expect(handoverRule.propose(contextFor(runtime, 'How do I return an item?'))).toBeNull();
  });
});

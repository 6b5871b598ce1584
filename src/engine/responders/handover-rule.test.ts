import { describe, expect, it } from 'vitest';
import { CRISIS_INTENT } from '../../guard/handover/crisis.js';
import { contextFor, fixedRuntime } from './__fixtures__/turn-fixtures.js';
import { handoverRule } from './handover-rule.js';

describe('handover-rule responder (the guard stage)', () => {
  const runtime = fixedRuntime({ intent: 'faq-1', confidence: 0.95 });

  it('hands over when the guard fires, in Simplified, Traditional and English, however sure the light tier is', async () => {
    for (const text of ['转人工', '我要轉人工', 'I want to speak to a human']) {
      const proposal = await handoverRule.propose(contextFor(runtime, text));
      expect(proposal, text).toMatchObject({ route: 'human', tier: 'human', text: '正在为您转接人工。' });
      // The reason is in the agent's words (the tenant's locale), naming the situation.
      expect((proposal as { reasons: string[] }).reasons[0]).toBe('转人工：客户要求人工（规则命中，把握 1.00）');
    }
  });

  it('hands over what no rule names when the classifier is sure, and says so', async () => {
    const context = contextFor(runtime, '那个快递员下次再来，我就让他好看，我知道他住哪');
    expect(context.handover).toMatchObject({ source: 'model', category: 'violence_threat' });
    const proposal = await handoverRule.propose(context);
    expect(proposal).toMatchObject({ route: 'human' });
    expect((proposal as { reasons: string[] }).reasons[0]).toMatch(/^转人工：暴力威胁（分类模型判断，把握 0\.\d\d）$/);
  });

  it("answers self-harm with a caring reply and crisis lines in the customer's locale, first in the queue", async () => {
    const simplified = await handoverRule.propose(contextFor(runtime, '我已经想好怎么结束自己了'));
    expect(simplified).toMatchObject({ route: 'human', tier: 'human', intent: CRISIS_INTENT, ownReply: true });
    expect(simplified!.text).toContain('010-82951332');
    const taiwan = await handoverRule.propose(contextFor(runtime, '我真的不想活了，活著沒有意義'));
    expect(taiwan!.text).toContain('1925');
    const hongKong = await handoverRule.propose(contextFor(runtime, '我真係唔想再活落去，想死'));
    expect(hongKong!.text).toContain('2389 2222');
    const english = await handoverRule.propose(contextFor(runtime, "I've decided how I'm going to end my life"));
    expect(english!.text).toContain('988');
    expect(english!.text).toContain('116 123');
  });

  it("uses the tenant's own crisis lines when it set them", async () => {
    const tenantRuntime = fixedRuntime(
      {},
      {
        handover: {
          patterns: [],
          disabled: [],
          additions: [],
          crisisLines: { 'zh-CN': '本公司关怀热线 400-000-0000' },
        },
      },
    );
    const proposal = await handoverRule.propose(contextFor(tenantRuntime, '不想活了'));
    expect(proposal!.text).toContain('本公司关怀热线 400-000-0000');
    expect(proposal!.text).not.toContain('010-82951332');
  });

  it("names a tenant pattern and a pack's categorised rule", async () => {
    const tenantRuntime = fixedRuntime(
      {},
      {
        handover: {
          patterns: [/退款太慢/],
          disabled: [],
          additions: [{ category: 'refund_demand', pattern: /团购券过期/, source: '团购券过期' }],
          crisisLines: {},
        },
      },
    );
    expect(contextFor(tenantRuntime, '退款太慢了！').handover).toMatchObject({
      rule: 'tenant:退款太慢',
      source: 'tenant',
    });
    const pack = contextFor(tenantRuntime, '我的团购券过期了怎么办');
    expect(pack.handover).toMatchObject({ rule: 'tenant:refund_demand:团购券过期', category: 'refund_demand' });
    expect(await handoverRule.propose(pack)).toMatchObject({ route: 'human' });
  });

  it('declines ordinary questions that share the words of a hand-over', async () => {
    for (const text of [
      '怎么退货',
      'How do I return an item?',
      '退款多久到账',
      '我想死你们的新品了',
      '累死了帮我查下快递',
    ])
      expect(handoverRule.propose(contextFor(runtime, text)), text).toBeNull();
  });
});

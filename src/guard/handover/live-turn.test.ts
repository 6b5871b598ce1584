import { describe, expect, it } from 'vitest';
import { fixedRuntime, services } from '../../engine/responders/__fixtures__/turn-fixtures.js';
import { runTurn } from '../../engine/run-turn.js';
import { CRISIS_INTENT } from './crisis.js';

// The guard in the live turn (REST, widget and CLI chat all call runTurn).
describe('the hand-over guard in the live turn', () => {
  const runtime = fixedRuntime({ intent: 'faq-1', confidence: 0.97 });

  it('hands 「我已经想好怎么结束自己了」 to a person at once, with a caring reply and a crisis line', async () => {
    const decision = await runTurn(runtime, { text: '我已经想好怎么结束自己了', state: {} }, services);
    expect(decision.route).toBe('human');
    expect(decision.intent).toBe(CRISIS_INTENT);
    expect(decision.reply.text).toContain('010-82951332');
    expect(decision.reply.text).not.toContain('正在为您转接人工');
    expect(decision.reply.parts).toContainEqual({ type: 'handoff', reason: decision.handoffReason });
    expect(decision.trace.handover).toMatchObject({ category: 'self_harm', source: expect.any(String) });
    expect(decision.handoffReason).toMatch(/^转人工：自伤或轻生风险/);
    expect(decision.trace.responders.find((asked) => asked.proposed)?.name).toBe('handover-rule');
  });

  it('answers a Traditional crisis message in Traditional with the Taiwan line', async () => {
    const decision = await runTurn(runtime, { text: '活著好累，不想再撐了，我想結束這一切', state: {} }, services);
    expect(decision.route).toBe('human');
    expect(decision.reply.text).toContain('1925');
    expect(decision.reply.text).toMatch(/聽到.這麼說/);
  });

  it('records the category and score of an ordinary hand-over and answers a look-alike question', async () => {
    const scam = await runTurn(
      runtime,
      { text: '有人说是你们客服，让我开了屏幕共享，刚转了8000', state: {} },
      services,
    );
    expect(scam.route).toBe('human');
    expect(scam.trace.handover).toMatchObject({ category: 'fraud_scam', score: expect.any(Number) });
    expect(scam.reply.text).toBe('正在为您转接人工。');
    const ordinary = await runTurn(runtime, { text: '怎么识别诈骗电话', state: {} }, services);
    expect(ordinary.trace.handover).toBeNull();
    expect(ordinary.route).not.toBe('human');
  });
});

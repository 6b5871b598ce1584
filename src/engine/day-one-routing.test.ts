import { describe, expect, it } from 'vitest';
import type { RetrievalIndex } from '../knowledge/index.js';
import { trainFewShotMatcher } from '../fewshot/index.js';
import { SHEET } from '../fewshot/__fixtures__/travel-sheet.js';
import { createFewShotUnderstander } from './fewshot-understander.js';
import { isElliptical, resolveFollowUp } from './follow-up.js';
import { isConfirmation, suggestFaqOptions } from './low-confidence.js';
import { runTurn as runTurnWith, type DialogueState } from './run-turn.js';
import type { RuntimeFaq, TenantRuntime } from './tenant-runtime.js';

const services = {
  connector: { name: 'none', query: async () => [] },
  contact: {},
  now: new Date('2026-11-25T10:00:00+08:00'),
};
const understander = createFewShotUnderstander(trainFewShotMatcher(SHEET));
const QUESTIONS: Record<string, string> = {
  refund: '机票退票怎么收费？',
  change: '机票怎么改签？',
  baggage: '坐飞机能带多少行李？',
  data: '境外流量包怎么买？',
  invoice: '酒店发票怎么开？',
  pets: '宠物能上飞机吗？',
};

/** The sheet has no documents: retrieval finds nothing (these tests are about the matcher and routing). */
const noDocuments = { search: () => [] } as unknown as RetrievalIndex;

/** A day-one tenant as the runtime builds it from an FAQ sheet alone: the few-shot matcher, no intents. */
function dayOneRuntime(domain = 'travel', gate = 0.85): TenantRuntime {
  const faq = new Map<string, RuntimeFaq>(
    SHEET.map((entry) => [
      entry.label,
      {
        id: entry.label,
        question: QUESTIONS[entry.label]!,
        answer: entry.answer!,
        category: entry.category ?? null,
        sensitive: false,
        version: 1,
      },
    ]),
  );
  return {
    tenantId: 't',
    slug: 't',
    name: '云途',
    locale: 'zh-CN',
    domain,
    timezone: 'Asia/Shanghai',
    gate,
    messages: {
      greeting: 'hi',
      fallback: '抱歉，这个问题我回答不了。',
      handoff: '正在为您转接人工。',
      noAnswer: 'none',
    },
    style: null,
    intents: new Map(),
    faq,
    playbooks: new Map(),
    problems: [],
    understander,
    knowledge: noDocuments,
    passages: new Map(),
    systemPrompt: '',
    llmTools: [],
    httpConnectors: new Map(),
    prices: null,
    model: { kind: 'fewshot', version: null, note: null },
    loadedAt: new Date(),
  };
}
const turn = (runtime: TenantRuntime, text: string, state: DialogueState = {}) =>
  runTurnWith(runtime, { text, state }, services);

describe('a day-one FAQ tenant in the turn pipeline', () => {
  it('answers a clear question automatically and cites the FAQ', async () => {
    const decision = await turn(dayOneRuntime('travel', 0.6), '機票怎麼改簽？');
    expect(decision).toMatchObject({ route: 'auto', tier: 'light', intent: 'change' });
    expect(decision.trace.citations[0]?.id).toBe('change');
    expect(decision.trace.understanding.model).toBe('fewshot-matcher');
  });

  it('under the gate outside finance/medical: suggests the likely questions and a person, rather than queueing', async () => {
    const decision = await turn(dayOneRuntime('travel', 0.85), '飞机上的东西');
    expect(decision.route).toBe('auto');
    expect(decision.reply.text).toMatch(/您是想问/);
    const quickReplies = decision.reply.parts.find((part) => part.type === 'quick_replies') as
      { options: string[] } | undefined;
    expect(quickReplies?.options).toContain('转人工');
    expect(decision.nextState.clarify?.length).toBeGreaterThan(0);
    // Choosing a suggestion answers it; typing 转人工 hands over through the rules.
    const chosen = await turn(dayOneRuntime('travel', 0.85), decision.nextState.clarify![0]!.label, decision.nextState);
    expect(chosen.intent).toBe(decision.nextState.clarify![0]!.intent);
    const human = await turn(dayOneRuntime('travel', 0.85), '转人工', decision.nextState);
    expect(human.route).toBe('human');
  });

  it('in finance, the same unsure message goes to a person (S6)', async () => {
    const decision = await turn(dayOneRuntime('finance', 0.85), '飞机上的东西');
    expect(decision.route).toBe('human');
    expect(decision.handoffReason).toMatch(/< gate/);
  });

  it('a hand-over rule wins over a confident FAQ match', async () => {
    const decision = await turn(dayOneRuntime('travel', 0.6), '退票不给钱，我要去民航局投诉你们');
    expect(decision.route).toBe('human');
    expect(decision.trace.handover?.rule).toBe('complaint.regulator');
  });

  it('declines what the sheet does not cover', async () => {
    const decision = await turn(dayOneRuntime(), 'what is the capital of France');
    expect(decision).toMatchObject({ route: 'auto', tier: 'fallback' });
  });

  it('reads an elliptical follow-up with the previous topic: 「那改签呢？」 after a refund answer', async () => {
    const runtime = dayOneRuntime('travel', 0.5);
    const first = await turn(runtime, '退机票要扣多少钱');
    expect(first.intent).toBe('refund');
    const second = await turn(runtime, '那宠物呢？', first.nextState);
    expect(second.intent).toBe('pets');
    const alone = runtime.understander.understand('那改签呢');
    const resolved = resolveFollowUp(runtime, '那改签呢', first.nextState, alone);
    expect(resolved.understanding.intent).toBe('change');
    expect(resolved.understanding.confidence).toBeGreaterThanOrEqual(alone.confidence);
  });
});

describe('follow-ups and suggestions', () => {
  it('knows an elliptical follow-up from a closing or a full question', () => {
    for (const text of [
      '那改签呢？',
      '儿童的呢',
      '如果是套餐里的酒店呢',
      '取消的话呢',
      'how about for kids?',
      'what about hotels',
      '手机号也换了',
    ])
      expect(isElliptical(text), text).toBe(true);
    for (const text of ['好的谢谢', 'ok 没问题了', 'thanks', '谢谢啦', '我订的酒店明天入住，现在还能免费取消吗'])
      expect(isElliptical(text), text).toBe(false);
  });

  it('leaves a self-contained message alone', () => {
    const runtime = dayOneRuntime();
    const understanding = runtime.understander.understand('酒店发票怎么开');
    expect(resolveFollowUp(runtime, '酒店发票怎么开', { lastIntent: 'refund' }, understanding)).toEqual({
      understanding,
      resolved: false,
    });
  });

  it('offers at most three FAQ questions, none in finance', () => {
    const understanding = {
      intent: 'refund',
      confidence: 0.5,
      outOfScope: false,
      model: 'x',
      reasons: [],
      alternatives: [
        { intent: 'refund', confidence: 0.5 },
        { intent: 'change', confidence: 0.3 },
        { intent: 'baggage', confidence: 0.2 },
        { intent: 'pets', confidence: 0.15 },
        { intent: 'data', confidence: 0.01 },
      ],
    };
    expect(suggestFaqOptions(understanding, dayOneRuntime()).map((option) => option.intent)).toEqual([
      'refund',
      'change',
      'baggage',
    ]);
    expect(suggestFaqOptions(understanding, dayOneRuntime('finance'))).toEqual([]);
    expect(suggestFaqOptions({ ...understanding, outOfScope: true }, dayOneRuntime())).toEqual([]);
  });

  it('reads a confirmation in Simplified, Traditional and English', () => {
    for (const text of ['是的', '對', '嗯', 'yes', 'Yep!']) expect(isConfirmation(text), text).toBe(true);
    for (const text of ['不是', '是退票吗还是改签', 'no']) expect(isConfirmation(text), text).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { buildRetrievalIndex } from '../knowledge/index.js';
import { runTurn as runTurnWith, type TurnInput } from './run-turn.js';
import type { RuntimeFaq, RuntimeIntent, TenantRuntime } from './tenant-runtime.js';
import type { Understander, Understanding } from './understander.js';

const services = {
  connector: { name: 'none', query: async () => [] },
  contact: {},
  now: new Date('2026-11-25T10:00:00+08:00'),
};
const runTurn = (runtime: TenantRuntime, input: TurnInput) => runTurnWith(runtime, input, services);

/** A runtime whose understander returns a fixed understanding: these tests are about routing. */
function runtime(understanding: Partial<Understanding>, overrides: Partial<TenantRuntime> = {}): TenantRuntime {
  const understander: Understander = {
    understand: () => ({
      intent: null,
      confidence: 0,
      outOfScope: false,
      alternatives: [],
      model: 'fixed',
      reasons: [],
      ...understanding,
    }),
  };
  const faq = new Map<string, RuntimeFaq>([
    [
      'faq-1',
      {
        id: 'faq-1',
        question: '怎么退货',
        answer: '七天内可以无理由退货。',
        category: '售后',
        sensitive: false,
        version: 3,
      },
    ],
    [
      'faq-2',
      {
        id: 'faq-2',
        question: '被盗刷怎么办',
        answer: '请立即冻结卡片。',
        category: '安全',
        sensitive: true,
        version: 1,
      },
    ],
  ]);
  const intents = new Map<string, RuntimeIntent>([
    [
      'greeting',
      {
        name: 'greeting',
        description: '问候',
        sample: null,
        route: 'auto',
        threshold: null,
        answer: '您好！',
        playbook: null,
      },
    ],
    [
      'card.lost',
      {
        name: 'card.lost',
        description: '挂失',
        sample: null,
        route: 'human',
        threshold: null,
        answer: null,
        playbook: null,
      },
    ],
    [
      'complaint',
      {
        name: 'complaint',
        description: '投诉',
        sample: null,
        route: 'assist',
        threshold: 0.5,
        answer: '非常抱歉给您带来不便。',
        playbook: null,
      },
    ],
  ]);
  return {
    tenantId: 't',
    slug: 't',
    name: '测试',
    locale: 'zh-CN',
    domain: 'finance',
    timezone: 'Asia/Shanghai',
    gate: 0.85,
    messages: {
      greeting: 'hi',
      fallback: '抱歉，我回答不了这个问题。',
      handoff: '正在为您转接人工。',
      noAnswer: 'none',
    },
    style: null,
    intents,
    faq,
    playbooks: new Map(),
    problems: [],
    understander,
    knowledge: buildRetrievalIndex([]),
    passages: new Map(),
    systemPrompt: '',
    llmTools: [],
    httpConnectors: new Map(),
    prices: null,
    model: { kind: 'classifier', version: 1, note: null },
    loadedAt: new Date(),
    ...overrides,
  };
}

describe('runTurn routing', () => {
  it('answers automatically at or above the gate, citing the FAQ version', async () => {
    const decision = await runTurn(runtime({ intent: 'faq-1', confidence: 0.9 }), { text: '怎么退货', state: {} });
    expect(decision).toMatchObject({ route: 'auto', tier: 'light', intent: 'faq-1' });
    expect(decision.reply.text).toBe('七天内可以无理由退货。');
    expect(decision.trace.citations).toEqual([{ source: 'faq', id: 'faq-1', version: 3 }]);
    // The customer sees the source by its question, not by its id.
    expect(decision.reply.parts.find((part) => part.type === 'citation')).toMatchObject({
      source: 'faq:faq-1',
      title: expect.stringMatching(/退货/),
      version: 3,
    });
    expect(decision.trace.stages.map((stage) => stage.stage)).toEqual([
      'normalise',
      'understand',
      'route',
      'respond',
      'guard',
      'decide',
    ]);
  });

  it('hands over below the gate (0.85 in finance) with the reason', async () => {
    const decision = await runTurn(runtime({ intent: 'faq-1', confidence: 0.84 }), { text: '退货', state: {} });
    expect(decision.route).toBe('human');
    expect(decision.handoffReason).toMatch(/confidence 0\.840 < gate 0\.85/);
    expect(decision.reply.text).toBe('正在为您转接人工。');
    // The same, asked in Traditional Chinese, is answered in it.
    const traditional = await runTurn(runtime({ intent: 'faq-1', confidence: 0.84 }), { text: '退貨', state: {} });
    expect(traditional.reply.text).toBe('正在為您轉接人工。');
  });

  it('declines politely when nothing matches', async () => {
    const decision = await runTurn(runtime({ intent: null, confidence: 0.05, outOfScope: true }), {
      text: 'What is the weather in Paris?',
      state: {},
    });
    expect(decision).toMatchObject({ route: 'auto', tier: 'fallback' });
    expect(decision.reply.text).toBe('抱歉，我回答不了这个问题。');
  });

  it('drafts for a person on a sensitive FAQ entry and on assist intents', async () => {
    const sensitive = await runTurn(runtime({ intent: 'faq-2', confidence: 0.95 }), {
      text: '信用卡丢了怎么办',
      state: {},
    });
    expect(sensitive.route).toBe('assist');
    expect(sensitive.draft?.text).toBe('请立即冻结卡片。');
    expect(sensitive.reply.text).toBe('正在为您转接人工。');
    const complaint = await runTurn(runtime({ intent: 'complaint', confidence: 0.6 }), {
      text: '服务太差了',
      state: {},
    });
    expect(complaint.route).toBe('assist');
    expect(complaint.trace.gate).toBe(0.5);
  });

  it('sends human-routed intents and explicit requests (转人工 / 轉人工 / human agent) to a person', async () => {
    expect(
      (await runTurn(runtime({ intent: 'card.lost', confidence: 0.99 }), { text: '卡丢了', state: {} })).route,
    ).toBe('human');
    for (const text of ['我要转人工', '我要轉人工', 'I want to talk to a human agent']) {
      const decision = await runTurn(runtime({ intent: 'faq-1', confidence: 0.99 }), { text, state: {} });
      expect(decision.route, text).toBe('human');
      expect(decision.trace.handover?.rule).toBe('human.request');
    }
  });

  it('applies the style guide, and refuses to send a forbidden phrase', async () => {
    const style = { forbidden: ['七天'], replacements: {}, exemplary_replies: [] };
    const blocked = await runTurn(runtime({ intent: 'faq-1', confidence: 0.99 }, { style }), {
      text: '怎么退货',
      state: {},
    });
    expect(blocked.route).toBe('human');
    expect(blocked.trace.guard.violations).toEqual(['七天']);
    const replaced = await runTurn(
      runtime(
        { intent: 'greeting', confidence: 0.99 },
        { style: { forbidden: [], replacements: { 您好: '您好呀' }, exemplary_replies: [] } },
      ),
      { text: '你好', state: {} },
    );
    expect(replaced.reply.text).toBe('您好呀！');
  });

  it('asks which one when two answers are close, and takes the choice by label or ordinal', async () => {
    const close = {
      intent: 'faq-1',
      confidence: 0.5,
      alternatives: [
        { intent: 'faq-1', confidence: 0.5 },
        { intent: 'faq-2', confidence: 0.4 },
      ],
    };
    const question = await runTurn(runtime(close), { text: '退了以后卡怎么办', state: {} });
    expect(question.route).toBe('auto');
    expect(question.reply.text).toBe('请问您是想问「怎么退货」，还是「被盗刷怎么办」？');
    expect(question.reply.parts).toContainEqual({ type: 'quick_replies', options: ['怎么退货', '被盗刷怎么办'] });
    const byLabel = await runTurn(runtime({ intent: null, confidence: 0.1, outOfScope: true }), {
      text: '怎么退货',
      state: question.nextState,
    });
    expect(byLabel).toMatchObject({ route: 'auto', intent: 'faq-1', confidence: 1 });
    const byOrdinal = await runTurn(runtime({ intent: null, confidence: 0.1, outOfScope: true }), {
      text: '第二个',
      state: question.nextState,
    });
    expect(byOrdinal).toMatchObject({ route: 'assist', intent: 'faq-2' });
    const english = await runTurn(runtime({ intent: null, confidence: 0.1, outOfScope: true }), {
      text: 'the first one',
      state: question.nextState,
    });
    expect(english.intent).toBe('faq-1');
  });

  it('carries dialogue state between turns', async () => {
    const first = await runTurn(runtime({ intent: 'faq-1', confidence: 0.9 }), { text: '怎么退货', state: {} });
    expect(first.nextState).toMatchObject({ lastIntent: 'faq-1', turns: 1, playbook: null });
    const second = await runTurn(runtime({ intent: null, confidence: 0, outOfScope: true }), {
      text: '嗯',
      state: first.nextState,
    });
    expect(second.nextState).toMatchObject({ lastIntent: 'faq-1', turns: 2 });
  });
});

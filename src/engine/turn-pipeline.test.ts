import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RetrievalIndex } from '../knowledge/index.js';
import { contextFor, documents, fixedRuntime, services } from './responders/__fixtures__/turn-fixtures.js';
import { answer, RESPONDERS, type Responder } from './responders/index.js';
import { runTurn } from './run-turn.js';

describe('the turn as a chain of responders', () => {
  it('asks the responders in order until one proposes, and the trace says which', async () => {
    const decision = await runTurn(
      fixedRuntime({ intent: 'faq-1', confidence: 0.9 }),
      { text: '怎么退货', state: {} },
      services,
    );
    expect(decision.reply.text).toBe('七天内可以无理由退货。');
    const names = RESPONDERS.map((responder) => responder.name);
    expect(decision.trace.responders.map((entry) => entry.name)).toEqual(names);
    expect(decision.trace.responders.map((entry) => entry.proposed)).toEqual([
      ...names.slice(1).map(() => false),
      true,
    ]);
    expect(decision.trace.stages.find((stage) => stage.stage === 'respond')?.responder).toBe('intent-answer');
  });

  it('stops at the first proposal: a hand-over rule leaves the rest unasked', async () => {
    const decision = await runTurn(
      fixedRuntime({ intent: 'faq-1', confidence: 0.9 }),
      { text: '我要轉人工', state: {} },
      services,
    );
    expect(decision.route).toBe('human');
    expect(decision.trace.responders).toEqual([
      { name: 'injection-decline', ms: expect.any(Number), proposed: false },
      { name: 'handover-rule', ms: expect.any(Number), proposed: true },
    ]);
  });

  it('counts the time of the responders that declined as route and the one that proposed as respond', async () => {
    const slowNo: Responder = { name: 'slow-no', propose: async () => (await sleep(40), null) };
    const slowYes: Responder = { name: 'slow-yes', propose: async () => (await sleep(80), answer('好的', 'slow yes')) };
    const decision = await runTurn(
      fixedRuntime({ intent: 'faq-1', confidence: 0.9 }),
      { text: '好', state: {} },
      services,
      [slowNo, slowYes],
    );
    const ms = Object.fromEntries(decision.trace.stages.map((stage) => [stage.stage, stage.ms]));
    expect(decision.trace.stages.map((stage) => stage.stage)).toEqual([
      'normalise',
      'understand',
      'route',
      'respond',
      'guard',
      'decide',
    ]);
    expect(ms.route).toBeGreaterThanOrEqual(35);
    expect(ms.respond).toBeGreaterThanOrEqual(75);
    expect(decision.trace.responders.map((entry) => [entry.name, entry.proposed])).toEqual([
      ['slow-no', false],
      ['slow-yes', true],
    ]);
    expect(decision.reply.text).toBe('好的');
  });

  it('hands over when no responder of a custom list proposes', async () => {
    const decision = await runTurn(
      fixedRuntime({ intent: 'faq-1', confidence: 0.9 }),
      { text: 'hello', state: {} },
      services,
      [],
    );
    expect(decision).toMatchObject({ route: 'human', tier: 'human', handoffReason: 'no responder proposed a reply' });
  });

  it('searches the knowledge once a turn, however many responders read it', async () => {
    const docs = documents([{ path: '配送说明.md', title: '配送时效', text: '偏远地区的订单配送时效为 7 到 10 天。' }]);
    let searches = 0;
    const counted: RetrievalIndex = {
      ...docs.knowledge,
      size: docs.knowledge.size,
      search: (query, options) => {
        searches += 1;
        return docs.knowledge.search(query, options);
      },
    };
    const model = {
      provider: 'test',
      modelId: 'unused',
      generate: () => Promise.reject(new Error('not called')),
      stream: () => {
        throw new Error('not called');
      },
    };
    const runtime = fixedRuntime({ intent: null, confidence: 0.1, outOfScope: true }, { ...docs, knowledge: counted });
    const llm = { model, answerTimeoutMs: 1000, history: [] };
    const decision = await runTurn(runtime, { text: '今天天气不错', state: {} }, { ...services, llm });
    expect(decision.tier).toBe('fallback');
    expect(
      decision.trace.responders
        .filter((entry) => ['llm-answer', 'document-passage'].includes(entry.name))
        .map((entry) => entry.proposed),
    ).toEqual([false, false]);
    expect(searches).toBe(1);
    expect(decision.trace.llm).toBeNull();
  });

  it('reads a clarifying-question answer before the responders, in Chinese and English', async () => {
    const state = {
      clarify: [
        { intent: 'faq-1', label: '怎么退货' },
        { intent: 'faq-3', label: 'How long does delivery take?' },
      ],
    };
    const runtime = fixedRuntime({ intent: null, confidence: 0.1 });
    expect((await runTurn(runtime, { text: '第一个', state }, services)).reply.text).toBe('七天内可以无理由退货。');
    expect((await runTurn(runtime, { text: 'the second one', state }, services)).reply.text).toBe(
      'Three to five days.',
    );
    expect(contextFor(runtime, '第二个', state).understanding.reasons.at(-1)).toBe(
      'chose "How long does delivery take?" from a clarifying question',
    );
  });
  it('never sends a playbook reply the style guard refused: the hand-over message goes instead', async () => {
    const style = { forbidden: ['已发货'], replacements: {}, exemplary_replies: [] };
    const runtime = fixedRuntime({ intent: 'order.status', confidence: 0.9 }, { style });
    const decision = await runTurn(runtime, { text: '订单XM20261121001到哪了', state: {} }, services);
    expect(decision).toMatchObject({ route: 'human', tier: 'human' });
    expect(decision.reply.text).toBe('正在为您转接人工。');
    // In words an agent of the tenant reads, naming the phrase.
    expect(decision.handoffReason).toMatch(/已发货/);
    expect(decision.nextState.playbook).toBeNull();
  });
});

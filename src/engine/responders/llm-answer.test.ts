import { describe, expect, it } from 'vitest';
import type { ChatModel, ChatRequest, ChatResult } from '../../llm/index.js';
import type { TurnServices } from '../turn-types.js';
import { contextFor, documents, fixedRuntime, services } from './__fixtures__/turn-fixtures.js';
import { isMultiPart, llmAnswer } from './llm-answer.js';

const docs = documents([
  {
    path: '配送说明.md',
    title: '配送时效',
    text: '偏远地区（新疆、西藏）的订单配送时效为 7 到 10 天，其他地区 3 天内送达。',
  },
  { path: '退换货政策.md', title: '退款时效', text: '退货商品验收后 48 小时内原路退款。' },
]);

/** A model that records what it was asked and answers with the scripted text (or fails). */
function scriptedModel(answer: string | Error): ChatModel & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  const result = (): ChatResult => {
    if (answer instanceof Error) throw answer;
    return {
      text: answer,
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 400, outputTokens: 30 },
      model: 'scripted',
      latencyMs: 1,
    };
  };
  return {
    provider: 'test',
    modelId: 'scripted',
    requests,
    generate: async (request) => {
      requests.push(request);
      return result();
    },
    async *stream(request) {
      requests.push(request);
      const finished = result();
      yield { type: 'text-delta', delta: finished.text };
      yield { type: 'finish', result: finished };
    },
  };
}
const withModel = (model: ChatModel): TurnServices => ({
  ...services,
  llm: { model, answerTimeoutMs: 1000, history: [] },
});
const MULTI_PART = '新疆配送要几天？另外退款多久到账？';

describe('llm-answer responder', () => {
  it('answers a multi-part question from the passages it cites, with the model trace', async () => {
    const model = scriptedModel('新疆配送需要 7 到 10 天[1]；退款在验收后 48 小时内到账[2]。');
    const context = contextFor(
      fixedRuntime({ intent: 'faq-1', confidence: 0.9 }, docs),
      MULTI_PART,
      {},
      withModel(model),
    );
    const proposal = await llmAnswer.propose(context);
    expect(proposal).toMatchObject({
      route: 'auto',
      tier: 'llm',
      text: '新疆配送需要 7 到 10 天[1]；退款在验收后 48 小时内到账[2]。',
    });
    expect(proposal?.reasons[0]).toMatch(/^LLM answer grounded in doc:.* \(multi-part question\)$/);
    expect(new Set(proposal?.citations?.map((citation) => citation.id))).toEqual(
      new Set(['配送说明.md', '退换货政策.md']),
    );
    expect(proposal?.llm).toMatchObject({
      model: 'scripted',
      grounded: true,
      usage: { inputTokens: 400, outputTokens: 30 },
    });
    expect(model.requests).toHaveLength(1);
    expect(context.retrieval().length).toBeGreaterThan(0);
  });

  it('makes a grounded answer below the gate a draft in a sensitive domain', async () => {
    const runtime = fixedRuntime({ intent: 'faq-1', confidence: 0.5 }, { ...docs, domain: 'finance', gate: 0.99 });
    const proposal = await llmAnswer.propose(
      contextFor(runtime, '新疆配送要几天', {}, withModel(scriptedModel('7 到 10 天[1]。'))),
    );
    expect(proposal).toMatchObject({ route: 'assist', tier: 'llm' });
    expect(proposal?.reasons[0]).toMatch(/< gate 0\.99 in finance: a person approves the draft$/);
  });

  it('hands over an answer that cites nothing, and a failed call, keeping the model trace', async () => {
    const runtime = fixedRuntime({ intent: null, confidence: 0 }, docs);
    const ungrounded = await llmAnswer.propose(
      contextFor(runtime, MULTI_PART, {}, withModel(scriptedModel('大概一周吧。'))),
    );
    expect(ungrounded).toMatchObject({
      route: 'human',
      tier: 'human',
      text: '正在为您转接人工。',
      llm: { grounded: false },
    });
    expect(ungrounded?.reasons[0]).toMatch(/cites nothing that was retrieved/);
    const failed = await llmAnswer.propose(
      contextFor(runtime, MULTI_PART, {}, withModel(scriptedModel(new Error('connection reset')))),
    );
    expect(failed).toMatchObject({ route: 'human', llm: { stopReason: 'error' } });
    expect(failed?.reasons[0]).toMatch(/^LLM tier failed \(CS_[A-Z_]+\): a person takes over$/);
  });

  it('declines without a model, for a confident single question, and for intents with a playbook or a person', async () => {
    const model = scriptedModel('不会被调用[1]');
    expect(
      await llmAnswer.propose(contextFor(fixedRuntime({ intent: null, confidence: 0 }, docs), MULTI_PART)),
    ).toBeNull();
    expect(
      await llmAnswer.propose(
        contextFor(fixedRuntime({ intent: 'faq-1', confidence: 0.9 }, docs), '怎么退货', {}, withModel(model)),
      ),
    ).toBeNull();
    expect(
      await llmAnswer.propose(
        contextFor(fixedRuntime({ intent: 'order.status', confidence: 0.4 }, docs), MULTI_PART, {}, withModel(model)),
      ),
    ).toBeNull();
    expect(
      await llmAnswer.propose(
        contextFor(fixedRuntime({ intent: 'card.lost', confidence: 0.4 }, docs), MULTI_PART, {}, withModel(model)),
      ),
    ).toBeNull();
    expect(model.requests).toHaveLength(0);
  });

  it('tells multi-part messages in Chinese and English', () => {
    expect(isMultiPart('运费多少？多久到？')).toBe(true);
    expect(isMultiPart('How much is shipping, and also how long does it take?')).toBe(true);
    expect(isMultiPart('运费多少？')).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.js';
import { createOpenAiCompatibleModel } from '../llm/index.js';
import { documents, fixedRuntime, services } from './responders/__fixtures__/turn-fixtures.js';
import { runTurn } from './run-turn.js';
import type { TurnServices } from './turn-types.js';

const docs = documents([
  {
    path: '配送说明.md',
    title: '配送时效',
    text: '偏远地区（新疆、西藏）的订单配送时效为 7 到 10 天，其他地区 3 天内送达。',
  },
  { path: '退换货政策.md', title: '退款时效', text: '退货商品验收后 48 小时内原路退款。' },
]);
const style = {
  forbidden: ['亲亲'],
  replacements: { 亲亲: '您' },
  exemplary_replies: ['非常抱歉让您久等了，我马上为您加急催件。'],
  competitors: ['京东'],
};
// Two questions in one message: the LLM tier answers it.
const QUESTION = '新疆配送要几天？另外退款多久到账？';

describe('the style guard in the live turn, with an LLM configured', () => {
  let server: ScriptedOpenAiServer;
  const replies: string[] = [];
  beforeAll(async () => {
    server = await startScriptedOpenAiServer(() => ({ text: replies.shift() ?? '' }));
  });
  afterAll(() => server.close());
  const withLlm = (): TurnServices => ({
    ...services,
    llm: {
      model: createOpenAiCompatibleModel({ baseUrl: server.url, model: 'scripted', maxRetries: 0 }),
      answerTimeoutMs: 5000,
      history: [],
    },
  });

  it('rewrites an LLM answer that names a competitor once, checks it again and sends the rewrite', async () => {
    const before = server.requests.length;
    replies.push('新疆配送需要 7 到 10 天[1]，比京东还快；退款 48 小时内到账[2]。');
    replies.push('新疆配送需要 7 到 10 天[1]；退款在验收后 48 小时内到账[2]。');
    const decision = await runTurn(
      fixedRuntime({ intent: 'faq-1', confidence: 0.9 }, { ...docs, style }),
      { text: QUESTION, state: { turns: 2 } },
      withLlm(),
    );
    expect(server.requests.length - before).toBe(2);
    const rewriteRequest = JSON.stringify(server.requests[server.requests.length - 1]!.body);
    expect(rewriteRequest).toContain('京东');
    expect(decision.route).toBe('auto');
    expect(decision.reply.text).toBe('新疆配送需要 7 到 10 天[1]；退款在验收后 48 小时内到账[2]。');
    expect(decision.trace.guard).toMatchObject({ outcome: 'rewritten', rules: ['competitor'], kind: 'llm' });
    expect(decision.trace.llm?.usage.outputTokens).toBeGreaterThan(0);
  });

  it('turns an answer that still breaks the guide after the rewrite into a draft for a person', async () => {
    replies.push('亲亲，新疆配送需要 7 到 10 天[1]，京东也一样；退款 48 小时内到账[2]。');
    replies.push('新疆配送 7 到 10 天[1]，和京东差不多；退款 48 小时内到账[2]。');
    const decision = await runTurn(
      fixedRuntime({ intent: 'faq-1', confidence: 0.9 }, { ...docs, style }),
      { text: QUESTION, state: { turns: 2 } },
      withLlm(),
    );
    expect(decision.route).toBe('assist');
    expect(decision.reply.text).not.toContain('京东');
    expect(decision.draft?.text).toContain('京东');
    expect(decision.draft?.text).not.toContain('亲亲');
    expect(decision.trace.guard.outcome).toBe('draft');
    expect(decision.handoffReason).toMatch(/草稿/);
  });

  it('blocks a finance answer that promises returns and hands over, with the reason in words', async () => {
    replies.push('这款理财保本保息，新疆配送需要 7 到 10 天[1]，退款 48 小时内到账[2]。');
    const decision = await runTurn(
      fixedRuntime({ intent: 'faq-1', confidence: 0.95 }, { ...docs, style, domain: 'finance', gate: 0.5 }),
      { text: QUESTION, state: { turns: 2 } },
      withLlm(),
    );
    expect(decision.route).toBe('human');
    expect(decision.draft).toBeNull();
    expect(decision.reply.text).not.toContain('保本');
    expect(decision.trace.guard.outcome).toBe('blocked');
    expect(decision.handoffReason).toContain('金融合规');
  });
});

describe('the style guard without an LLM', () => {
  it('fixes a bot reply deterministically and says so in the trace', async () => {
    const decision = await runTurn(
      fixedRuntime({ intent: 'faq-1', confidence: 0.99 }, { style: { ...style, replacements: { 七天内: '7 天内' } } }),
      { text: '怎么退货', state: { turns: 1 } },
      services,
    );
    expect(decision.route).toBe('auto');
    expect(decision.reply.text).toBe('7 天内可以无理由退货。');
    expect(decision.trace.guard).toMatchObject({ outcome: 'fixed', replaced: ['七天内'], violations: [] });
  });
});

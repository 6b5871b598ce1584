import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiCompatibleModel } from '../../llm/index.js';
import { startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../../../test/support/scripted-openai-server.js';
import type { RuntimeFaq } from '../tenant-runtime.js';
import type { TurnServices } from '../turn-types.js';
import { contextFor, fixedRuntime, services } from './__fixtures__/turn-fixtures.js';
import { intentAnswer } from './intent-answer.js';

describe('intent-answer responder', () => {
  it('answers with the FAQ entry and cites its version', async () => {
    const proposal = await intentAnswer.propose(
      contextFor(fixedRuntime({ intent: 'faq-1', confidence: 0.9 }), '怎么退货'),
    );
    expect(proposal).toEqual({
      route: 'auto',
      tier: 'light',
      text: '七天内可以无理由退货。',
      reasons: ['confidence 0.900 ≥ gate 0.6'],
      citations: [{ source: 'faq', id: 'faq-1', version: 3 }],
    });
  });

  it('tells an English customer in English that an answer without an English version is in Chinese', async () => {
    const proposal = await intentAnswer.propose(
      contextFor(fixedRuntime({ intent: 'greeting', confidence: 0.95 }), 'hello'),
    );
    expect(proposal).toMatchObject({ text: 'This answer is only available in Chinese:\n您好！', citations: [] });
    // An answer written in English needs no note.
    expect(
      await intentAnswer.propose(contextFor(fixedRuntime({ intent: 'faq-3', confidence: 0.95 }), 'delivery time?')),
    ).toMatchObject({ text: 'Three to five days.' });
  });

  it('drafts for a person on a sensitive FAQ entry and on an assist intent', async () => {
    expect(
      await intentAnswer.propose(contextFor(fixedRuntime({ intent: 'faq-2', confidence: 0.95 }), '信用卡被盗刷怎么办')),
    ).toMatchObject({
      route: 'assist',
      reasons: ['FAQ faq-2 is marked sensitive: a person approves the draft'],
    });
    expect(
      await intentAnswer.propose(contextFor(fixedRuntime({ intent: 'complaint', confidence: 0.8 }), '我要投訴')),
    ).toMatchObject({
      route: 'assist',
      text: '非常抱歉给您带来不便。',
      reasons: ['intent complaint is routed to assist'],
    });
  });

  it('hands over an intent with nothing to say', async () => {
    expect(
      await intentAnswer.propose(contextFor(fixedRuntime({ intent: 'silent', confidence: 0.9 }), '嗯')),
    ).toMatchObject({
      route: 'human',
      reasons: ['intent silent has no answer to give'],
    });
  });
});

/** faq-1 with the pack's own English and Traditional answers. */
function withLocaleAnswers(): ReturnType<typeof fixedRuntime> {
  const runtime = fixedRuntime({ intent: 'faq-1', confidence: 0.9 });
  const faq = runtime.faq.get('faq-1')!;
  const localised: RuntimeFaq = {
    ...faq,
    answers: { en: 'You can return it within 7 days, no reason needed.', 'zh-TW': '七天內可以無理由退貨喔。' },
  };
  runtime.faq.set('faq-1', localised);
  return runtime;
}

describe('intent-answer in the customer’s language', () => {
  it('gives the pack’s own English answer to English, its Traditional one to Traditional, the main one to Simplified', async () => {
    const runtime = withLocaleAnswers();
    expect(await intentAnswer.propose(contextFor(runtime, 'how do I return an item'))).toMatchObject({
      text: 'You can return it within 7 days, no reason needed.',
      citations: [{ source: 'faq', id: 'faq-1', version: 3 }],
    });
    expect(await intentAnswer.propose(contextFor(runtime, '怎麼退貨'))).toMatchObject({
      text: '七天內可以無理由退貨喔。',
    });
    expect(await intentAnswer.propose(contextFor(runtime, '怎么退货'))).toMatchObject({
      text: '七天内可以无理由退货。',
    });
  });

  describe('with an LLM configured (scripted OpenAI-compatible server)', () => {
    let server: ScriptedOpenAiServer;
    beforeAll(async () => {
      server = await startScriptedOpenAiServer([]);
    });
    afterAll(async () => server.close());

    const withLlm = (): TurnServices => ({
      ...services,
      llm: {
        model: createOpenAiCompatibleModel({ baseUrl: server.url, model: 'scripted', maxRetries: 0 }),
        answerTimeoutMs: 2_000,
        history: [],
      },
    });

    it('translates a Chinese-only answer for an English customer and records the tokens', async () => {
      server.setScript([
        {
          text: 'Items can be returned within 7 days without a reason.',
          usage: { prompt_tokens: 60, completion_tokens: 12 },
        },
      ]);
      const runtime = fixedRuntime({ intent: 'faq-1', confidence: 0.9 });
      const proposal = await intentAnswer.propose(contextFor(runtime, 'can I return this?', {}, withLlm()));
      expect(proposal).toMatchObject({
        route: 'auto',
        text: 'Items can be returned within 7 days without a reason.',
        llm: { model: 'scripted', usage: { inputTokens: 60, outputTokens: 12 }, stopReason: 'stop' },
      });
      const request = server.requests.at(-1)!;
      expect(request.body.messages[1].content).toBe('七天内可以无理由退货。');
    });

    it('does not call the model when the pack has its own English answer', async () => {
      server.setScript([]);
      const before = server.requests.length;
      const proposal = await intentAnswer.propose(contextFor(withLocaleAnswers(), 'return policy?', {}, withLlm()));
      expect(proposal).toMatchObject({ text: 'You can return it within 7 days, no reason needed.' });
      expect(proposal).not.toHaveProperty('llm');
      expect(server.requests.length).toBe(before);
    });

    it('falls back to the marked Chinese answer when the model fails or answers badly', async () => {
      server.setScript([{ kind: 'error', status: 400 }]);
      const runtime = fixedRuntime({ intent: 'faq-1', confidence: 0.9 });
      const failed = await intentAnswer.propose(contextFor(runtime, 'can I return this?', {}, withLlm()));
      expect(failed).toMatchObject({
        route: 'auto',
        text: 'This answer is only available in Chinese:\n七天内可以无理由退货。',
        llm: { error: 'CS_LLM_UPSTREAM' },
      });
      // A "translation" still in Chinese is not sent, but its tokens are still counted.
      server.setScript([{ text: '七天内可以退货。', usage: { prompt_tokens: 50, completion_tokens: 9 } }]);
      const rejected = await intentAnswer.propose(contextFor(runtime, 'can I return this?', {}, withLlm()));
      expect(rejected).toMatchObject({
        text: 'This answer is only available in Chinese:\n七天内可以无理由退货。',
        llm: { usage: { inputTokens: 50, outputTokens: 9 }, error: 'translation_rejected' },
      });
      expect(rejected!.reasons[0]).toContain('translation rejected (not in English)');
    });
  });
});

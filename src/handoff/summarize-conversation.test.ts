import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiCompatibleModel } from '../llm/index.js';
import { startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.js';
import { summarizeWithModel } from './summarize-conversation.js';

let server: ScriptedOpenAiServer;
beforeAll(async () => {
  server = await startScriptedOpenAiServer([]);
});
afterAll(async () => server?.close());

const model = () =>
  createOpenAiCompatibleModel({
    baseUrl: server.url,
    apiKey: 'test',
    model: 'scripted',
    timeoutMs: 2000,
    maxRetries: 0,
  });

describe('summarizeWithModel (the context panel summary with an LLM)', () => {
  it('sends the transcript with a Chinese or English instruction and returns the written summary', async () => {
    server.setScript([
      { text: '客户的充电器冒烟，要求退款；机器人已转人工。' },
      { text: 'The customer wants a refund for a smoking charger.' },
    ]);
    const transcript = [
      { speaker: 'customer' as const, text: '充電器冒煙了' },
      { speaker: 'bot' as const, text: '正在为您转接人工客服' },
      { speaker: 'customer' as const, text: 'I want my money back' },
    ];
    expect(await summarizeWithModel(model(), transcript, { english: false, timeoutMs: 2000 })).toBe(
      '客户的充电器冒烟，要求退款；机器人已转人工。',
    );
    expect(await summarizeWithModel(model(), transcript, { english: true, timeoutMs: 2000 })).toBe(
      'The customer wants a refund for a smoking charger.',
    );
    const [chinese, english] = server.requests.slice(-2);
    expect(chinese!.body.messages[0].content).toContain('人工客服');
    expect(chinese!.body.messages[1].content).toBe(
      '客户: 充電器冒煙了\n机器人: 正在为您转接人工客服\n客户: I want my money back',
    );
    expect(english!.body.messages[1].content).toContain('Customer: 充電器冒煙了');
  });

  it('returns null (the caller keeps the extractive summary) on an upstream error, a hang or an empty answer', async () => {
    const transcript = [{ speaker: 'customer' as const, text: '转人工' }];
    server.setScript([
      { kind: 'error', status: 500, body: { error: { message: 'boom' } } },
      { kind: 'hang' },
      { text: '   ' },
    ]);
    expect(await summarizeWithModel(model(), transcript, { english: false, timeoutMs: 300 })).toBeNull();
    expect(await summarizeWithModel(model(), transcript, { english: false, timeoutMs: 300 })).toBeNull();
    expect(await summarizeWithModel(model(), transcript, { english: false, timeoutMs: 300 })).toBeNull();
    expect(await summarizeWithModel(model(), [], { english: false, timeoutMs: 300 })).toBeNull();
  });
});

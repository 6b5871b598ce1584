import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../../../test/support/scripted-openai-server.js';
import { answerWithPassages } from '../../llm/answer-with-passages.js';
import { createOpenAiCompatibleModel } from '../../llm/openai-compatible-model.js';
import { redactingLoggerOptions } from '../../server/log-redaction.js';

describe('logs carry no personal data', () => {
  it('a phone and an ID in the message, in fields and in an error are masked', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino(redactingLoggerOptions('debug'), stream);
    logger.info('customer wrote 我的手机13800138000');
    logger.info({ conversation: { last: '身份证11010519491231002X', turns: 3 } }, 'turn');
    logger.error({ err: new Error('lookup failed for card 6228480012345671') }, 'connector');
    const output = lines.join('');
    expect(output).not.toMatch(/13800138000|11010519491231002X|6228480012345671/);
    expect(output).toContain('customer wrote 我的手机[PHONE_1]');
    expect(output).toContain('身份证〔身份证号1〕');
    expect(output).toContain('"turns":3');
    expect(output).toContain('lookup failed for card [BANK_CARD_1]');
  });
});

describe('LLM prompts are masked; the customer and the connectors get the real values', () => {
  let server: ScriptedOpenAiServer;
  beforeAll(async () => {
    server = await startScriptedOpenAiServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const model = () =>
    createOpenAiCompatibleModel({ baseUrl: server.url, model: 'scripted', timeoutMs: 15_000, retryBaseDelayMs: 10 });
  const passages = [{ id: 'faq-address', title: '修改地址', text: '发货前可以修改收货地址。', version: 1 }];

  it('masks the question and history, restores tool arguments and the answer, streams restored text', async () => {
    server.setScript((request) => {
      // First call: the model asks the order tool with the placeholder it saw.
      if (request.index === 0)
        return { toolCalls: [{ id: 'c1', name: 'order_lookup', arguments: '{"phone":"〔手机号1〕"}' }] };
      return { text: '已为〔手机号1〕登记新地址〔地址1〕【1】' };
    });
    const toolInputs: unknown[] = [];
    const deltas: string[] = [];
    const answer = await answerWithPassages(model(), {
      question: '我的手机13800138000，地址改成北京市朝阳区建国路88号3栋501室',
      history: [{ role: 'user', content: '我叫王小明' }],
      passages,
      tools: [{ name: 'order_lookup', description: 'orders by phone', parameters: { type: 'object' } }],
      executeTool: (_name, input) => {
        toolInputs.push(input);
        return { orders: [{ id: '2024120512345673', contact: '13800138000' }] };
      },
      onTextDelta: (delta) => deltas.push(delta),
    });
    const sent = JSON.stringify(server.requests.map((request) => request.body));
    expect(sent).not.toMatch(/13800138000|建国路88号|王小明/);
    expect(sent).toContain('〔手机号1〕');
    expect(sent).toContain('2024120512345673'); // an order number is not personal data
    expect(toolInputs).toEqual([{ phone: '13800138000' }]);
    expect(answer.text).toBe('已为13800138000登记新地址北京市朝阳区建国路88号3栋501室【1】');
    expect(answer.citations).toEqual(['faq-address']);
    expect(deltas.join('')).toBe(answer.text);
  });

  it("personalData: 'send' leaves the prompt as written", async () => {
    server.setScript([{ text: '好的【1】' }]);
    server.requests.length = 0;
    await answerWithPassages(model(), { question: '手机13800138000', passages, personalData: 'send' });
    expect(JSON.stringify(server.requests[0].body)).toContain('13800138000');
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.js';
import type { ChatStreamPart } from './chat-model.js';
import { LlmCallError, LlmErrorCodes, isLlmCallError } from './llm-call-error.js';
import {
  createOpenAiCompatibleModel,
  parseRetryAfter,
  type OpenAiCompatibleModelOptions,
} from './openai-compatible-model.js';

let server: ScriptedOpenAiServer;

beforeAll(async () => {
  server = await startScriptedOpenAiServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

// A generous default timeout: on a loaded machine a first call can take longer than a tight bound,
// and a timed-out attempt would be retried against an exhausted script. Tests of timeouts set their own.
function model(options: Partial<OpenAiCompatibleModelOptions> = {}) {
  return createOpenAiCompatibleModel({
    baseUrl: server.url,
    model: 'scripted-chat',
    apiKey: 'sk-test',
    timeoutMs: 5_000,
    retryBaseDelayMs: 10,
    maxRetryDelayMs: 2_000,
    ...options,
  });
}

async function collect(parts: AsyncIterable<ChatStreamPart>): Promise<ChatStreamPart[]> {
  const collected: ChatStreamPart[] = [];
  for await (const part of parts) collected.push(part);
  return collected;
}

async function failure(promise: Promise<unknown>): Promise<LlmCallError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isLlmCallError(error)).toBe(true);
  return error as LlmCallError;
}

const ask = { messages: [{ role: 'user' as const, content: '我的手机号是 13800000000，订单什么时候到？' }] };

describe('createOpenAiCompatibleModel: generate', () => {
  it('answers with text, usage and the served model, sending model, messages, tools and the key', async () => {
    server.setScript([
      { text: '预计明天送达。', usage: { prompt_tokens: 21, completion_tokens: 7 }, model: 'scripted-chat-2025' },
    ]);
    const result = await model().generate({
      messages: [
        { role: 'system', content: '你是客服。' },
        { role: 'user', content: '订单什么时候到？' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'order_status', arguments: '{"id":"A1"}' }] },
        { role: 'tool', toolCallId: 'c1', content: '{"eta":"明天"}' },
      ],
      tools: [
        {
          name: 'order_status',
          description: '查订单',
          parameters: { type: 'object', properties: { id: { type: 'string' } } },
        },
      ],
      temperature: 0.2,
      maxTokens: 300,
    });
    expect(result).toMatchObject({
      text: '预计明天送达。',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 21, outputTokens: 7 },
      model: 'scripted-chat-2025',
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const [request] = server.requests;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(request.body).toMatchObject({
      model: 'scripted-chat',
      temperature: 0.2,
      max_tokens: 300,
      tools: [{ type: 'function', function: { name: 'order_status', description: '查订单' } }],
      messages: [
        { role: 'system', content: '你是客服。' },
        { role: 'user', content: '订单什么时候到？' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'order_status', arguments: '{"id":"A1"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"eta":"明天"}' },
      ],
    });
    expect(request.body.stream).toBeUndefined();
  });

  it('returns tool calls with their raw argument text', async () => {
    server.setScript([
      {
        toolCalls: [
          { id: 'call_a', name: 'order_status', arguments: '{"order_id":"A-1"}' },
          { name: 'refund_policy', arguments: '{}' },
        ],
      },
    ]);
    const result = await model().generate(ask);
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([
      { id: 'call_a', name: 'order_status', arguments: '{"order_id":"A-1"}' },
      { id: 'call_0_1', name: 'refund_policy', arguments: '{}' },
    ]);
  });

  it('times out a hanging server with CS_LLM_TIMEOUT within the bound (no retries)', async () => {
    server.setScript([{ kind: 'hang' }]);
    const started = performance.now();
    const error = await failure(model({ timeoutMs: 250, maxRetries: 0 }).generate(ask));
    const elapsed = performance.now() - started;
    expect(error.code).toBe(LlmErrorCodes.timeout);
    expect(error.isRetryable).toBe(true);
    expect(error.category).toBe('third_party');
    expect(elapsed).toBeGreaterThanOrEqual(240);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('retries a timeout, and a per-request timeoutMs overrides the default', async () => {
    server.setScript([{ kind: 'hang' }, { text: 'ok' }]);
    const started = performance.now();
    const result = await model({ timeoutMs: 10_000 }).generate({ ...ask, timeoutMs: 200 });
    expect(result.text).toBe('ok');
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(server.requests).toHaveLength(2);
  });

  it('retries 5xx and then succeeds', async () => {
    server.setScript([{ kind: 'error', status: 503 }, { kind: 'error', status: 500 }, { text: '好的' }]);
    const result = await model({ maxRetries: 2 }).generate(ask);
    expect(result.text).toBe('好的');
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after maxRetries with CS_LLM_UPSTREAM, the status and the attempt count', async () => {
    server.setScript([
      { kind: 'error', status: 502 },
      { kind: 'error', status: 502 },
    ]);
    const error = await failure(model({ maxRetries: 1 }).generate(ask));
    expect(error).toMatchObject({
      code: LlmErrorCodes.upstream,
      upstreamStatus: 502,
      isRetryable: true,
      attempts: 2,
      status: 502,
    });
    expect(server.requests).toHaveLength(2);
  });

  it('honours Retry-After on 429', async () => {
    server.setScript([{ kind: 'error', status: 429, retryAfter: '1' }, { text: 'after the wait' }]);
    const started = performance.now();
    const result = await model().generate(ask);
    expect(result.text).toBe('after the wait');
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(2);
  });

  it('reports 429 as CS_LLM_RATE_LIMITED and fails fast when Retry-After is beyond maxRetryDelayMs', async () => {
    server.setScript([{ kind: 'error', status: 429, retryAfter: '120' }]);
    const started = performance.now();
    const error = await failure(model().generate(ask));
    expect(error).toMatchObject({
      code: LlmErrorCodes.rateLimited,
      upstreamStatus: 429,
      isRetryable: true,
      retryAfterMs: 120_000,
      attempts: 1,
    });
    expect(performance.now() - started).toBeLessThan(500);
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry a 400, and keeps the request text and the upstream message out of the error', async () => {
    server.setScript([
      {
        kind: 'error',
        status: 400,
        body: {
          error: {
            type: 'invalid_request_error',
            code: 'context_length_exceeded',
            message: 'your message 13800000000 is too long',
          },
        },
      },
    ]);
    const error = await failure(model().generate(ask));
    expect(error).toMatchObject({ code: LlmErrorCodes.upstream, upstreamStatus: 400, isRetryable: false });
    expect(error.message).toContain('HTTP 400 (invalid_request_error, context_length_exceeded)');
    expect(error.message).not.toContain('13800000000');
    expect(JSON.stringify(error.details)).not.toContain('13800000000');
    expect(server.requests).toHaveLength(1);
  });

  it('reports a body that is not JSON as CS_LLM_MALFORMED, not retried', async () => {
    server.setScript([{ kind: 'raw', body: '{"choices": [ {"message": ' }]);
    const error = await failure(model().generate(ask));
    expect(error).toMatchObject({ code: LlmErrorCodes.malformed, isRetryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('reports missing choices and nameless tool calls as CS_LLM_MALFORMED', async () => {
    server.setScript([
      { kind: 'raw', body: '{"id":"x","choices":[]}' },
      { kind: 'raw', body: '{"choices":[{"message":{"tool_calls":[{"id":"c","function":{"arguments":"{}"}}]}}]}' },
    ]);
    await expect(model().generate(ask)).rejects.toMatchObject({
      code: LlmErrorCodes.malformed,
      message: expect.stringContaining('no choices'),
    });
    await expect(model().generate(ask)).rejects.toMatchObject({
      code: LlmErrorCodes.malformed,
      message: expect.stringContaining('without a name'),
    });
  });

  it('retries a connection reset and reports a refused connection as a retryable CS_LLM_UPSTREAM', async () => {
    server.setScript([{ kind: 'reset' }, { text: 'back' }]);
    expect((await model().generate(ask)).text).toBe('back');
    const error = await failure(
      createOpenAiCompatibleModel({ baseUrl: 'http://127.0.0.1:1/v1', model: 'm', maxRetries: 0 }).generate(ask),
    );
    expect(error).toMatchObject({ code: LlmErrorCodes.upstream, isRetryable: true, upstreamStatus: undefined });
  });

  it('stops at once when the caller aborts, also during a retry wait', async () => {
    server.setScript([{ kind: 'hang' }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await failure(model({ timeoutMs: 5_000 }).generate({ ...ask, signal: controller.signal }));
    expect(aborted).toMatchObject({ code: LlmErrorCodes.aborted, isRetryable: false });

    server.setScript([{ kind: 'error', status: 429, retryAfter: '1' }]);
    const started = performance.now();
    const budget = await failure(model().generate({ ...ask, signal: AbortSignal.timeout(100) }));
    expect(budget.code).toBe(LlmErrorCodes.timeout);
    expect(performance.now() - started).toBeLessThan(600);
  });
});

describe('createOpenAiCompatibleModel: stream', () => {
  it('yields text deltas in order, then a finish with usage (stream_options.include_usage)', async () => {
    server.setScript([
      {
        text: 'Your parcel arrives tomorrow 明天到',
        chunkSize: 3,
        chunkDelayMs: 2,
        usage: { prompt_tokens: 30, completion_tokens: 9 },
      },
    ]);
    const parts = await collect(model().stream(ask));
    const deltas = parts.filter((part) => part.type === 'text-delta').map((part) => (part as { delta: string }).delta);
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join('')).toBe('Your parcel arrives tomorrow 明天到');
    const finish = parts.at(-1);
    expect(finish).toMatchObject({
      type: 'finish',
      result: {
        text: 'Your parcel arrives tomorrow 明天到',
        finishReason: 'stop',
        usage: { inputTokens: 30, outputTokens: 9 },
        toolCalls: [],
      },
    });
    expect(server.requests[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(server.requests[0].headers.accept).toBe('text/event-stream');
  });

  it('assembles streamed tool-call argument deltas by index', async () => {
    const first = JSON.stringify({ order_id: 'A-1001', 城市: '上海' });
    const second = JSON.stringify({ topic: 'refund' });
    server.setScript([
      {
        text: '我查一下',
        toolCalls: [
          { id: 'call_1', name: 'order_status', arguments: first },
          { id: 'call_2', name: 'policy', arguments: second },
        ],
        chunkSize: 3,
      },
    ]);
    const parts = await collect(model().stream(ask));
    const calls = parts
      .filter((part) => part.type === 'tool-call')
      .map((part) => (part as { toolCall: unknown }).toolCall);
    expect(calls).toEqual([
      { id: 'call_1', name: 'order_status', arguments: first },
      { id: 'call_2', name: 'policy', arguments: second },
    ]);
    const finish = parts.at(-1) as Extract<ChatStreamPart, { type: 'finish' }>;
    expect(finish.result.finishReason).toBe('tool_calls');
    expect(finish.result.toolCalls).toEqual(calls);
    expect(finish.result.text).toBe('我查一下');
  });

  it('accepts a stream that ends with a finish_reason but without [DONE], and can leave usage out', async () => {
    server.setScript([{ text: 'fine', omitDone: true }]);
    const parts = await collect(model({ streamUsage: false }).stream(ask));
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      result: { text: 'fine', usage: { inputTokens: 0, outputTokens: 0 } },
    });
    expect(server.requests[0].body.stream_options).toBeUndefined();
  });

  it('fails a truncated stream with an error, never a hang', async () => {
    server.setScript([
      { text: 'this answer is cut off half way', chunkSize: 2, chunkDelayMs: 10, truncateAfterChunks: 4 },
    ]);
    const started = performance.now();
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const part of model({ timeoutMs: 2_000 }).stream(ask))
          if (part.type === 'text-delta') seen.push(part.delta);
      })(),
    );
    expect(error.code).toBe(LlmErrorCodes.upstream);
    expect('this answer is cut off half way'.startsWith(seen.join(''))).toBe(true);
    expect(seen.join('').length).toBeLessThan(8);
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('times out a stream that stalls after its headers (idle limit)', async () => {
    server.setScript([{ kind: 'hang', afterHeaders: true }]);
    const started = performance.now();
    const error = await failure(collect(model({ timeoutMs: 200, maxRetries: 0 }).stream(ask)));
    expect(error.code).toBe(LlmErrorCodes.timeout);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('does not count a slow consumer against the idle limit', async () => {
    server.setScript([{ text: 'abcdefgh', chunkSize: 2 }]);
    let text = '';
    // The consumer takes longer over each part than the idle limit allows the server; the limit
    // leaves the first byte room on a loaded CI machine (100 ms did not, once).
    for await (const part of model({ timeoutMs: 400, maxRetries: 0 }).stream(ask)) {
      if (part.type === 'text-delta') {
        text += part.delta;
        await new Promise((resolve) => setTimeout(resolve, 450));
      }
    }
    expect(text).toBe('abcdefgh');
  });

  it('retries before the first byte: 503 then a stream', async () => {
    server.setScript([{ kind: 'error', status: 503 }, { text: '重试成功' }]);
    const parts = await collect(model().stream(ask));
    expect(parts.at(-1)).toMatchObject({ type: 'finish', result: { text: '重试成功' } });
    expect(server.requests).toHaveLength(2);
  });

  it('reports a chunk that is not JSON as CS_LLM_MALFORMED', async () => {
    server.setScript([
      {
        kind: 'raw',
        contentType: 'text/event-stream',
        body: 'data: {"choices":[{"delta":{"content":"hi"}}]}\n\ndata: {oops\n\n',
      },
    ]);
    const error = await failure(collect(model().stream(ask)));
    expect(error.code).toBe(LlmErrorCodes.malformed);
  });

  it('lets the consumer stop early without leaking the connection', async () => {
    server.setScript([{ text: 'a long answer that we stop reading', chunkSize: 2, chunkDelayMs: 5 }, { text: 'next' }]);
    for await (const part of model().stream(ask)) {
      if (part.type === 'text-delta') break;
    }
    expect((await model().generate(ask)).text).toBe('next');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds, HTTP dates and retry-after-ms', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }))).toBe(2_000);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '150' }))).toBe(150);
    expect(parseRetryAfter(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 7_000)).toBe(3_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(new Headers())).toBeUndefined();
  });
});

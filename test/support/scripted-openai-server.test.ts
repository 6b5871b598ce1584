import { afterEach, describe, expect, it } from 'vitest';
import {
  deterministicEmbedding,
  startScriptedOpenAiServer,
  type ScriptedOpenAiServer,
} from './scripted-openai-server.js';

let server: ScriptedOpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const post = (url: string, body: unknown, signal?: AbortSignal) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });

describe('startScriptedOpenAiServer', () => {
  it('answers a queue in order on 127.0.0.1, records requests, then says the script is exhausted', async () => {
    server = await startScriptedOpenAiServer([{ text: '一' }, { kind: 'error', status: 429, retryAfter: '2' }]);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const first = await (
      await post(`${server.url}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'hi' }] })
    ).json();
    expect(first).toMatchObject({
      object: 'chat.completion',
      model: 'm',
      choices: [{ message: { role: 'assistant', content: '一' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: expect.any(Number) },
    });
    const limited = await post(`${server.url}/chat/completions`, { model: 'm', messages: [] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    const exhausted = await post(`${server.url}/chat/completions`, { model: 'm', messages: [] });
    expect(exhausted.status).toBe(500);
    expect(await exhausted.json()).toMatchObject({ error: { type: 'script_exhausted' } });
    expect(server.requests.map((request) => request.index)).toEqual([0, 1, 2]);
    expect(server.requests[0].body.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('streams SSE chunks with tool-call deltas, usage when asked, and [DONE]', async () => {
    server = await startScriptedOpenAiServer(() => ({
      text: 'abcdef',
      chunkSize: 2,
      toolCalls: [{ id: 't1', name: 'f', arguments: '{"a":1}' }],
      usage: { prompt_tokens: 3, completion_tokens: 4 },
    }));
    const response = await post(`${server.url}/chat/completions`, {
      model: 'm',
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text())
      .split('\n\n')
      .filter((event) => event !== '')
      .map((event) => event.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('abcdef');
    const argumentText = chunks
      .flatMap((chunk) => chunk.choices[0]?.delta?.tool_calls ?? [])
      .map((call: { function: { arguments: string } }) => call.function.arguments)
      .join('');
    expect(argumentText).toBe('{"a":1}');
    expect(
      chunks.find((chunk) => chunk.choices.length > 0 && chunk.choices[0].finish_reason !== null).choices[0]
        .finish_reason,
    ).toBe('tool_calls');
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
  });

  it('returns deterministic unit vectors from /embeddings without touching the chat script', async () => {
    server = await startScriptedOpenAiServer([], { embeddingDimension: 16 });
    const body = (await (
      await post(`${server.url}/embeddings`, { model: 'e', input: ['退款', 'refund', '退款'] })
    ).json()) as { data: { embedding: number[] }[] };
    expect(body.data).toHaveLength(3);
    expect(body.data[0].embedding).toHaveLength(16);
    expect(body.data[0].embedding).toEqual(body.data[2].embedding);
    expect(body.data[0].embedding).not.toEqual(body.data[1].embedding);
    expect(Math.hypot(...body.data[1].embedding)).toBeCloseTo(1, 6);
    expect(body.data[0].embedding).toEqual(deterministicEmbedding('退款', 16));
    expect(server.embeddingRequests).toHaveLength(1);
    expect(server.requests).toHaveLength(0);
  });

  it('hangs until the client aborts, and close() ends open connections', async () => {
    server = await startScriptedOpenAiServer([{ kind: 'hang' }, { kind: 'hang', afterHeaders: true }]);
    await expect(post(`${server.url}/chat/completions`, {}, AbortSignal.timeout(100))).rejects.toThrow();
    const stalled = await post(`${server.url}/chat/completions`, { stream: true });
    expect(stalled.status).toBe(200);
    const reading = stalled.text().catch((error: unknown) => error);
    const started = performance.now();
    await server.close();
    server = undefined;
    await reading;
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('answers unknown routes with 404', async () => {
    server = await startScriptedOpenAiServer();
    expect((await fetch(`${server.url}/models`)).status).toBe(404);
  });
});

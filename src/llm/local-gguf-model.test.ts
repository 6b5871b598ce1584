import { describe, expect, it } from 'vitest';
import { isKefuError } from '../errors/index.js';
import type { ChatStreamPart } from './chat-model.js';
import { abortReason } from './llm-call-error.js';
import { createLocalGgufModel } from './local-gguf-model.js';

describe('createLocalGgufModel', () => {
  it('explains how to install node-llama-cpp when it is missing', async () => {
    const error = await createLocalGgufModel({ modelPath: '/models/none.gguf' }).catch((caught: unknown) => caught);
    expect(isKefuError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CS_LLM_LOCAL_UNAVAILABLE', category: 'system' });
    expect((error as Error).message).toContain('npm install node-llama-cpp');
    expect((error as Error).message).toContain('700 MB');
  });

  it('rejects a module that is not node-llama-cpp v3', async () => {
    await expect(
      createLocalGgufModel({ modelPath: 'x.gguf', importModule: async () => ({ LlamaModel: class {} }) }),
    ).rejects.toMatchObject({
      code: 'CS_LLM_LOCAL_UNAVAILABLE',
      message: expect.stringContaining('version 3'),
    });
  });

  // A structural stand-in for node-llama-cpp v3, to check the mapping (history, tools, stream, errors).
  function fakeModule(reply: {
    text: string;
    functionCalls?: { functionName: string; params: unknown }[];
    delayMs?: number;
  }) {
    const seen: { history: unknown[]; options: Record<string, unknown> }[] = [];
    const meter = { usedInputTokens: 0, usedOutputTokens: 0 };
    const module = {
      getLlama: async () => ({
        loadModel: async ({ modelPath }: { modelPath: string }) => {
          if (modelPath.includes('missing')) throw new Error('ENOENT');
          return {
            tokenize: (text: string) => [...text],
            dispose: async () => undefined,
            createContext: async () => ({ getSequence: () => ({ tokenMeter: meter }), dispose: async () => undefined }),
          };
        },
      }),
      LlamaChat: class {
        async generateResponse(
          history: unknown[],
          options: { onTextChunk?: (text: string) => void; signal?: AbortSignal } & Record<string, unknown>,
        ) {
          seen.push({ history, options });
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, reply.delayMs ?? 0);
            options.signal?.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(abortReason(options.signal!));
            });
          });
          for (const piece of reply.text.match(/.{1,3}/gsu) ?? []) options.onTextChunk?.(piece);
          meter.usedInputTokens += 40;
          meter.usedOutputTokens += 5;
          return {
            response: reply.text,
            functionCalls: reply.functionCalls,
            metadata: { stopReason: reply.functionCalls ? 'functionCalls' : 'eogToken' },
          };
        }
        dispose() {}
      },
    };
    return { seen, importModule: async () => module };
  }

  it('maps messages and tools to LlamaChat, and tool calls and token usage back', async () => {
    const fake = fakeModule({
      text: '',
      functionCalls: [{ functionName: 'order_status', params: { order_id: 'A-1' } }],
    });
    const model = await createLocalGgufModel({ modelPath: '/models/qwen.gguf', importModule: fake.importModule });
    expect(model).toMatchObject({ provider: 'node-llama-cpp', modelId: 'qwen.gguf' });
    const result = await model.generate({
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: '查订单' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c0', name: 'order_status', arguments: '{"order_id":"A-0"}' }],
        },
        { role: 'tool', toolCallId: 'c0', content: '{"status":"shipped"}' },
        { role: 'user', content: '再查 A-1' },
      ],
      tools: [{ name: 'order_status', description: '查订单', parameters: { type: 'object' } }],
    });
    expect(result).toMatchObject({
      finishReason: 'tool_calls',
      toolCalls: [{ id: 'call_0', name: 'order_status', arguments: '{"order_id":"A-1"}' }],
      usage: { inputTokens: 40, outputTokens: 5 },
    });
    expect(fake.seen[0].history).toEqual([
      { type: 'system', text: 'sys' },
      { type: 'user', text: '查订单' },
      {
        type: 'model',
        response: [
          { type: 'functionCall', name: 'order_status', params: { order_id: 'A-0' }, result: { status: 'shipped' } },
        ],
      },
      { type: 'user', text: '再查 A-1' },
    ]);
    expect(fake.seen[0].options.functions).toEqual({
      order_status: { description: '查订单', params: { type: 'object' } },
    });
    await model.dispose();
  });

  it('streams text chunks and times out with CS_LLM_TIMEOUT', async () => {
    const fake = fakeModule({ text: '您好，请问有什么可以帮您？' });
    const model = await createLocalGgufModel({ modelPath: 'm.gguf', importModule: fake.importModule });
    const parts: ChatStreamPart[] = [];
    for await (const part of model.stream({ messages: [{ role: 'user', content: '你好' }] })) parts.push(part);
    expect(
      parts
        .filter((part) => part.type === 'text-delta')
        .map((part) => (part as { delta: string }).delta)
        .join(''),
    ).toBe('您好，请问有什么可以帮您？');
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      result: { text: '您好，请问有什么可以帮您？', finishReason: 'stop' },
    });

    const slow = await createLocalGgufModel({
      modelPath: 'm.gguf',
      importModule: fakeModule({ text: 'late', delayMs: 5_000 }).importModule,
      timeoutMs: 100,
    });
    await expect(slow.generate({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      code: 'CS_LLM_TIMEOUT',
    });
  });

  it('reports a model file that cannot load', async () => {
    const fake = fakeModule({ text: '' });
    await expect(
      createLocalGgufModel({ modelPath: '/models/missing.gguf', importModule: fake.importModule }),
    ).rejects.toMatchObject({
      code: 'CS_LLM_LOCAL_UNAVAILABLE',
      message: expect.stringContaining('/models/missing.gguf'),
    });
  });
});

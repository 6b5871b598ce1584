import { KefuError } from '../errors/index.js';
import type {
  ChatMessage,
  ChatModel,
  ChatRequest,
  ChatResult,
  ChatStreamPart,
  FinishReason,
  ToolCall,
} from './chat-model.js';
import { LlmCallError, LlmErrorCodes, abortReason, isLlmCallError } from './llm-call-error.js';

// node-llama-cpp is an optional peer: it brings llama.cpp binaries (hundreds of MB with GPU
// variants), so it is not a dependency. Only the parts used here are typed, structurally.
// We drive `LlamaChat.generateResponse` rather than `LlamaChatSession.prompt`: the session runs
// function handlers itself mid-generation, while the port must hand tool calls back to the
// caller's loop (allow-list, approval, budget) exactly as the HTTP adapter does.

type ChatHistoryItem =
  | { type: 'system'; text: string }
  | { type: 'user'; text: string }
  | {
      type: 'model';
      response: (
        string | { type: 'functionCall'; name: string; description?: string; params: unknown; result: unknown }
      )[];
    };

interface LlamaContextSequence {
  readonly tokenMeter?: { readonly usedInputTokens: number; readonly usedOutputTokens: number };
  clearHistory?(): Promise<void>;
}

interface LlamaChatResponse {
  response: string;
  functionCalls?: { functionName: string; params: unknown; raw?: unknown }[];
  metadata: { stopReason: string };
}

interface LlamaChat {
  generateResponse(
    history: ChatHistoryItem[],
    options: {
      functions?: Record<string, { description?: string; params?: unknown }>;
      documentFunctionParams?: boolean;
      onTextChunk?: (text: string) => void;
      signal?: AbortSignal;
      stopOnAbortSignal?: boolean;
      maxTokens?: number;
      temperature?: number;
    },
  ): Promise<LlamaChatResponse>;
  dispose(options?: { disposeSequence?: boolean }): void;
}

interface LlamaContext {
  getSequence(): LlamaContextSequence;
  dispose(): Promise<void>;
}

interface LlamaModel {
  createContext(options?: { contextSize?: number; sequences?: number }): Promise<LlamaContext>;
  tokenize(text: string): unknown[];
  dispose(): Promise<void>;
}

interface NodeLlamaCpp {
  getLlama(options?: {
    gpu?: 'auto' | false | 'cuda' | 'vulkan' | 'metal';
  }): Promise<{ loadModel(options: { modelPath: string; gpuLayers?: number | 'auto' | 'max' }): Promise<LlamaModel> }>;
  LlamaChat: new (options: { contextSequence: LlamaContextSequence; autoDisposeSequence?: boolean }) => LlamaChat;
}

export interface LocalGgufModelOptions {
  /** Path to a .gguf file, e.g. ./models/qwen2.5-1.5b-instruct-q4_k_m.gguf. */
  modelPath: string;
  /** Name in logs and traces; defaults to the file name. */
  modelId?: string;
  /** Context window in tokens (default 4096). */
  contextSize?: number;
  /** Generations that may run at once; each gets its own context sequence (default 1). */
  parallel?: number;
  /** 'auto' (default) offloads what fits on the GPU; 0 keeps everything on the CPU. */
  gpuLayers?: number | 'auto' | 'max';
  /** `false` forces the CPU build; default 'auto'. */
  gpu?: 'auto' | false | 'cuda' | 'vulkan' | 'metal';
  /** Per-call limit in ms (default 120 000: CPU generation is slow). */
  timeoutMs?: number;
  /** For tests: how the module is loaded (default `import('node-llama-cpp')`). */
  importModule?: () => Promise<unknown>;
}

/** A loaded local model: the port, plus `dispose()` to free the context and weights. */
export interface LocalChatModel extends ChatModel {
  dispose(): Promise<void>;
}

const PACKAGE = 'node-llama-cpp';

async function loadNodeLlamaCpp(importModule: (() => Promise<unknown>) | undefined): Promise<NodeLlamaCpp> {
  let loaded: unknown;
  try {
    // A variable specifier keeps bundlers and tsc from resolving the optional package.
    const specifier = PACKAGE;
    loaded = importModule === undefined ? await import(specifier) : await importModule();
  } catch (error) {
    throw new KefuError(
      LlmErrorCodes.localUnavailable,
      'The local GGUF model needs node-llama-cpp, which is not installed. Run `npm install node-llama-cpp` ' +
        '(it downloads prebuilt llama.cpp binaries; the GPU variants (CUDA, Vulkan) are about 700 MB), ' +
        'or configure an OpenAI-compatible endpoint with KEFU_LLM_BASE_URL instead.',
      { category: 'system', cause: error },
    );
  }
  const module = loaded as Partial<NodeLlamaCpp> & { default?: Partial<NodeLlamaCpp> };
  const api = typeof module.getLlama === 'function' ? module : module.default;
  if (api === undefined || typeof api.getLlama !== 'function' || typeof api.LlamaChat !== 'function') {
    throw new KefuError(
      LlmErrorCodes.localUnavailable,
      'node-llama-cpp is installed but does not look like version 3 (getLlama/LlamaChat missing); run `npm install node-llama-cpp@3`.',
      {
        category: 'system',
      },
    );
  }
  return api as NodeLlamaCpp;
}

/** Our messages → node-llama-cpp chat history: tool results fold into the model turn that called them. */
function toChatHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const results = new Map(
    messages.filter((message) => message.role === 'tool').map((message) => [message.toolCallId ?? '', message.content]),
  );
  for (const message of messages) {
    if (message.role === 'system') history.push({ type: 'system', text: message.content });
    else if (message.role === 'user') history.push({ type: 'user', text: message.content });
    else if (message.role === 'assistant') {
      const response: Extract<ChatHistoryItem, { type: 'model' }>['response'] = [];
      if (message.content !== '') response.push(message.content);
      for (const call of message.toolCalls ?? []) {
        response.push({
          type: 'functionCall',
          name: call.name,
          params: parseOrText(call.arguments),
          result: parseOrText(results.get(call.id) ?? ''),
        });
      }
      history.push({ type: 'model', response });
    }
  }
  return history;
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function finishReasonOf(stopReason: string, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls || stopReason === 'functionCalls') return 'tool_calls';
  if (stopReason === 'maxTokens') return 'length';
  if (stopReason === 'abort') return 'error';
  return 'stop';
}

/**
 * Loads a GGUF model in-process through node-llama-cpp v3 (getLlama → loadModel → createContext
 * → LlamaChat). node-llama-cpp is optional: when it is missing this rejects with a KefuError
 * (`CS_LLM_LOCAL_UNAVAILABLE`) saying how to install it. Loading takes seconds; do it once at start.
 * @example
 * const model = await createLocalGgufModel({ modelPath: './models/qwen2.5-1.5b-instruct-q4_k_m.gguf' });
 */
export async function createLocalGgufModel(options: LocalGgufModelOptions): Promise<LocalChatModel> {
  const api = await loadNodeLlamaCpp(options.importModule);
  let model: LlamaModel;
  let context: LlamaContext;
  try {
    const llama = await api.getLlama({ gpu: options.gpu ?? 'auto' });
    model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: options.gpuLayers ?? 'auto' });
    context = await model.createContext({
      contextSize: options.contextSize ?? 4096,
      sequences: Math.max(1, options.parallel ?? 1),
    });
  } catch (error) {
    // The path is configuration, not customer data, so it may appear in the message.
    throw new KefuError(LlmErrorCodes.localUnavailable, `could not load the GGUF model at ${options.modelPath}`, {
      category: 'system',
      cause: error,
    });
  }
  const free: LlamaContextSequence[] = Array.from({ length: Math.max(1, options.parallel ?? 1) }, () =>
    context.getSequence(),
  );
  const waiting: ((sequence: LlamaContextSequence) => void)[] = [];
  const modelId = options.modelId ?? options.modelPath.split(/[\\/]/).at(-1) ?? options.modelPath;
  const defaultTimeoutMs = options.timeoutMs ?? 120_000;

  function acquire(signal: AbortSignal): Promise<LlamaContextSequence> {
    const sequence = free.pop();
    if (sequence !== undefined) return Promise.resolve(sequence);
    return new Promise((resolve, reject) => {
      const grant = (granted: LlamaContextSequence): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(granted);
      };
      const onAbort = (): void => {
        waiting.splice(waiting.indexOf(grant), 1);
        reject(abortReason(signal));
      };
      waiting.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  function release(sequence: LlamaContextSequence): void {
    const next = waiting.shift();
    if (next !== undefined) next(sequence);
    else free.push(sequence);
  }

  function failure(error: unknown, signal: AbortSignal, timedOut: () => boolean): LlmCallError {
    if (isLlmCallError(error)) return error;
    if (timedOut() || (signal.aborted && (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError')) {
      return new LlmCallError(LlmErrorCodes.timeout, `local model ${modelId} did not answer in time`, {
        cause: error,
        provider: 'node-llama-cpp',
        modelId,
        isRetryable: false,
      });
    }
    if (signal.aborted)
      return new LlmCallError(LlmErrorCodes.aborted, 'the local generation was aborted by the caller', {
        cause: error,
        provider: 'node-llama-cpp',
        modelId,
      });
    return new LlmCallError(LlmErrorCodes.upstream, `local model ${modelId} failed`, {
      cause: error,
      provider: 'node-llama-cpp',
      modelId,
      isRetryable: false,
    });
  }

  async function run(request: ChatRequest, onTextChunk?: (text: string) => void): Promise<ChatResult> {
    const started = performance.now();
    let timedOut = false;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException('local generation timed out', 'TimeoutError'));
    }, request.timeoutMs ?? defaultTimeoutMs);
    const signal =
      request.signal === undefined ? controller.signal : AbortSignal.any([request.signal, controller.signal]);
    let sequence: LlamaContextSequence | undefined;
    try {
      sequence = await acquire(signal);
      const before =
        sequence.tokenMeter === undefined
          ? undefined
          : { input: sequence.tokenMeter.usedInputTokens, output: sequence.tokenMeter.usedOutputTokens };
      const chat = new api.LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
      let response: LlamaChatResponse;
      try {
        const functions =
          request.tools === undefined || request.tools.length === 0
            ? undefined
            : Object.fromEntries(
                request.tools.map((tool) => [tool.name, { description: tool.description, params: tool.parameters }]),
              );
        response = await chat.generateResponse(toChatHistory(request.messages), {
          functions,
          documentFunctionParams: functions === undefined ? undefined : true,
          onTextChunk,
          signal,
          stopOnAbortSignal: false,
          maxTokens: request.maxTokens,
          temperature: request.temperature,
        });
      } finally {
        chat.dispose({ disposeSequence: false });
      }
      const toolCalls: ToolCall[] = (response.functionCalls ?? []).map((call, index) => ({
        id: `call_${index}`,
        name: call.functionName,
        arguments: JSON.stringify(call.params ?? {}),
      }));
      const meter = sequence.tokenMeter;
      const usage =
        before !== undefined && meter !== undefined
          ? { inputTokens: meter.usedInputTokens - before.input, outputTokens: meter.usedOutputTokens - before.output }
          : {
              inputTokens: model.tokenize(request.messages.map((message) => message.content).join('\n')).length,
              outputTokens: model.tokenize(response.response).length,
            };
      return {
        text: response.response,
        toolCalls,
        finishReason: finishReasonOf(response.metadata.stopReason, toolCalls.length > 0),
        usage,
        model: modelId,
        latencyMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      throw failure(error, signal, () => timedOut);
    } finally {
      clearTimeout(timer);
      if (sequence !== undefined) release(sequence);
    }
  }

  return {
    provider: 'node-llama-cpp',
    modelId,
    generate: (request) => run(request),
    async *stream(request): AsyncGenerator<ChatStreamPart> {
      // Bridge the callback API to an async iterator: chunks queue up until the consumer pulls them.
      const pending: string[] = [];
      let wake: (() => void) | undefined;
      let outcome: { result: ChatResult } | { error: unknown } | undefined;
      const stop = new AbortController(); // a consumer that stops reading stops the generation
      const signal = request.signal === undefined ? stop.signal : AbortSignal.any([request.signal, stop.signal]);
      run({ ...request, signal }, (text) => {
        pending.push(text);
        wake?.();
      }).then(
        (result) => {
          outcome = { result };
          wake?.();
        },
        (error: unknown) => {
          outcome = { error };
          wake?.();
        },
      );
      try {
        for (;;) {
          while (pending.length > 0) yield { type: 'text-delta', delta: pending.shift()! };
          if (outcome !== undefined) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
        while (pending.length > 0) yield { type: 'text-delta', delta: pending.shift()! };
        if ('error' in outcome) throw outcome.error;
        for (const toolCall of outcome.result.toolCalls) yield { type: 'tool-call', toolCall };
        yield { type: 'finish', result: outcome.result };
      } finally {
        if (outcome === undefined) stop.abort();
      }
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
    },
  };
}

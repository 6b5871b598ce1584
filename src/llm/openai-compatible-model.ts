import type {
  ChatMessage,
  ChatModel,
  ChatRequest,
  ChatResult,
  ChatStreamPart,
  FinishReason,
  ToolCall,
  TokenUsage,
} from './chat-model.js';
import { LlmCallError, LlmErrorCodes, abortReason, isLlmCallError } from './llm-call-error.js';
import { ServerSentEventParser } from './server-sent-events.js';

export interface OpenAiCompatibleModelOptions {
  /** The API root that `/chat/completions` hangs off, e.g. https://api.deepseek.com/v1, http://127.0.0.1:11434/v1. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; local servers (Ollama, llama.cpp, vLLM) usually need none. */
  apiKey?: string;
  model: string;
  /** Name for logs and traces; defaults to the base URL's host name. */
  provider?: string;
  /** Per-attempt time limit in ms (default 30 000); for streams, the longest silence between chunks. */
  timeoutMs?: number;
  /** Retries after the first attempt, for retryable errors only (default 2). */
  maxRetries?: number;
  /** Extra headers (e.g. an org id or a gateway key). */
  headers?: Record<string, string>;
  /** First backoff delay in ms (default 500); doubles per retry, with jitter. */
  retryBaseDelayMs?: number;
  /** Longest single wait between attempts in ms (default 10 000). A Retry-After beyond it fails fast. */
  maxRetryDelayMs?: number;
  /** Ask for token usage in streams (`stream_options.include_usage`, default true); turn off for servers that reject it. */
  streamUsage?: boolean;
  /** For tests. */
  fetch?: typeof fetch;
  /** For tests: the jitter source, in [0, 1). */
  random?: () => number;
}

interface WireToolCall {
  index?: unknown;
  id?: unknown;
  type?: unknown;
  function?: { name?: unknown; arguments?: unknown };
}

interface WireChoice {
  message?: { content?: unknown; tool_calls?: unknown };
  delta?: { content?: unknown; tool_calls?: unknown };
  finish_reason?: unknown;
}

interface WireCompletion {
  model?: unknown;
  choices?: unknown;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  error?: unknown;
}

/** One attempt's abort signal: the caller's signal plus a (re-armable) time limit. */
class AttemptClock {
  readonly controller = new AbortController();
  timedOut = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = (): void => this.controller.abort(this.callerSignal?.reason);

  constructor(
    readonly timeoutMs: number,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    if (callerSignal?.aborted) this.controller.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  arm(): void {
    this.pause();
    if (this.controller.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new DOMException('LLM call timed out', 'TimeoutError'));
    }, this.timeoutMs);
  }

  pause(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.pause();
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}

const SAFE_TOKEN = /^[\w.:-]{1,64}$/;

function finishReasonOf(value: unknown, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return 'tool_calls';
  switch (value) {
    case 'length':
    case 'content_filter':
      return value;
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'error':
      return 'error';
    default:
      return 'stop';
  }
}

function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function usageOf(usage: WireCompletion['usage']): TokenUsage {
  return { inputTokens: tokenCount(usage?.prompt_tokens), outputTokens: tokenCount(usage?.completion_tokens) };
}

/** `content` may be a string, null, or (some gateways) an array of `{type:'text', text}` parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string'
          ? (part as { text: string }).text
          : '',
      )
      .join('');
  }
  return '';
}

/** Arguments are JSON text; a few servers (older Ollama) send an object instead. */
function argumentsText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

function toWireMessage(message: ChatMessage): Record<string, unknown> {
  if (message.role === 'tool')
    return { role: 'tool', tool_call_id: message.toolCallId ?? '', content: message.content };
  if (message.role === 'assistant' && message.toolCalls !== undefined && message.toolCalls.length > 0) {
    return {
      role: 'assistant',
      content: message.content === '' ? null : message.content,
      tool_calls: message.toolCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      })),
    };
  }
  return { role: message.role, content: message.content };
}

/** Retry-After (seconds or an HTTP date) or the OpenAI-style retry-after-ms header, in ms. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null && /^\d+(\.\d+)?$/.test(milliseconds.trim())) return Math.ceil(Number(milliseconds));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function isTimeoutReason(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
}

/**
 * A {@link ChatModel} for any OpenAI-compatible `POST {baseUrl}/chat/completions`: OpenAI,
 * DeepSeek, Qwen (DashScope compatible mode), GLM, Moonshot, vLLM, Ollama, llama.cpp server.
 * Retries retryable failures (408/409/429/5xx, network, timeouts) with exponential backoff and
 * jitter, honouring Retry-After. Streams are retried only before their first byte.
 * @example
 * const model = createOpenAiCompatibleModel({ baseUrl: 'https://api.deepseek.com/v1', apiKey, model: 'deepseek-chat' });
 * const { text } = await model.generate({ messages: [{ role: 'user', content: '你好' }] });
 */
export function createOpenAiCompatibleModel(options: OpenAiCompatibleModelOptions): ChatModel {
  return new OpenAiCompatibleModel(options);
}

class OpenAiCompatibleModel implements ChatModel {
  readonly provider: string;
  readonly modelId: string;
  private readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly fetchImplementation: typeof fetch;
  private readonly random: () => number;

  constructor(private readonly options: OpenAiCompatibleModelOptions) {
    const root = options.baseUrl.replace(/\/+$/, '');
    this.endpoint = `${root}/chat/completions`;
    let host = 'openai-compatible';
    try {
      host = new URL(root).hostname;
    } catch {
      // An unparsable URL fails at the first call with a clear upstream error; the name is cosmetic.
    }
    this.provider = options.provider ?? host;
    this.modelId = options.model;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = Math.max(0, options.maxRetries ?? 2);
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 500;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 10_000;
    this.fetchImplementation = options.fetch ?? fetch;
    this.random = options.random ?? Math.random;
  }

  async generate(request: ChatRequest): Promise<ChatResult> {
    const started = performance.now();
    return this.withRetries(request, async () => {
      const clock = new AttemptClock(request.timeoutMs ?? this.timeoutMs, request.signal);
      try {
        const response = await this.post(request, false, clock);
        let raw: string;
        try {
          raw = await response.text();
        } catch (error) {
          throw this.classify(error, clock, request.signal);
        }
        let body: WireCompletion;
        try {
          body = JSON.parse(raw) as WireCompletion;
        } catch (error) {
          throw this.error(LlmErrorCodes.malformed, `response from ${this.endpoint} is not JSON`, {
            cause: error,
            upstreamStatus: response.status,
          });
        }
        return this.resultOf(body, response.status, started);
      } catch (error) {
        throw this.classify(error, clock, request.signal);
      } finally {
        clock.dispose();
      }
    });
  }

  async *stream(request: ChatRequest): AsyncGenerator<ChatStreamPart> {
    const started = performance.now();
    let clock: AttemptClock | undefined;
    const response = await this.withRetries(request, async () => {
      clock?.dispose();
      clock = new AttemptClock(request.timeoutMs ?? this.timeoutMs, request.signal);
      try {
        return await this.post(request, true, clock);
      } catch (error) {
        clock.dispose();
        throw this.classify(error, clock, request.signal);
      }
    });
    const attemptClock = clock!;
    if (response.body === null) {
      attemptClock.dispose();
      throw this.error(LlmErrorCodes.malformed, `stream from ${this.endpoint} has no body`, {
        upstreamStatus: response.status,
      });
    }
    // A fetch body streams bytes; Node's typings leave its chunk type as `any`.
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const parser = new ServerSentEventParser();
    const assembling = new Map<number, { id: string; name: string; arguments: string }>();
    let text = '';
    let model = this.modelId;
    let finishReason: unknown;
    let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
    let done = false;
    let readerFinished = false;
    try {
      while (!done) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          throw this.classify(error, attemptClock, request.signal);
        }
        attemptClock.arm();
        const events = chunk.done
          ? parser.push(decoder.decode()).concat(parser.end())
          : parser.push(decoder.decode(chunk.value, { stream: true }));
        for (const data of events) {
          if (data.trim() === '[DONE]') {
            done = true;
            break;
          }
          let payload: WireCompletion;
          try {
            payload = JSON.parse(data) as WireCompletion;
          } catch (error) {
            throw this.error(LlmErrorCodes.malformed, `stream from ${this.endpoint} has a chunk that is not JSON`, {
              cause: error,
              upstreamStatus: response.status,
            });
          }
          if (typeof payload !== 'object' || payload === null) {
            throw this.error(
              LlmErrorCodes.malformed,
              `stream from ${this.endpoint} has a chunk that is not an object`,
              { upstreamStatus: response.status },
            );
          }
          if (payload.error !== undefined && payload.error !== null)
            throw this.upstreamBodyError(payload.error, response.status);
          if (typeof payload.model === 'string' && payload.model !== '') model = payload.model;
          if (payload.usage) usage = usageOf(payload.usage);
          const choice = Array.isArray(payload.choices) ? (payload.choices[0] as WireChoice | undefined) : undefined;
          if (choice === undefined || typeof choice !== 'object' || choice === null) continue;
          if (choice.finish_reason !== undefined && choice.finish_reason !== null) finishReason = choice.finish_reason;
          const delta = choice.delta ?? {};
          const textDelta = contentText(delta.content);
          if (Array.isArray(delta.tool_calls))
            this.assembleToolCallDeltas(delta.tool_calls as WireToolCall[], assembling, response.status);
          if (textDelta !== '') {
            text += textDelta;
            attemptClock.pause(); // the consumer's pace is not the upstream's silence
            yield { type: 'text-delta', delta: textDelta };
            attemptClock.arm();
          }
        }
        if (chunk.done) {
          readerFinished = true;
          break;
        }
      }
      if (!done && finishReason === undefined) {
        throw this.error(LlmErrorCodes.upstream, `stream from ${this.endpoint} ended before it finished`, {
          upstreamStatus: response.status,
          isRetryable: true,
        });
      }
    } finally {
      attemptClock.dispose();
      if (!readerFinished) await reader.cancel().catch(() => undefined);
    }
    const toolCalls = [...assembling.entries()].sort(([left], [right]) => left - right).map(([, call]) => call);
    for (const call of toolCalls) {
      if (call.name === '')
        throw this.error(LlmErrorCodes.malformed, `stream from ${this.endpoint} has a tool call without a name`, {
          upstreamStatus: response.status,
        });
    }
    for (const toolCall of toolCalls) yield { type: 'tool-call', toolCall };
    yield {
      type: 'finish',
      result: {
        text,
        toolCalls,
        finishReason: finishReasonOf(finishReason, toolCalls.length > 0),
        usage,
        model,
        latencyMs: Math.round(performance.now() - started),
      },
    };
  }

  private assembleToolCallDeltas(
    deltas: WireToolCall[],
    assembling: Map<number, { id: string; name: string; arguments: string }>,
    status: number,
  ): void {
    deltas.forEach((delta, position) => {
      if (typeof delta !== 'object' || delta === null) {
        throw this.error(LlmErrorCodes.malformed, `stream from ${this.endpoint} has a malformed tool call`, {
          upstreamStatus: status,
        });
      }
      // Some servers omit `index` when they send each call whole in one chunk.
      const index = typeof delta.index === 'number' ? delta.index : assembling.size + position;
      let call = assembling.get(index);
      if (call === undefined) {
        call = { id: '', name: '', arguments: '' };
        assembling.set(index, call);
      }
      if (typeof delta.id === 'string' && delta.id !== '') call.id = delta.id;
      if (call.id === '') call.id = `call_${index}`;
      if (typeof delta.function?.name === 'string') call.name += delta.function.name;
      call.arguments += argumentsText(delta.function?.arguments);
    });
  }

  private resultOf(body: WireCompletion, status: number, started: number): ChatResult {
    if (typeof body !== 'object' || body === null) {
      throw this.error(LlmErrorCodes.malformed, `response from ${this.endpoint} is not an object`, {
        upstreamStatus: status,
      });
    }
    if (body.error !== undefined && body.error !== null && !Array.isArray(body.choices))
      throw this.upstreamBodyError(body.error, status);
    const choice = Array.isArray(body.choices) ? (body.choices[0] as WireChoice | undefined) : undefined;
    if (choice === undefined || typeof choice !== 'object' || choice === null) {
      throw this.error(LlmErrorCodes.malformed, `response from ${this.endpoint} has no choices`, {
        upstreamStatus: status,
      });
    }
    const message = choice.message ?? {};
    const toolCalls: ToolCall[] = [];
    if (message.tool_calls !== undefined && message.tool_calls !== null) {
      if (!Array.isArray(message.tool_calls)) {
        throw this.error(LlmErrorCodes.malformed, `response from ${this.endpoint} has malformed tool calls`, {
          upstreamStatus: status,
        });
      }
      (message.tool_calls as WireToolCall[]).forEach((call, index) => {
        if (
          typeof call !== 'object' ||
          call === null ||
          typeof call.function?.name !== 'string' ||
          call.function.name === ''
        ) {
          throw this.error(LlmErrorCodes.malformed, `response from ${this.endpoint} has a tool call without a name`, {
            upstreamStatus: status,
          });
        }
        toolCalls.push({
          id: typeof call.id === 'string' && call.id !== '' ? call.id : `call_${index}`,
          name: call.function.name,
          arguments: argumentsText(call.function.arguments),
        });
      });
    }
    return {
      text: contentText(message.content),
      toolCalls,
      finishReason: finishReasonOf(choice.finish_reason, toolCalls.length > 0),
      usage: usageOf(body.usage),
      model: typeof body.model === 'string' && body.model !== '' ? body.model : this.modelId,
      latencyMs: Math.round(performance.now() - started),
    };
  }

  private async post(request: ChatRequest, stream: boolean, clock: AttemptClock): Promise<Response> {
    const body: Record<string, unknown> = { model: this.modelId, messages: request.messages.map(toWireMessage) };
    if (request.tools !== undefined && request.tools.length > 0) {
      body.tools = request.tools.map((tool) => ({
        type: 'function',
        function: { name: tool.name, description: tool.description, parameters: tool.parameters },
      }));
    }
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
    if (stream) {
      body.stream = true;
      if (this.options.streamUsage ?? true) body.stream_options = { include_usage: true };
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      ...this.options.headers,
    };
    if (this.options.apiKey !== undefined && this.options.apiKey !== '')
      headers.authorization = `Bearer ${this.options.apiKey}`;
    const response = await this.fetchImplementation(this.endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: clock.signal,
    });
    if (response.ok) return response;
    // Read (a bounded part of) the error body for its `type`/`code`; its free-text message may echo the request, so it is dropped.
    let detail = '';
    try {
      const errorBody = JSON.parse((await response.text()).slice(0, 16_384)) as { error?: unknown };
      detail = this.describeUpstreamError(errorBody.error);
    } catch {
      // Not JSON, or the body could not be read: the status says enough.
    }
    const retryAfterMs = parseRetryAfter(response.headers);
    const code = response.status === 429 ? LlmErrorCodes.rateLimited : LlmErrorCodes.upstream;
    throw this.error(code, `${this.endpoint} answered HTTP ${response.status}${detail}`, {
      upstreamStatus: response.status,
      retryAfterMs,
    });
  }

  private describeUpstreamError(error: unknown): string {
    if (typeof error !== 'object' || error === null) return '';
    const { type, code } = error as { type?: unknown; code?: unknown };
    const parts = [type, code].filter(
      (value): value is string | number =>
        (typeof value === 'string' && SAFE_TOKEN.test(value)) || typeof value === 'number',
    );
    return parts.length > 0 ? ` (${parts.join(', ')})` : '';
  }

  private upstreamBodyError(error: unknown, status: number): LlmCallError {
    return this.error(
      LlmErrorCodes.upstream,
      `${this.endpoint} answered with an error object${this.describeUpstreamError(error)}`,
      { upstreamStatus: status, isRetryable: false },
    );
  }

  private error(
    code: (typeof LlmErrorCodes)[keyof typeof LlmErrorCodes],
    message: string,
    options: ConstructorParameters<typeof LlmCallError>[2] = {},
  ): LlmCallError {
    return new LlmCallError(code, message, { provider: this.provider, modelId: this.modelId, ...options });
  }

  /** Any failure → a typed LlmCallError: our timeout, the caller's abort (timeout or not), or a network failure. */
  private classify(error: unknown, clock: AttemptClock, callerSignal: AbortSignal | undefined): LlmCallError {
    if (isLlmCallError(error)) return error;
    if (clock.timedOut)
      return this.error(LlmErrorCodes.timeout, `${this.endpoint} did not answer within ${clock.timeoutMs} ms`, {
        cause: error,
      });
    if (callerSignal?.aborted) return this.callerAbortError(callerSignal, error);
    return this.error(LlmErrorCodes.upstream, `request to ${this.endpoint} failed: ${networkReason(error)}`, {
      cause: error,
      isRetryable: true,
    });
  }

  private callerAbortError(signal: AbortSignal, cause: unknown): LlmCallError {
    return isTimeoutReason(signal.reason)
      ? this.error(LlmErrorCodes.timeout, `call to ${this.endpoint} ran out of the caller's time budget`, {
          cause,
          isRetryable: false,
        })
      : this.error(LlmErrorCodes.aborted, `call to ${this.endpoint} was aborted by the caller`, {
          cause,
          isRetryable: false,
        });
  }

  private async withRetries<T>(request: ChatRequest, attempt: () => Promise<T>): Promise<T> {
    for (let attemptIndex = 0; ; attemptIndex += 1) {
      try {
        return await attempt();
      } catch (caught) {
        const error = isLlmCallError(caught)
          ? caught
          : this.error(LlmErrorCodes.upstream, `request to ${this.endpoint} failed`, { cause: caught });
        error.attempts = attemptIndex + 1;
        if (!error.isRetryable || attemptIndex >= this.maxRetries || request.signal?.aborted) throw error;
        const backoff = Math.min(this.maxRetryDelayMs, this.retryBaseDelayMs * 2 ** attemptIndex);
        let delay = backoff / 2 + (this.random() * backoff) / 2;
        if (error.retryAfterMs !== undefined) {
          if (error.retryAfterMs > this.maxRetryDelayMs) throw error;
          delay = error.retryAfterMs;
        }
        try {
          await sleep(delay, request.signal);
        } catch (reason) {
          const aborted = this.callerAbortError(request.signal!, reason);
          aborted.attempts = attemptIndex + 1;
          throw aborted;
        }
      }
    }
  }
}

// Only the error's name/code go into messages: undici's messages are safe, but a custom fetch's might not be.
function networkReason(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'unknown error';
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' && SAFE_TOKEN.test(cause.code) ? cause.code : undefined;
  const name = (error as { name?: unknown }).name;
  const message = (error as { message?: unknown }).message;
  const summary =
    typeof message === 'string' && /^[\w .:-]{1,80}$/.test(message)
      ? message
      : typeof name === 'string'
        ? name
        : 'error';
  return code !== undefined ? `${summary} (${code})` : summary;
}

// A scripted OpenAI-compatible server for tests: listens on 127.0.0.1:0, answers
// `POST …/chat/completions` from a script (a queue of replies or a function of the request) and
// `POST …/embeddings` with deterministic vectors. Replies follow the request's `stream` flag: the
// same `{ text }` reply is a JSON completion or an SSE stream. node:http only.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedToolCall {
  id?: string;
  name: string;
  /** Raw JSON text, sent as is (so tests can send malformed JSON). */
  arguments: string;
}

export interface ScriptedUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

interface ReplyTiming {
  /** Wait before sending headers. */
  delayMs?: number;
}

/** A completion: text and/or tool calls; streamed in chunks when the request asks for a stream. */
export interface ScriptedCompletion extends ReplyTiming {
  kind?: 'completion';
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Defaults to 'tool_calls' when there are tool calls, else 'stop'. */
  finishReason?: string;
  /** Defaults to a count of characters; `null` leaves usage out. */
  usage?: ScriptedUsage | null;
  model?: string;
  /** Streaming: characters per text chunk (default 4) and per tool-argument chunk (default 5). */
  chunkSize?: number;
  /** Streaming: wait between chunks. */
  chunkDelayMs?: number;
  /** Streaming: end the connection after this many chunks, with no finish and no [DONE]. */
  truncateAfterChunks?: number;
  /** Streaming: leave out the final `data: [DONE]` (the finish_reason is still sent). */
  omitDone?: boolean;
}

/** An HTTP error status, with an optional body and Retry-After. */
export interface ScriptedError extends ReplyTiming {
  kind: 'error';
  status: number;
  /** Seconds (or an HTTP date) for the Retry-After header. */
  retryAfter?: string;
  /** Milliseconds for the OpenAI-style retry-after-ms header. */
  retryAfterMs?: number;
  body?: unknown;
}

/** Never answers (until the client gives up or the server closes). */
export interface ScriptedHang {
  kind: 'hang';
  /** Send 200 and the SSE headers first, then hang (a stream that stalls). */
  afterHeaders?: boolean;
}

/** A 200 whose body is the given text verbatim (for malformed JSON, missing choices, …). */
export interface ScriptedRaw extends ReplyTiming {
  kind: 'raw';
  body: string;
  status?: number;
  contentType?: string;
}

/** Accept the request, then destroy the socket without an answer. */
export interface ScriptedReset {
  kind: 'reset';
}

export type ScriptedReply = ScriptedCompletion | ScriptedError | ScriptedHang | ScriptedRaw | ScriptedReset;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: any;
  /** 0-based index among chat-completion requests. */
  index: number;
}

export type ServerScript = ScriptedReply[] | ((request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>);

export interface ScriptedServerOptions {
  /** Length of `/embeddings` vectors (default 8). */
  embeddingDimension?: number;
  /** Custom embedding; by default a hash of the text's characters (same text, same vector). */
  embed?: (text: string) => number[];
  /**
   * A fault for an embeddings request, asked per request (undefined: answer normally): an HTTP
   * error, a hang, or vectors of another dimension.
   */
  embeddingFault?: (
    request: RecordedRequest,
  ) => ScriptedError | ScriptedHang | { kind: 'dimension'; dimension: number } | undefined;
}

export interface ScriptedOpenAiServer {
  /** Base URL to give an adapter, ending in /v1. */
  url: string;
  /** Chat-completion requests in arrival order. */
  requests: RecordedRequest[];
  /** Embedding requests in arrival order. */
  embeddingRequests: RecordedRequest[];
  /** Replace the script (e.g. between tests). */
  setScript(script: ServerScript): void;
  close(): Promise<void>;
}

/** A deterministic unit vector of the text: the bag of its characters hashed into `dimension` buckets. */
export function deterministicEmbedding(text: string, dimension = 8): number[] {
  const vector = new Array<number>(dimension).fill(0);
  for (const character of text) {
    const digest = createHash('sha256').update(character).digest();
    vector[digest[0] % dimension] += digest[1] & 1 ? 1 : -1;
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector.map((_, index) => (index === 0 ? 1 : 0)) : vector.map((value) => value / norm);
}

function wait(milliseconds: number | undefined): Promise<void> {
  return milliseconds === undefined || milliseconds <= 0
    ? Promise.resolve()
    : new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function pieces(text: string, size: number): string[] {
  const characters = [...text];
  const result: string[] = [];
  for (let start = 0; start < characters.length; start += size)
    result.push(characters.slice(start, start + size).join(''));
  return result;
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  request.setEncoding('utf8');
  for await (const chunk of request) body += chunk;
  return body;
}

function defaultUsage(reply: ScriptedCompletion, request: RecordedRequest): ScriptedUsage {
  const promptCharacters = JSON.stringify(request.body?.messages ?? []).length;
  const completionCharacters =
    (reply.text ?? '').length + (reply.toolCalls ?? []).reduce((sum, call) => sum + call.arguments.length, 0);
  return {
    prompt_tokens: Math.ceil(promptCharacters / 4),
    completion_tokens: Math.max(1, Math.ceil(completionCharacters / 2)),
  };
}

/**
 * Starts the server. The script is consumed one reply per chat request; when a queue runs out the
 * server answers 500 `script exhausted`, so a test that makes an unexpected call fails loudly.
 * @example
 * const server = await startScriptedOpenAiServer([{ text: '你好' }, { kind: 'error', status: 503 }]);
 * const model = createOpenAiCompatibleModel({ baseUrl: server.url, model: 'scripted' });
 */
export async function startScriptedOpenAiServer(
  script: ServerScript = [],
  options: ScriptedServerOptions = {},
): Promise<ScriptedOpenAiServer> {
  let currentScript = script;
  let queuePosition = 0;
  const requests: RecordedRequest[] = [];
  const embeddingRequests: RecordedRequest[] = [];
  const dimension = options.embeddingDimension ?? 8;
  const embed = options.embed ?? ((text: string) => deterministicEmbedding(text, dimension));

  async function nextReply(request: RecordedRequest): Promise<ScriptedReply> {
    if (typeof currentScript === 'function') return currentScript(request);
    const reply = currentScript[queuePosition];
    queuePosition += 1;
    return (
      reply ?? {
        kind: 'error',
        status: 500,
        body: { error: { type: 'script_exhausted', message: 'script exhausted' } },
      }
    );
  }

  async function answerCompletion(
    request: RecordedRequest,
    reply: ScriptedReply,
    response: ServerResponse,
  ): Promise<void> {
    switch (reply.kind) {
      case 'hang':
        if (reply.afterHeaders) {
          response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          response.flushHeaders();
        }
        return; // the socket stays open until the client aborts or close() destroys it
      case 'reset':
        response.socket?.destroy();
        return;
      case 'error': {
        await wait(reply.delayMs);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (reply.retryAfter !== undefined) headers['retry-after'] = reply.retryAfter;
        if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
        const body = reply.body ?? {
          error: {
            type: reply.status === 429 ? 'rate_limit_exceeded' : 'server_error',
            message: `scripted ${reply.status}`,
          },
        };
        response.writeHead(reply.status, headers).end(typeof body === 'string' ? body : JSON.stringify(body));
        return;
      }
      case 'raw':
        await wait(reply.delayMs);
        response
          .writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json' })
          .end(reply.body);
        return;
      default:
        await wait(reply.delayMs);
        if (request.body?.stream === true) await streamCompletion(request, reply, response);
        else sendCompletion(request, reply, response);
    }
  }

  function sendCompletion(request: RecordedRequest, reply: ScriptedCompletion, response: ServerResponse): void {
    const toolCalls = reply.toolCalls ?? [];
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: reply.text ?? (toolCalls.length > 0 ? null : ''),
    };
    if (toolCalls.length > 0) {
      message.tool_calls = toolCalls.map((call, index) => ({
        id: call.id ?? `call_${request.index}_${index}`,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      }));
    }
    const body: Record<string, unknown> = {
      id: `chatcmpl-${request.index}`,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: reply.model ?? request.body?.model ?? 'scripted',
      choices: [
        { index: 0, message, finish_reason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop') },
      ],
    };
    if (reply.usage !== null) {
      const usage = reply.usage ?? defaultUsage(reply, request);
      body.usage = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  async function streamCompletion(
    request: RecordedRequest,
    reply: ScriptedCompletion,
    response: ServerResponse,
  ): Promise<void> {
    const model = reply.model ?? request.body?.model ?? 'scripted';
    const base = { id: `chatcmpl-${request.index}`, object: 'chat.completion.chunk', created: 1_700_000_000, model };
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): string =>
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
    const events: string[] = [chunk({ role: 'assistant', content: '' })];
    for (const piece of pieces(reply.text ?? '', reply.chunkSize ?? 4)) events.push(chunk({ content: piece }));
    (reply.toolCalls ?? []).forEach((call, index) => {
      const id = call.id ?? `call_${request.index}_${index}`;
      events.push(
        chunk({ tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: '' } }] }),
      );
      for (const piece of pieces(call.arguments, reply.chunkSize ?? 5))
        events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    });
    const toolCalls = reply.toolCalls ?? [];
    events.push(chunk({}, reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop')));
    if (reply.usage !== null && request.body?.stream_options?.include_usage === true) {
      const usage = reply.usage ?? defaultUsage(reply, request);
      events.push(
        `data: ${JSON.stringify({ ...base, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`,
      );
    }
    if (!reply.omitDone) events.push('data: [DONE]\n\n');
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.flushHeaders();
    for (let position = 0; position < events.length; position += 1) {
      if (reply.truncateAfterChunks !== undefined && position >= reply.truncateAfterChunks) {
        response.socket?.destroy();
        return;
      }
      if (position > 0) await wait(reply.chunkDelayMs);
      if (response.destroyed) return;
      response.write(events[position]);
    }
    response.end();
  }

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(incoming);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const path = (incoming.url ?? '/').split('?')[0];
    const headers = { ...incoming.headers };
    if (incoming.method === 'POST' && path.endsWith('/embeddings')) {
      const recorded: RecordedRequest = { method: 'POST', path, headers, body, index: embeddingRequests.length };
      embeddingRequests.push(recorded);
      const input = (body as { input?: unknown } | undefined)?.input;
      const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map(String) : [];
      const fault = options.embeddingFault?.(recorded);
      if (fault && fault.kind !== 'dimension') {
        await answerCompletion(recorded, fault, response);
        return;
      }
      const vectorOf = (text: string) =>
        fault?.kind === 'dimension' ? deterministicEmbedding(text, fault.dimension) : embed(text);
      const data = texts.map((text, index) => ({ object: 'embedding', index, embedding: vectorOf(text) }));
      const promptTokens = texts.reduce((sum, text) => sum + text.length, 0);
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          object: 'list',
          data,
          model: (body as { model?: unknown } | undefined)?.model ?? 'scripted-embedding',
          usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
        }),
      );
      return;
    }
    if (incoming.method !== 'POST' || !path.endsWith('/chat/completions')) {
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { type: 'not_found', message: 'no such route' } }));
      return;
    }
    const recorded: RecordedRequest = { method: 'POST', path, headers, body, index: requests.length };
    requests.push(recorded);
    await answerCompletion(recorded, await nextReply(recorded), response);
  }

  const server = createServer((incoming, response) => {
    response.on('error', () => undefined); // a client that aborted mid-stream is expected here
    void handle(incoming, response).catch((error: unknown) => {
      if (!response.headersSent)
        response
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { type: 'script_error', message: String(error) } }));
      else response.destroy();
    });
  });
  // Clients abort hanging requests; a reset socket must not crash the test process.
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    embeddingRequests,
    setScript(next) {
      currentScript = next;
      queuePosition = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRetrievalIndex } from './build-retrieval-index.js';
import { EmbeddingRequestError, OpenAiEmbedder } from './embedder.js';

// A scripted OpenAI-compatible embeddings server: each text maps to a 3-d "topic" vector, so
// paraphrases without shared words still land together, as with a real embedding model.
const TOPICS: [RegExp, number[]][] = [
  [/退|refund|钱回来/, [1, 0, 0]],
  [/行李|luggage|baggage|箱子/, [0, 1, 0]],
  [/发票|invoice|receipt/, [0, 0, 1]],
];
const vectorFor = (text: string): number[] => TOPICS.find(([pattern]) => pattern.test(text))?.[1] ?? [0.3, 0.3, 0.3];

let server: Server;
let baseUrl: string;
const requests: { authorization?: string; body: { model: string; input: string[] } }[] = [];
let script: 'ok' | 'error-500' | 'error-400' | 'malformed' | 'short' = 'ok';

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
}

async function respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = JSON.parse(await readBody(request)) as { model: string; input: string[] };
  requests.push({ authorization: request.headers.authorization, body });
  if (request.url !== '/v1/embeddings' || request.method !== 'POST') {
    response.writeHead(404).end();
    return;
  }
  if (script === 'error-500') return void response.writeHead(503).end('{"error":"overloaded"}');
  if (script === 'error-400') return void response.writeHead(400).end('{"error":"bad model"}');
  if (script === 'malformed')
    return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"embedding":"nope"}]}');
  const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: vectorFor(text) }));
  // Out of order on purpose: clients must use `index`.
  data.reverse();
  if (script === 'short') data.pop();
  response
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ object: 'list', data, model: body.model }));
}

beforeAll(async () => {
  server = createServer((request, response) => {
    // A request the script cannot read fails the client's call with a 500 instead of leaving it waiting.
    void respond(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(error instanceof Error ? error.message : 'the scripted server failed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('OpenAiEmbedder', () => {
  it('posts batches to {baseUrl}/embeddings with the model and key, keeping input order', async () => {
    script = 'ok';
    requests.length = 0;
    const embedder = new OpenAiEmbedder({ baseUrl: `${baseUrl}/`, model: 'bge-m3', apiKey: 'sk-test', batchSize: 2 });
    const vectors = await embedder.embed(['退款', '行李', '发票']);
    expect(vectors.map((vector) => Array.from(vector))).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(embedder.dimension).toBe(3);
    expect(requests.map((request) => request.body.input)).toEqual([['退款', '行李'], ['发票']]);
    expect(requests[0]).toMatchObject({ authorization: 'Bearer sk-test', body: { model: 'bge-m3' } });
  });

  it('reports upstream failures as retryable or not, without the texts in the message', async () => {
    const embedder = new OpenAiEmbedder({ baseUrl, model: 'm' });
    script = 'error-500';
    const overloaded = await embedder.embed(['我的手机号是 13800000000']).catch((error: unknown) => error);
    expect(overloaded).toBeInstanceOf(EmbeddingRequestError);
    expect(overloaded).toMatchObject({
      code: 'CS_EMBEDDING_REQUEST_FAILED',
      isRetryable: true,
      upstreamStatus: 503,
      category: 'third_party',
    });
    expect((overloaded as Error).message).not.toContain('13800000000');
    script = 'error-400';
    await expect(embedder.embed(['x'])).rejects.toMatchObject({ isRetryable: false, upstreamStatus: 400 });
    script = 'malformed';
    await expect(embedder.embed(['x'])).rejects.toThrow(/malformed vector/);
    script = 'short';
    await expect(embedder.embed(['a', 'b'])).rejects.toThrow(/1 vectors for 2 texts/);
    await expect(
      new OpenAiEmbedder({ baseUrl: 'http://127.0.0.1:1/v1', model: 'm', timeoutMs: 2000 }).embed(['x']),
    ).rejects.toMatchObject({ isRetryable: true });
    script = 'ok';
    await expect(new OpenAiEmbedder({ baseUrl, model: 'm', dimension: 1024 }).embed(['x'])).rejects.toThrow(
      /dimension 3, expected 1024/,
    );
  });
});

describe('hybrid retrieval', () => {
  const entries = [
    { id: 'refund', question: '怎么申请退款？', answer: '在订单页点击申请退款。' },
    { id: 'luggage', question: '能带多少行李？', answer: '经济舱免费托运 20 公斤。' },
    { id: 'invoice', question: '怎么开发票？', answer: '在订单详情页申请电子发票。' },
  ];

  it('finds by meaning what BM25 cannot, fusing both rankings by reciprocal rank', async () => {
    script = 'ok';
    const index = buildRetrievalIndex(entries, { embedder: new OpenAiEmbedder({ baseUrl, model: 'm' }) });
    // "箱子" shares no word or bigram with the luggage entry; only the dense side connects them.
    expect(index.search('我的箱子超重了')[0]?.id).not.toBe('luggage');
    const hybrid = await index.searchHybrid('我的箱子超重了', { k: 3 });
    expect(hybrid[0]!.id).toBe('luggage');
    expect(hybrid[0]!.matchScore).toBeGreaterThan(0.5);
    const both = await index.searchHybrid('怎么申请退款', { k: 3, exclude: new Set(['invoice']) });
    expect(both[0]!.id).toBe('refund');
    expect(both.map((hit) => hit.id)).not.toContain('invoice');
  });

  it('keeps lexical search working when the embedder fails, and retries embedding later', async () => {
    script = 'error-500';
    const index = buildRetrievalIndex(entries, { embedder: new OpenAiEmbedder({ baseUrl, model: 'm' }) });
    await expect(index.ready()).rejects.toBeInstanceOf(EmbeddingRequestError);
    expect(index.search('怎么开发票')[0]!.id).toBe('invoice');
    script = 'ok';
    await index.ready();
    expect((await index.searchHybrid('receipt please'))[0]!.id).toBe('invoice');
  });
});

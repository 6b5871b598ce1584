import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startScriptedOpenAiServer,
  type RecordedRequest,
  type ScriptedOpenAiServer,
  type ScriptedServerOptions,
} from '../../test/support/scripted-openai-server.js';
import {
  blendCandidates,
  cosine,
  createConfiguredEmbedder,
  OpenAiEmbedder,
  ResilientEmbedder,
  type EmbeddingDegradeReason,
} from './embedder.js';

let server: ScriptedOpenAiServer;
let fault: ScriptedServerOptions['embeddingFault'] = undefined;

beforeAll(async () => {
  server = await startScriptedOpenAiServer([], {
    embeddingDimension: 8,
    embeddingFault: (request: RecordedRequest) => fault?.(request),
  });
});
afterAll(async () => server.close());

function resilient(degraded: Array<[EmbeddingDegradeReason, string]>, timeoutMs = 400) {
  const http = new OpenAiEmbedder({ baseUrl: server.url, model: 'bge-m3', dimension: 8, timeoutMs: 2_000 });
  return new ResilientEmbedder(http, 'bge-m3', {
    dimension: 8,
    timeoutMs,
    cacheSize: 3,
    onDegrade: (reason, detail) => degraded.push([reason, detail]),
  });
}

describe('ResilientEmbedder against a scripted /v1/embeddings server', () => {
  it('embeds Simplified, Traditional and English text and caches vectors per model and text (bounded)', async () => {
    fault = undefined;
    const degraded: Array<[EmbeddingDegradeReason, string]> = [];
    const embedder = resilient(degraded);
    const before = server.embeddingRequests.length;
    const first = await embedder.tryEmbed(['怎么开发票', '怎麼開發票', 'how do I get an invoice']);
    expect(first).toMatchObject({ ok: true, cached: 0 });
    if (!first.ok) throw new Error('unreachable');
    expect(first.vectors.map((vector) => vector.length)).toEqual([8, 8, 8]);
    const again = await embedder.tryEmbed(['怎么开发票']);
    expect(again).toMatchObject({ ok: true, cached: 1 });
    expect(server.embeddingRequests.length).toBe(before + 1);
    await embedder.tryEmbed(['a b', 'c d']);
    expect(embedder.cached).toBe(3);
    expect(degraded).toEqual([]);
  });

  it('degrades with a reason when the endpoint is down, slow or answers with the wrong dimension; never throws', async () => {
    const degraded: Array<[EmbeddingDegradeReason, string]> = [];
    const embedder = resilient(degraded, 300);
    fault = () => ({ kind: 'error', status: 503 });
    expect(await embedder.tryEmbed(['运费多少'])).toMatchObject({ ok: false, reason: 'unavailable' });
    fault = () => ({ kind: 'hang' });
    expect(await embedder.tryEmbed(['運費多少'])).toMatchObject({ ok: false, reason: 'timeout' });
    fault = () => ({ kind: 'dimension', dimension: 4 });
    expect(await embedder.tryEmbed(['shipping fee'])).toMatchObject({ ok: false, reason: 'wrong_dimension' });
    expect(degraded.map(([reason]) => reason)).toEqual(['unavailable', 'timeout', 'wrong_dimension']);
    fault = undefined;
    expect(await embedder.tryEmbed(['shipping fee'])).toMatchObject({ ok: true });
  });

  it('blends cosine evidence into the top candidates (plumbing check with a deterministic embedder)', () => {
    const query = Float32Array.from([1, 0]);
    const vectors = new Map([
      ['faq-1', Float32Array.from([0, 1])],
      ['faq-2', Float32Array.from([1, 0])],
    ]);
    const blended = blendCandidates(
      [
        { id: 'faq-1', score: 0.5 },
        { id: 'faq-2', score: 0.45 },
        { id: 'faq-3', score: 0.1 },
      ],
      query,
      vectors,
      0.3,
    );
    expect(blended.map((candidate) => candidate.id)).toEqual(['faq-2', 'faq-1', 'faq-3']);
    expect(blended[0]).toMatchObject({ lexical: 0.45, semantic: 1 });
    expect(blended[2]).toMatchObject({ semantic: null, score: 0.1 });
    expect(cosine(Float32Array.from([1, 2]), Float32Array.from([1]))).toBe(0);
  });
});

describe('createConfiguredEmbedder', () => {
  it('is null without an endpoint (lexical tier only) and counts degradations through the callback', async () => {
    expect(createConfiguredEmbedder({ model: 'bge-m3', dimension: 0, timeoutMs: 100, cacheSize: 10 })).toBeNull();
    const counted: string[] = [];
    const embedder = createConfiguredEmbedder(
      { baseUrl: server.url, model: 'bge-m3', dimension: 8, timeoutMs: 500, cacheSize: 10 },
      (reason) => counted.push(reason),
    )!;
    fault = () => ({ kind: 'error', status: 500 });
    expect(await embedder.tryEmbed(['发票'])).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(counted).toEqual(['unavailable']);
    fault = undefined;
  });
});

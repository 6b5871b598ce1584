import { KefuError } from '../errors/index.js';

/** The embeddings port: anything that turns texts into fixed-size vectors. */
export interface Embedder {
  /** Vector length; 0 until known (an HTTP adapter learns it from the first response). */
  readonly dimension: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}

export interface OpenAiEmbedderOptions {
  /** e.g. https://api.openai.com/v1, http://localhost:11434/v1 (Ollama), a vLLM/TEI server. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Expected vector length; checked against responses when given. */
  dimension?: number;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** An embeddings request that failed; `isRetryable` follows 408/409/429/5xx and network errors. */
export class EmbeddingRequestError extends KefuError {
  constructor(
    message: string,
    readonly upstreamStatus: number | undefined,
    readonly isRetryable: boolean,
    options?: { cause?: unknown },
  ) {
    super('CS_EMBEDDING_REQUEST_FAILED', message, {
      category: 'third_party',
      cause: options?.cause,
      details: { upstreamStatus, isRetryable },
    });
    this.name = 'EmbeddingRequestError';
  }
}

interface EmbeddingResponse {
  data?: { embedding?: unknown; index?: unknown }[];
}

/**
 * An Embedder for any OpenAI-compatible `POST {baseUrl}/embeddings` endpoint (OpenAI, Azure-style
 * gateways, Ollama, vLLM, text-embeddings-inference, Xinference, DashScope's compatible mode).
 * Error messages carry the status and endpoint, never the texts (they are customer messages).
 * @example
 * const embedder = new OpenAiEmbedder({ baseUrl: 'http://localhost:11434/v1', model: 'bge-m3' });
 */
export class OpenAiEmbedder implements Embedder {
  private knownDimension: number;
  private readonly endpoint: string;

  constructor(private readonly options: OpenAiEmbedderOptions) {
    this.knownDimension = options.dimension ?? 0;
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
  }

  get dimension(): number {
    return this.knownDimension;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const batchSize = this.options.batchSize ?? 64;
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      vectors.push(...(await this.request(texts.slice(start, start + batchSize))));
    }
    return vectors;
  }

  private async request(input: string[]): Promise<Float32Array[]> {
    const fetchImplementation = this.options.fetch ?? fetch;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey !== undefined) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    try {
      response = await fetchImplementation(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: this.options.model, input, encoding_format: 'float' }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new EmbeddingRequestError(
        `embeddings request to ${this.endpoint} failed: ${(error as Error).message}`,
        undefined,
        true,
        { cause: error },
      );
    }
    if (!response.ok) {
      const retryable = [408, 409, 429].includes(response.status) || response.status >= 500;
      throw new EmbeddingRequestError(
        `embeddings request to ${this.endpoint} returned HTTP ${response.status}`,
        response.status,
        retryable,
      );
    }
    let body: EmbeddingResponse;
    try {
      body = (await response.json()) as EmbeddingResponse;
    } catch (error) {
      throw new EmbeddingRequestError(`embeddings response from ${this.endpoint} is not JSON`, response.status, false, {
        cause: error,
      });
    }
    const data = Array.isArray(body.data) ? body.data : [];
    if (data.length !== input.length) {
      throw new EmbeddingRequestError(
        `embeddings response from ${this.endpoint} has ${data.length} vectors for ${input.length} texts`,
        response.status,
        false,
      );
    }
    const vectors = new Array<Float32Array>(input.length);
    data.forEach((item, position) => {
      const index = typeof item.index === 'number' ? item.index : position;
      if (
        !Array.isArray(item.embedding) ||
        !item.embedding.every((value) => typeof value === 'number') ||
        index < 0 ||
        index >= input.length
      ) {
        throw new EmbeddingRequestError(
          `embeddings response from ${this.endpoint} has a malformed vector`,
          response.status,
          false,
        );
      }
      vectors[index] = Float32Array.from(item.embedding as number[]);
    });
    for (const vector of vectors) {
      if (vector === undefined)
        throw new EmbeddingRequestError(
          `embeddings response from ${this.endpoint} repeats an index`,
          response.status,
          false,
        );
      if (this.knownDimension === 0) this.knownDimension = vector.length;
      if (vector.length !== this.knownDimension) {
        throw new EmbeddingRequestError(
          `embeddings from ${this.endpoint} have dimension ${vector.length}, expected ${this.knownDimension}`,
          response.status,
          false,
        );
      }
    }
    return vectors;
  }
}

/** Why embeddings were not used for a text (the lexical tier answered alone). */
export type EmbeddingDegradeReason = 'unavailable' | 'timeout' | 'wrong_dimension' | 'error';

export interface ResilientEmbedderOptions {
  /** Longest wait for vectors before the caller goes on without them (default 1,500 ms). */
  timeoutMs?: number;
  /** Expected vector length; a response of another length is not used. */
  dimension?: number;
  /** Cached vectors at most (least recently used go first; default 10,000). */
  cacheSize?: number;
  /** Called once per degraded request, e.g. to count it in Prometheus and note it in the trace. */
  onDegrade?: (reason: EmbeddingDegradeReason, detail: string) => void;
}

export type EmbedOutcome =
  { ok: true; vectors: Float32Array[]; cached: number } | { ok: false; reason: EmbeddingDegradeReason; detail: string };

/**
 * An Embedder made safe for a turn: vectors are cached per model and text (a bounded LRU in
 * memory), a request has a deadline, and an endpoint that is down, slow or answers with the wrong
 * dimension yields `{ ok: false, reason }` instead of an error, so the caller keeps the lexical
 * tier's answer. Never throws.
 * @example
 * const embedder = new ResilientEmbedder(new OpenAiEmbedder({ baseUrl, model: 'bge-m3' }), 'bge-m3');
 * const outcome = await embedder.tryEmbed(['怎么开发票']);
 */
export class ResilientEmbedder {
  private readonly cache = new Map<string, Float32Array>();
  private readonly cacheSize: number;

  constructor(
    private readonly inner: Embedder,
    private readonly model: string,
    private readonly options: ResilientEmbedderOptions = {},
  ) {
    this.cacheSize = Math.max(1, options.cacheSize ?? 10_000);
  }

  /** Vectors held in the cache now. */
  get cached(): number {
    return this.cache.size;
  }

  /** The model whose vectors these are (part of every cache key). */
  get modelId(): string {
    return this.model;
  }

  /**
   * Vectors for `texts` (cached ones without a request), or why there are none. `timeoutMs`
   * overrides the deadline for this call (e.g. a longer one when a tenant's FAQ is embedded at load).
   */
  async tryEmbed(texts: string[], options: { timeoutMs?: number } = {}): Promise<EmbedOutcome> {
    const vectors = new Array<Float32Array | undefined>(texts.length);
    const missing: string[] = [];
    texts.forEach((text, index) => {
      const hit = this.cache.get(this.key(text));
      if (hit) {
        // Refresh its place in the LRU order.
        this.cache.delete(this.key(text));
        this.cache.set(this.key(text), hit);
        vectors[index] = hit;
      } else if (!missing.includes(text)) missing.push(text);
    });
    const cachedCount = texts.length - texts.filter((_, index) => vectors[index] === undefined).length;
    if (missing.length > 0) {
      const fetched = await this.fetch(missing, options.timeoutMs);
      if (!fetched.ok) {
        this.options.onDegrade?.(fetched.reason, fetched.detail);
        return fetched;
      }
      missing.forEach((text, index) => this.remember(text, fetched.vectors[index]!));
      texts.forEach((text, index) => {
        vectors[index] ??= this.cache.get(this.key(text));
      });
    }
    return { ok: true, vectors: vectors as Float32Array[], cached: cachedCount };
  }

  private async fetch(texts: string[], timeoutOverride?: number): Promise<EmbedOutcome> {
    const timeoutMs = timeoutOverride ?? this.options.timeoutMs ?? 1_500;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const result = await Promise.race([this.inner.embed(texts), deadline]);
      if (result === 'timeout') return { ok: false, reason: 'timeout', detail: `no vectors within ${timeoutMs} ms` };
      const expected = this.options.dimension ?? result[0]?.length ?? 0;
      const wrong = result.find((vector) => vector.length !== expected || vector.length === 0);
      if (result.length !== texts.length || wrong !== undefined)
        return {
          ok: false,
          reason: 'wrong_dimension',
          detail: `vectors of dimension ${wrong?.length ?? 'n/a'}, expected ${expected}`,
        };
      return { ok: true, vectors: result, cached: 0 };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      if (error instanceof EmbeddingRequestError && /dimension/.test(detail))
        return { ok: false, reason: 'wrong_dimension', detail };
      if (error instanceof EmbeddingRequestError && (error.upstreamStatus === undefined || error.isRetryable))
        return { ok: false, reason: /timeout|aborted/i.test(detail) ? 'timeout' : 'unavailable', detail };
      return { ok: false, reason: 'error', detail };
    } finally {
      clearTimeout(timer);
    }
  }

  private key(text: string): string {
    return `${this.model}\u0000${text}`;
  }

  private remember(text: string, vector: Float32Array): void {
    this.cache.set(this.key(text), vector);
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** Cosine similarity of two vectors of one length (0 for a zero vector or a length mismatch). */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index += 1) {
    dot += a[index]! * b[index]!;
    normA += a[index]! * a[index]!;
    normB += b[index]! * b[index]!;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/**
 * Re-ranks the lexical tier's top candidates with embedding evidence: each candidate's score
 * becomes `(1 - weight) · lexical + weight · max(0, cosine)`, the order is by the blend, and a
 * candidate without a vector keeps its lexical score. Used on the top few only (the lexical tier
 * decides what is a candidate).
 */
export function blendCandidates<T extends { id: string; score: number }>(
  candidates: readonly T[],
  query: Float32Array,
  vectors: ReadonlyMap<string, Float32Array>,
  weight = 0.3,
): Array<T & { lexical: number; semantic: number | null }> {
  return candidates
    .map((candidate) => {
      const vector = vectors.get(candidate.id);
      const semantic = vector ? Math.max(0, cosine(query, vector)) : null;
      const score = semantic === null ? candidate.score : (1 - weight) * candidate.score + weight * semantic;
      return { ...candidate, lexical: candidate.score, semantic, score };
    })
    .sort((a, b) => b.score - a.score);
}

/** The embeddings settings of src/config (KEFU_EMBEDDINGS_*). */
export interface EmbeddingsSettings {
  baseUrl?: string;
  apiKey?: string;
  model: string;
  dimension: number;
  timeoutMs: number;
  cacheSize: number;
}

/**
 * The configured embedder, or null when no endpoint is configured (then kefu is exactly the
 * lexical tier). `onDegrade` is where a server counts `kefu_embeddings_degraded_total{reason}`.
 */
export function createConfiguredEmbedder(
  settings: EmbeddingsSettings,
  onDegrade?: ResilientEmbedderOptions['onDegrade'],
  fetchImplementation?: typeof fetch,
): ResilientEmbedder | null {
  if (!settings.baseUrl) return null;
  const http = new OpenAiEmbedder({
    baseUrl: settings.baseUrl,
    model: settings.model,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    ...(settings.dimension > 0 ? { dimension: settings.dimension } : {}),
    // The HTTP request may outlive a turn's deadline (the resilient layer stops waiting at
    // `timeoutMs`): embedding a tenant's FAQ at load needs longer than one turn may wait.
    timeoutMs: Math.max(settings.timeoutMs, 30_000),
    ...(fetchImplementation ? { fetch: fetchImplementation } : {}),
  });
  return new ResilientEmbedder(http, settings.model, {
    timeoutMs: settings.timeoutMs,
    cacheSize: settings.cacheSize,
    ...(settings.dimension > 0 ? { dimension: settings.dimension } : {}),
    ...(onDegrade ? { onDegrade } : {}),
  });
}

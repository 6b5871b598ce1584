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

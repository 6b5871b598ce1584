import { performance } from 'node:perf_hooks';
import type { EmbeddingDegradeReason, ResilientEmbedder } from './embedder.js';
import type { RetrievalHit } from './retrieval-index.js';
import { VectorIndex } from './vector-index.js';

/**
 * Embeddings as evidence beside the lexical tier (issue 17 §3). A tenant's FAQ phrasings and
 * passages are embedded once per runtime (in the background, cached per text and model by the
 * ResilientEmbedder); at a turn the message is embedded once and its cosine to each FAQ entry
 * (best phrasing) and passage is *added* to the lexical candidates' scores:
 *
 *   semantic = σ(slope · (cosine − midpoint))          (an uncalibrated squash, per model)
 *   fused    = 1 − (1 − lexical) · (1 − weight · semantic)
 *
 * so agreement raises a candidate, and a candidate only the vectors found (similar enough:
 * semantic ≥ `addFloor`) enters with at most `weight`. A candidate the vectors like less than their
 * best one (entry or passage) loses `weight · (semantic(best) − semantic(candidate))`; the order is
 * by the result. Nothing here
 * throws: an endpoint that is down, slow, or answers with another dimension yields a degrade reason
 * and the lexical reading stands unchanged.
 */
export interface EmbeddingEvidenceOptions {
  /** How much the vectors may add (0–1; default 0.3). */
  weight?: number;
  /** σ(slope·(cosine − midpoint)); the default (12, 0.8) suits normalised sentence encoders. */
  calibration?: { slope: number; midpoint: number };
  /** Candidates the vectors may add, per side (default 5). */
  depth?: number;
  /** The squashed cosine from which the vectors add a candidate the lexical tier did not find (default 0.5). */
  addFloor?: number;
  /** Deadline per batch of 64 texts when a tenant's knowledge is embedded (default 30 s). */
  prepareTimeoutMs?: number;
  /** After a failed preparation, wait this long before trying again (default 60 s). */
  retryAfterMs?: number;
  /** Called once per turn that went without vectors (counts kefu_embeddings_degraded_total). */
  onDegrade?: (reason: EmbeddingEvidenceReason, detail: string) => void;
}

/** Why a turn went without vectors: the embedder's reasons, or the tenant's vectors not being ready yet. */
export type EmbeddingEvidenceReason = EmbeddingDegradeReason | 'not_ready';

/** What a tenant's knowledge looks like to the embedder: FAQ phrasings by entry, passages by id. */
export interface EmbeddingSource {
  faq: Iterable<{ id: string; phrasings: readonly string[] }>;
  passages: Iterable<{ id: string; text: string }>;
}

/** The embeddings part of a turn's trace. */
export interface EmbeddingTrace {
  model: string;
  used: boolean;
  /** Why the vectors were not used (the lexical tier answered alone). */
  reason?: EmbeddingEvidenceReason;
  ms: number;
  /** The entry the vectors liked best and its cosine (rounded). */
  bestFaq?: { id: string; cosine: number };
  /** The winner before and after the evidence, when it changed. */
  changed?: { from: string | null; to: string };
}

/** A lexical candidate and what the vectors added to it. */
export interface FusedCandidate {
  id: string;
  score: number;
  lexical: number;
  /** The squashed cosine, or null when the candidate has no vector. */
  semantic: number | null;
  cosine: number | null;
}

interface TenantVectors {
  faq: VectorIndex | null;
  passages: VectorIndex | null;
}

type Preparation =
  | { status: 'preparing'; promise: Promise<TenantVectors | null> }
  | { status: 'ready'; vectors: TenantVectors }
  | { status: 'failed'; reason: EmbeddingDegradeReason; at: number };

/** The vectors of one turn's message, and how to fuse them with the lexical readings. */
export interface TurnEmbedding {
  trace: EmbeddingTrace;
  /** Lexical FAQ candidates (id, confidence) with the vector evidence added, best first. */
  fuseFaq(candidates: ReadonlyArray<{ id: string; score: number }>): FusedCandidate[];
  /** Retrieval hits re-ranked with the vector evidence (matchScore fused the same way), at most k. */
  rerankHits(hits: readonly RetrievalHit[], k: number): RetrievalHit[];
}

const BATCH = 64;

/**
 * The per-server embeddings evidence: one ResilientEmbedder, the vectors of each tenant runtime
 * (held weakly by the runtime object, so a reloaded runtime is re-embedded, mostly from the cache).
 * @example
 * const evidence = new EmbeddingEvidence(createConfiguredEmbedder(config.embeddings)!, { onDegrade });
 * const turn = await evidence.forTurn(runtime, source, '怎么开发票', 1_500);
 * if (turn.trace.used) hits = turn.rerankHits(hits, 5);
 */
export class EmbeddingEvidence {
  private readonly tenants = new WeakMap<object, Preparation>();
  private readonly weight: number;
  private readonly calibration: { slope: number; midpoint: number };
  private readonly depth: number;
  private readonly addFloor: number;

  constructor(
    private readonly embedder: ResilientEmbedder,
    private readonly options: EmbeddingEvidenceOptions = {},
  ) {
    this.weight = Math.min(1, Math.max(0, options.weight ?? 0.3));
    this.calibration = options.calibration ?? { slope: 12, midpoint: 0.8 };
    this.depth = Math.max(1, options.depth ?? 5);
    this.addFloor = options.addFloor ?? 0.5;
  }

  get model(): string {
    return this.embedder.modelId;
  }

  /** Starts embedding a tenant's knowledge (once per runtime object); resolves when done or failed. */
  prepare(key: object, source: () => EmbeddingSource): Promise<void> {
    const state = this.preparation(key, source);
    return state.status === 'preparing' ? state.promise.then(() => undefined) : Promise.resolve();
  }

  /**
   * The message's vector and the fusion functions, or a trace saying why there are none. Waits at
   * most `timeoutMs` in all; never throws.
   */
  async forTurn(key: object, source: () => EmbeddingSource, text: string, timeoutMs: number): Promise<TurnEmbedding> {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    const degraded = (reason: EmbeddingEvidenceReason, detail: string): TurnEmbedding => {
      this.options.onDegrade?.(reason, detail);
      return lexicalOnly({ model: this.model, used: false, reason, ms: ms() });
    };
    try {
      const state = this.preparation(key, source);
      if (state.status === 'failed') return degraded(state.reason, 'the tenant knowledge could not be embedded');
      const query = this.embedder.tryEmbed([text], { timeoutMs });
      const vectors =
        state.status === 'ready' ? state.vectors : await within(state.promise, Math.max(0, timeoutMs - ms()));
      const outcome = await query;
      if (!outcome.ok) return degraded(outcome.reason, outcome.detail);
      if (vectors === undefined) return degraded('not_ready', 'the tenant knowledge is still being embedded');
      if (vectors === null) {
        const failed = this.tenants.get(key);
        return degraded(
          failed?.status === 'failed' ? failed.reason : 'error',
          'the tenant knowledge could not be embedded',
        );
      }
      const queryVector = outcome.vectors[0]!;
      const dimension = vectors.faq?.dimension ?? vectors.passages?.dimension ?? queryVector.length;
      if (queryVector.length !== dimension)
        return degraded('wrong_dimension', `query vector ${queryVector.length}, knowledge vectors ${dimension}`);
      return this.turnEmbedding(vectors, queryVector, ms);
    } catch (error) {
      return degraded('error', error instanceof Error ? error.message : String(error));
    }
  }

  private turnEmbedding(vectors: TenantVectors, query: Float32Array, ms: () => number): TurnEmbedding {
    const depth = this.depth;
    const faqSimilarity = new Map(
      (vectors.faq?.search(query, vectors.faq.size) ?? []).map((hit) => [hit.id, hit.similarity]),
    );
    const passageHits = vectors.passages?.search(query, Math.max(depth, 30)) ?? [];
    const passageSimilarity = new Map(passageHits.map((hit) => [hit.id, hit.similarity]));
    const [best] = [...faqSimilarity].sort((a, b) => b[1] - a[1]);
    const trace: EmbeddingTrace = {
      model: this.model,
      used: true,
      ms: ms(),
      ...(best ? { bestFaq: { id: best[0], cosine: round(best[1]) } } : {}),
    };
    const semantic = (cosine: number) => sigmoid(this.calibration.slope * (cosine - this.calibration.midpoint));
    // Vectors add a candidate only when they find it similar (squashed cosine ≥ 0.5).
    const similar = (similarity: ReadonlyArray<readonly [string, number]>) =>
      [...similarity]
        .sort((a, b) => b[1] - a[1])
        .filter(([, cosine]) => semantic(cosine) >= this.addFloor)
        .slice(0, depth)
        .map(([id]) => id);
    const fuse = (
      candidates: ReadonlyArray<{ id: string; score: number }>,
      similarity: ReadonlyMap<string, number>,
      added: readonly string[],
      bestSemantic: number,
    ): FusedCandidate[] => {
      const lexical = new Map(candidates.map((candidate) => [candidate.id, candidate.score]));
      for (const id of added) if (!lexical.has(id)) lexical.set(id, 0);
      return [...lexical]
        .map(([id, score]) => {
          const cosine = similarity.get(id);
          if (cosine === undefined) return { id, score, lexical: score, semantic: null, cosine: null };
          const evidence = semantic(cosine);
          const fused = 1 - (1 - score) * (1 - this.weight * evidence);
          // The vectors prefer another candidate: this one loses what it trails by.
          const penalty = this.weight * Math.max(0, bestSemantic - evidence);
          return {
            id,
            score: Math.max(0, fused - penalty),
            lexical: score,
            semantic: evidence,
            cosine: round(cosine),
          };
        })
        .sort((a, b) => b.score - a.score || b.lexical - a.lexical);
    };
    const bestFaqSemantic = best ? semantic(best[1]) : 0;
    return {
      trace,
      fuseFaq: (candidates) => fuse(candidates, faqSimilarity, similar([...faqSimilarity]), bestFaqSemantic),
      rerankHits: (hits, k) =>
        fuse(
          hits.map((hit) => ({ id: hit.id, score: hit.matchScore })),
          passageSimilarity,
          similar(passageHits.map((hit) => [hit.id, hit.similarity] as const)),
          passageHits[0] ? semantic(passageHits[0].similarity) : 0,
        )
          .slice(0, k)
          .map((candidate) => ({
            id: candidate.id,
            score: hits.find((hit) => hit.id === candidate.id)?.score ?? 0,
            matchScore: candidate.score,
          })),
    };
  }

  private preparation(key: object, source: () => EmbeddingSource): Preparation {
    const known = this.tenants.get(key);
    const retryAfter = this.options.retryAfterMs ?? 60_000;
    if (known && !(known.status === 'failed' && Date.now() - known.at >= retryAfter)) return known;
    const promise = this.embedKnowledge(source()).then(
      (result) => {
        if ('reason' in result) {
          this.tenants.set(key, { status: 'failed', reason: result.reason, at: Date.now() });
          return null;
        }
        this.tenants.set(key, { status: 'ready', vectors: result });
        return result;
      },
      () => {
        this.tenants.set(key, { status: 'failed', reason: 'error', at: Date.now() });
        return null;
      },
    );
    const preparing: Preparation = { status: 'preparing', promise };
    this.tenants.set(key, preparing);
    return preparing;
  }

  private async embedKnowledge(source: EmbeddingSource): Promise<TenantVectors | { reason: EmbeddingDegradeReason }> {
    const faqRows = [...source.faq].flatMap((entry) =>
      entry.phrasings.filter((text) => text.trim().length > 0).map((text) => ({ id: entry.id, text })),
    );
    const passageRows = [...source.passages].filter((row) => row.text.trim().length > 0);
    const texts = [...faqRows.map((row) => row.text), ...passageRows.map((row) => row.text.slice(0, 2_000))];
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += BATCH) {
      const outcome = await this.embedder.tryEmbed(texts.slice(start, start + BATCH), {
        timeoutMs: this.options.prepareTimeoutMs ?? 30_000,
      });
      if (!outcome.ok) return { reason: outcome.reason };
      vectors.push(...outcome.vectors);
    }
    const dimension = vectors[0]?.length ?? 0;
    if (vectors.some((vector) => vector.length !== dimension)) return { reason: 'wrong_dimension' };
    const index = (rows: ReadonlyArray<{ id: string }>, offset: number) => {
      if (rows.length === 0 || dimension === 0) return null;
      const built = new VectorIndex(dimension, rows.length);
      rows.forEach((row, position) => built.add(row.id, vectors[offset + position]!));
      return built;
    };
    return { faq: index(faqRows, 0), passages: index(passageRows, faqRows.length) };
  }
}

/** A turn without vectors: every fusion returns the lexical reading unchanged. */
function lexicalOnly(trace: EmbeddingTrace): TurnEmbedding {
  return {
    trace,
    fuseFaq: (candidates) =>
      candidates.map((candidate) => ({
        id: candidate.id,
        score: candidate.score,
        lexical: candidate.score,
        semantic: null,
        cosine: null,
      })),
    rerankHits: (hits, k) => hits.slice(0, k),
  };
}

/** The promise's value, or undefined when it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

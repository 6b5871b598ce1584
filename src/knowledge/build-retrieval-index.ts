import type { Embedder } from './embedder.js';
import { reciprocalRankFusion } from './rank-fusion.js';
import {
  LexicalIndex,
  type KnowledgeEntry,
  type LexicalOptions,
  type RetrievalHit,
  type RetrievalIndex,
  type SearchOptions,
} from './retrieval-index.js';
import { sigmoid } from './match-features.js';
import { VectorIndex } from './vector-index.js';

export interface BuildRetrievalIndexOptions extends Omit<LexicalOptions, 'jieba'> {
  /** Dense retrieval beside BM25; `searchHybrid` fuses both by reciprocal rank. */
  embedder?: Embedder;
  /**
   * Platt parameters turning a cosine similarity into a match probability for hits only the dense
   * side found: σ(slope·(cosine − midpoint)). They depend on the embedding model; the default
   * (slope 12, midpoint 0.8) suits normalised sentence-embedding models and should be refitted.
   */
  denseCalibration?: { slope: number; midpoint: number };
  /** Weight of the dense ranking in the fusion (lexical is 1). */
  denseWeight?: number;
}

/** A retrieval index with a dense side: `search` stays lexical and synchronous. */
export interface HybridRetrievalIndex extends RetrievalIndex {
  /** Embeds the entries (once); searchHybrid awaits it too. Rejects if the embedder fails. */
  ready(): Promise<void>;
  /** BM25 and dense rankings fused by reciprocal rank; matchScore is the higher of the two calibrations. */
  searchHybrid(query: string, options?: SearchOptions): Promise<RetrievalHit[]>;
}

/**
 * Builds the retrieval index over knowledge entries: synchronous and lexical (BM25 over words and
 * character bigrams with field boosts, re-scored by the match model) without an embedder; with
 * one, the result also offers `searchHybrid`.
 * @example
 * const index = buildRetrievalIndex(faq.map((entry) => ({ id: entry.id, question: entry.question, alternatives: entry.alternatives, answer: entry.answer })));
 * const [best] = index.search('退票要扣多少钱');
 * if (best && best.matchScore > 0.8) answerWith(best.id);
 */
export function buildRetrievalIndex(
  entries: readonly KnowledgeEntry[],
  options?: BuildRetrievalIndexOptions & { embedder?: undefined },
): RetrievalIndex;
export function buildRetrievalIndex(
  entries: readonly KnowledgeEntry[],
  options: BuildRetrievalIndexOptions & { embedder: Embedder },
): HybridRetrievalIndex;
export function buildRetrievalIndex(
  entries: readonly KnowledgeEntry[],
  options: BuildRetrievalIndexOptions = {},
): RetrievalIndex | HybridRetrievalIndex {
  const lexical = new LexicalIndex(entries, options);
  if (options.embedder === undefined) return lexical;
  return new HybridIndex(lexical, entries, options.embedder, options);
}

/** The texts embedded for an entry: each phrasing on its own, and the content (title + body/answer). */
function embeddingTexts(entry: KnowledgeEntry): string[] {
  const texts = [entry.question, ...(entry.alternatives ?? [])].filter(
    (text): text is string => text !== undefined && text.trim().length > 0,
  );
  const content = [entry.title, entry.body ?? entry.answer]
    .filter((text): text is string => text !== undefined && text.trim().length > 0)
    .join('\n');
  if (content.length > 0) texts.push(content);
  return texts;
}

class HybridIndex implements HybridRetrievalIndex {
  private vectors: Promise<VectorIndex> | undefined;
  private readonly calibration: { slope: number; midpoint: number };
  private readonly denseWeight: number;

  constructor(
    private readonly lexical: LexicalIndex,
    private readonly entries: readonly KnowledgeEntry[],
    private readonly embedder: Embedder,
    options: BuildRetrievalIndexOptions,
  ) {
    this.calibration = options.denseCalibration ?? { slope: 12, midpoint: 0.8 };
    this.denseWeight = options.denseWeight ?? 1;
  }

  get size(): number {
    return this.lexical.size;
  }

  search(query: string, options?: SearchOptions): RetrievalHit[] {
    return this.lexical.search(query, options);
  }

  ready(): Promise<void> {
    return this.vectorIndex().then(() => undefined);
  }

  private vectorIndex(): Promise<VectorIndex> {
    if (this.vectors === undefined) {
      const building = (async () => {
        const rows = this.entries.flatMap((entry) => embeddingTexts(entry).map((text) => ({ id: entry.id, text })));
        const vectors = await this.embedder.embed(rows.map((row) => row.text));
        const dimension = vectors[0]?.length ?? this.embedder.dimension;
        const index = new VectorIndex(dimension, rows.length);
        rows.forEach((row, position) => index.add(row.id, vectors[position]!));
        return index;
      })();
      // A failed embedding run is not cached: the next call tries again.
      building.catch(() => {
        if (this.vectors === building) this.vectors = undefined;
      });
      this.vectors = building;
    }
    return this.vectors;
  }

  async searchHybrid(query: string, options: SearchOptions = {}): Promise<RetrievalHit[]> {
    const k = options.k ?? 10;
    const depth = Math.max(k, 50);
    const index = await this.vectorIndex();
    const lexicalHits = this.lexical.search(query, { k: depth, exclude: options.exclude });
    const [queryVector] = await this.embedder.embed([query]);
    const denseHits =
      index.size === 0 || queryVector === undefined ? [] : index.search(queryVector, depth, options.exclude);
    const lexicalById = new Map(lexicalHits.map((hit) => [hit.id, hit]));
    const denseById = new Map(denseHits.map((hit) => [hit.id, hit.similarity]));
    const fused = reciprocalRankFusion([
      { ids: lexicalHits.map((hit) => hit.id) },
      { ids: denseHits.map((hit) => hit.id), weight: this.denseWeight },
    ]);
    return fused.slice(0, k).map(({ id, score }) => {
      const lexicalScore = lexicalById.get(id)?.matchScore ?? 0;
      const similarity = denseById.get(id);
      const denseScore =
        similarity === undefined ? 0 : sigmoid(this.calibration.slope * (similarity - this.calibration.midpoint));
      return { id, score, matchScore: Math.max(lexicalScore, denseScore) };
    });
  }
}

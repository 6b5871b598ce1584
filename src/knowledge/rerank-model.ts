import { readFileSync } from 'node:fs';
import { RERANK_FEATURES, type RerankFeature, type WordAssociations } from './rerank-features.js';

/**
 * The learned re-ranker: a linear score over RERANK_FEATURES for the BM25 top `depth` hits, with
 * the word-association table its soft-match features use. Shipped as rerank-model.json, built by
 * `npx tsx src/knowledge/training/train-reranker.ts --write` from ATEC train pairs.
 */
export interface RerankModel {
  description: string;
  /** How many BM25 hits are re-ranked. */
  depth: number;
  /** Weights in RERANK_FEATURES order. */
  weights: Float64Array;
  associations: WordAssociations;
}

interface RerankModelFile {
  description: string;
  depth: number;
  weights: Record<string, number>;
  associations: Record<string, Record<string, number>>;
}

/** Parses the JSON form of a re-ranker (missing features weigh 0; unknown ones are an error). */
export function parseRerankModel(json: string): RerankModel {
  const file = JSON.parse(json) as RerankModelFile;
  if (
    typeof file.depth !== 'number' ||
    file.depth < 1 ||
    typeof file.weights !== 'object' ||
    typeof file.associations !== 'object'
  )
    throw new Error('rerank model: expected {depth, weights, associations}');
  for (const name of Object.keys(file.weights))
    if (!(RERANK_FEATURES as readonly string[]).includes(name))
      throw new Error(`rerank model: unknown feature ${name}`);
  const associations = new Map<string, Map<string, number>>();
  for (const [word, related] of Object.entries(file.associations))
    associations.set(word, new Map(Object.entries(related)));
  return {
    description: String(file.description ?? ''),
    depth: Math.round(file.depth),
    weights: Float64Array.from(RERANK_FEATURES, (name: RerankFeature) => file.weights[name] ?? 0),
    associations,
  };
}

let shipped: RerankModel | undefined;

/** The re-ranker shipped with kefu (read once, on first use). */
export function defaultRerankModel(): RerankModel {
  shipped ??= parseRerankModel(readFileSync(new URL('./rerank-model.json', import.meta.url), 'utf8'));
  return shipped;
}

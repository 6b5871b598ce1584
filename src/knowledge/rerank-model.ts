import { readFileSync } from 'node:fs';
import { RERANK_FEATURES, type RerankFeature, type WordAssociations } from './rerank-features.js';

/**
 * The learned re-ranker: a linear score over RERANK_FEATURES for the BM25 top `depth` hits, with
 * the word-association table its soft-match features use. It is learned from ATEC train pairs,
 * whose licence is research use only, so **it is not shipped**: it is an opt-in research build
 * (`npm run build:research-reranker` writes data/research/rerank-model.json, which git ignores)
 * that a deployment turns on with `KEFU_RERANK_MODEL=<path>` (docs/licences.md, docs/knowledge.md).
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

const loaded = new Map<string, RerankModel>();

/** A re-ranker from a JSON file (read once per path). */
export function loadRerankModel(file: string): RerankModel {
  let model = loaded.get(file);
  if (!model) {
    model = parseRerankModel(readFileSync(file, 'utf8'));
    loaded.set(file, model);
  }
  return model;
}

/**
 * The re-ranker retrieval uses by default: none in the default build (BM25F alone), or the model
 * at `KEFU_RERANK_MODEL` when a deployment opted in to the research build. A path that cannot be
 * read or parsed is an error at the first index build, not a silent fallback.
 */
export function defaultRerankModel(env: NodeJS.ProcessEnv = process.env): RerankModel | undefined {
  const file = env.KEFU_RERANK_MODEL?.trim();
  return file ? loadRerankModel(file) : undefined;
}

/** Names of the query–candidate features the match model combines, in vector order. */
export const MATCH_FEATURES = [
  'wordRecall',
  'wordPrecision',
  'wordF1',
  'gramRecall',
  'gramPrecision',
  'gramF1',
  'lengthRatio',
  'relativeScore',
  'reciprocalRank',
  'scoreMargin',
  'isPhrasing',
] as const;

export type MatchFeature = (typeof MATCH_FEATURES)[number];

/** A logistic model over MATCH_FEATURES: P(candidate answers the query) = σ(bias + Σ weight·feature). */
export interface MatchModel {
  bias: number;
  weights: Readonly<Record<MatchFeature, number>>;
}

export function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

export function harmonic(a: number, b: number): number {
  return a + b === 0 ? 0 : (2 * a * b) / (a + b);
}

/** idf-weighted share of `query` ids found in `candidate` (and the reverse), over distinct ids. */
export function weightedOverlap(
  query: Int32Array,
  candidate: Int32Array,
  idfOf: (id: number) => number,
): { recall: number; precision: number } {
  let queryMass = 0;
  let shared = 0;
  const candidateIds = new Set<number>(candidate);
  for (const id of query) {
    const idf = idfOf(id);
    queryMass += idf;
    if (id >= 0 && candidateIds.has(id)) shared += idf;
  }
  let candidateMass = 0;
  for (const id of candidate) candidateMass += idfOf(id);
  return {
    recall: queryMass === 0 ? 0 : shared / queryMass,
    precision: candidateMass === 0 ? 0 : shared / candidateMass,
  };
}

export function scoreModel(model: MatchModel, features: Readonly<Record<MatchFeature, number>>): number {
  let total = model.bias;
  for (const name of MATCH_FEATURES) total += model.weights[name] * features[name];
  return total;
}

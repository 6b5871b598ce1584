import type { SparseVector } from './features.js';

/**
 * Nearest-neighbour evidence: for each class, the highest cosine similarity between the query and
 * that class's training examples, through an inverted index. Features present in more than
 * `maxDocumentShare` of the examples are skipped (they carry little evidence and have the longest
 * posting lists), which bounds the cost of a query.
 */
export interface KnnIndex {
  classes: number;
  /** Posting offsets per feature (length dimensions + 1) into `documents` / `weights`. */
  offsets: Int32Array;
  documents: Int32Array;
  weights: Float32Array;
  documentLabels: Int32Array;
  /** Built from the word block only (queries must be wordPart vectors). */
  wordsOnly: boolean;
}

export function buildKnnIndex(
  vectors: readonly SparseVector[],
  labels: Int32Array,
  classes: number,
  dimensions: number,
  maxDocumentShare = 0.05,
  wordsOnly = false,
): KnnIndex {
  const counts = new Int32Array(dimensions);
  for (const vector of vectors) for (const feature of vector.indices) counts[feature] += 1;
  const limit = Math.max(2, Math.floor(vectors.length * maxDocumentShare));
  const offsets = new Int32Array(dimensions + 1);
  for (let feature = 0; feature < dimensions; feature += 1) {
    offsets[feature + 1] = offsets[feature] + (counts[feature] <= limit ? counts[feature] : 0);
  }
  const documents = new Int32Array(offsets[dimensions]);
  const weights = new Float32Array(offsets[dimensions]);
  const cursor = offsets.slice(0, dimensions);
  vectors.forEach((vector, document) => {
    for (let slot = 0; slot < vector.indices.length; slot += 1) {
      const feature = vector.indices[slot];
      if (counts[feature] > limit) continue;
      documents[cursor[feature]] = document;
      weights[cursor[feature]] = vector.values[slot];
      cursor[feature] += 1;
    }
  });
  return { classes, offsets, documents, weights, documentLabels: Int32Array.from(labels), wordsOnly };
}

/** Per-class maximum similarity into `out`; `scratch` must have one slot per training example. */
export function knnScores(
  index: KnnIndex,
  vector: SparseVector,
  scratch: Float32Array,
  touched: Int32Array,
  out: Float32Array,
): Float32Array {
  out.fill(0);
  let touchedCount = 0;
  const { offsets, documents, weights, documentLabels } = index;
  for (let slot = 0; slot < vector.indices.length; slot += 1) {
    const feature = vector.indices[slot];
    const value = vector.values[slot];
    for (let position = offsets[feature]; position < offsets[feature + 1]; position += 1) {
      const document = documents[position];
      if (scratch[document] === 0) {
        touched[touchedCount] = document;
        touchedCount += 1;
      }
      scratch[document] += value * weights[position];
    }
  }
  for (let t = 0; t < touchedCount; t += 1) {
    const document = touched[t];
    const label = documentLabels[document];
    if (scratch[document] > out[label]) out[label] = scratch[document];
    scratch[document] = 0;
  }
  return out;
}

// Experiment: a bag-of-n-grams sentence encoder trained contrastively on ATEC paraphrase pairs
// (in-batch negatives), measured on BQ dev alone and fused with BM25. Not shipped: see docs/knowledge.md.
//   npx tsx src/knowledge/training/train-encoder.ts [--dim 48] [--epochs 15] [--min-count 2]
import { readFile } from 'node:fs/promises';
import { analyzeText } from '../analyzer.js';
import { LexicalIndex } from '../retrieval-index.js';
import { evaluateRanking, type KbRow, type QueryRow } from '../retrieval-evaluation.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : args[index + 1]!;
};
const dim = Number(option('dim', '48'));
const epochs = Number(option('epochs', '15'));
const minCount = Number(option('min-count', '2'));
const temperature = Number(option('temperature', '0.05'));
const learningRate = Number(option('lr', '0.05'));
const batchSize = Number(option('batch', '128'));

const readLines = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as T);

function features(text: string): string[] {
  const analyzed = analyzeText(text);
  return [
    ...new Set([
      ...analyzed.words.map((word) => `w:${word}`),
      ...analyzed.characters.map((character) => `c:${character}`),
      ...analyzed.grams.map((gram) => `b:${gram}`),
    ]),
  ];
}

let seed = 12345;
const random = (): number => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const gaussian = (): number => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());

const pairs = await readLines<{ sentence1: string; sentence2: string; label: number }>(
  '/work/shared/datasets/atec/train_pairs.jsonl',
);
const featureCache = new Map<string, string[]>();
const featuresOf = (text: string): string[] => {
  let cached = featureCache.get(text);
  if (cached === undefined) featureCache.set(text, (cached = features(text)));
  return cached;
};
const counts = new Map<string, number>();
for (const text of new Set(pairs.flatMap((pair) => [pair.sentence1, pair.sentence2])))
  for (const feature of featuresOf(text)) counts.set(feature, (counts.get(feature) ?? 0) + 1);
const vocabulary = new Map<string, number>();
for (const [feature, count] of counts) if (count >= minCount) vocabulary.set(feature, vocabulary.size);
const documents = featureCache.size;
const idf = new Float32Array(vocabulary.size);
for (const [feature, id] of vocabulary) idf[id] = Math.log(1 + documents / counts.get(feature)!);
console.error(`vocabulary ${vocabulary.size} features from ${documents} sentences; dim ${dim}`);

const embedding = new Float32Array(vocabulary.size * dim);
for (let index = 0; index < embedding.length; index += 1) embedding[index] = gaussian() * 0.1;
const adagrad = new Float32Array(vocabulary.size * dim).fill(1e-8);

const encodeIds = (text: string): Int32Array =>
  Int32Array.from(
    featuresOf(text)
      .map((feature) => vocabulary.get(feature) ?? -1)
      .filter((id) => id >= 0),
  );
function encode(ids: Int32Array, out: Float32Array): number {
  out.fill(0);
  for (const id of ids) {
    const weight = idf[id]!;
    const offset = id * dim;
    for (let d = 0; d < dim; d += 1) out[d]! += weight * embedding[offset + d]!;
  }
  let norm = 0;
  for (let d = 0; d < dim; d += 1) norm += out[d]! * out[d]!;
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < dim; d += 1) out[d]! /= norm;
  return norm;
}

const positives = pairs
  .filter((pair) => pair.label === 1)
  .map((pair) => [encodeIds(pair.sentence1), encodeIds(pair.sentence2)] as const)
  .filter(([a, b]) => a.length > 0 && b.length > 0);
console.error(`${positives.length} positive pairs`);

for (let epoch = 0; epoch < epochs; epoch += 1) {
  for (let index = positives.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [positives[index], positives[other]] = [positives[other]!, positives[index]!];
  }
  let totalLoss = 0;
  for (let start = 0; start + 2 <= positives.length; start += batchSize) {
    const batch = positives.slice(start, start + batchSize);
    const size = batch.length;
    const left = batch.map(() => new Float32Array(dim));
    const right = batch.map(() => new Float32Array(dim));
    const leftNorm = batch.map(([a], i) => encode(a, left[i]!));
    const rightNorm = batch.map(([, b], i) => encode(b, right[i]!));
    const gradLeft = batch.map(() => new Float32Array(dim));
    const gradRight = batch.map(() => new Float32Array(dim));
    // Symmetric InfoNCE: each left against all rights, each right against all lefts.
    const scores = Array.from({ length: size }, (_, i) =>
      Float64Array.from({ length: size }, (_, j) => {
        let dot = 0;
        for (let d = 0; d < dim; d += 1) dot += left[i]![d]! * right[j]![d]!;
        return dot / temperature;
      }),
    );
    for (const direction of [0, 1]) {
      for (let i = 0; i < size; i += 1) {
        const row = Float64Array.from({ length: size }, (_, j) => (direction === 0 ? scores[i]![j]! : scores[j]![i]!));
        const max = Math.max(...row);
        let sum = 0;
        for (let j = 0; j < size; j += 1) sum += Math.exp(row[j]! - max);
        totalLoss += -(row[i]! - max - Math.log(sum));
        for (let j = 0; j < size; j += 1) {
          const gradient = (Math.exp(row[j]! - max) / sum - (i === j ? 1 : 0)) / temperature / size;
          const [anchor, anchorGrad, other, otherGrad] =
            direction === 0
              ? [left[i]!, gradLeft[i]!, right[j]!, gradRight[j]!]
              : [right[i]!, gradRight[i]!, left[j]!, gradLeft[j]!];
          for (let d = 0; d < dim; d += 1) {
            anchorGrad[d]! += gradient * other[d]!;
            otherGrad[d]! += gradient * anchor[d]!;
          }
        }
      }
    }
    // Back through the normalisation and the idf-weighted sum, then Adagrad on the touched rows.
    const apply = (ids: Int32Array, unit: Float32Array, gradient: Float32Array, norm: number): void => {
      let projection = 0;
      for (let d = 0; d < dim; d += 1) projection += unit[d]! * gradient[d]!;
      for (const id of ids) {
        const weight = idf[id]!;
        const offset = id * dim;
        for (let d = 0; d < dim; d += 1) {
          const g = (weight * (gradient[d]! - unit[d]! * projection)) / norm;
          adagrad[offset + d]! += g * g;
          embedding[offset + d]! -= (learningRate * g) / Math.sqrt(adagrad[offset + d]!);
        }
      }
    };
    batch.forEach(([a, b], i) => {
      apply(a, left[i]!, gradLeft[i]!, leftNorm[i]!);
      apply(b, right[i]!, gradRight[i]!, rightNorm[i]!);
    });
  }
  console.error(`epoch ${epoch + 1}: loss ${(totalLoss / positives.length / 2).toFixed(4)}`);
}

// ---- BQ dev
const kb = await readLines<KbRow>('/work/shared/datasets/bq_corpus/dev_kb.jsonl');
const queries = await readLines<QueryRow>('/work/shared/datasets/bq_corpus/dev_queries.jsonl');
const vectors = kb.map((row) => {
  const vector = new Float32Array(dim);
  encode(encodeIds(row.question), vector);
  return vector;
});
const denseSearch = (query: string, k: number, exclude: ReadonlySet<string>): { id: string; similarity: number }[] => {
  const vector = new Float32Array(dim);
  encode(encodeIds(query), vector);
  const scored = kb
    .map((row, index) => {
      let dot = 0;
      const other = vectors[index]!;
      for (let d = 0; d < dim; d += 1) dot += vector[d]! * other[d]!;
      return { id: row.id, similarity: dot };
    })
    .filter((item) => !exclude.has(item.id));
  scored.sort((a, b) => b.similarity - a.similarity);
  return scored.slice(0, k);
};
const dense = evaluateRanking(
  queries,
  (query, k, exclude) => denseSearch(query, k, exclude).map((item) => item.id),
  10,
  0,
);
const lexical = new LexicalIndex(kb.map((row) => ({ id: row.id, question: row.question })));
const results: Record<string, unknown> = { dense };
for (const weight of [0.3, 0.5, 1, 2]) {
  results[`fused-linear-${weight}`] = evaluateRanking(
    queries,
    (query, k, exclude) => {
      const candidates = lexical.candidates(query, 100, exclude);
      const best = candidates[0]?.lexicalScore ?? 1;
      const vector = new Float32Array(dim);
      encode(encodeIds(query), vector);
      const ids = new Map(kb.map((row, index) => [row.id, index]));
      return candidates
        .map((candidate) => {
          const other = vectors[ids.get(candidate.id)!]!;
          let dot = 0;
          for (let d = 0; d < dim; d += 1) dot += vector[d]! * other[d]!;
          return { id: candidate.id, score: candidate.lexicalScore / best + weight * dot };
        })
        .sort((a, b) => b.score - a.score)
        .slice(0, k)
        .map((item) => item.id);
    },
    10,
    0,
  );
}
console.log(
  JSON.stringify(
    Object.fromEntries(
      Object.entries(results).map(([name, metrics]) => [
        name,
        {
          r1: (metrics as { recall_at_1: number }).recall_at_1,
          r5: (metrics as { recall_at_5: number }).recall_at_5,
          mrr: (metrics as { mrr_at_10: number }).mrr_at_10,
        },
      ]),
    ),
    null,
    1,
  ),
);

// Trains the match model (a logistic model turning a hit's similarity features into the probability
// that it answers the query) on FAQ-shaped data, optionally with ATEC pairs, and reports it on
// travel-zh dev and BQ corpus dev. Writes src/knowledge/match-model-weights.ts when --write is given.
//   npx tsx src/knowledge/training/train-match-model.ts [--write] [--data travel|travel,atec] [--queries 1500] [--atec-weight 0.3]
import { readFile, writeFile } from 'node:fs/promises';
import { parseFaqSheet } from '../faq-sheet.js';
import { MATCH_FEATURES, scoreModel, type MatchFeature, type MatchModel } from '../match-features.js';
import { LexicalIndex, type LexicalOptions } from '../retrieval-index.js';
import { evaluateRanking, type KbRow, type QueryRow } from '../retrieval-evaluation.js';
import { fitLogisticRegression } from './logistic-regression.js';
import { shuffle } from './seeded-random.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : args[index + 1]!;
};
const trainingQueries = Number(option('queries', '1500'));
const atecFile = option('atec', '/work/shared/datasets/atec/train_pairs.jsonl');
const bqKbFile = option('kb', '/work/shared/datasets/bq_corpus/dev_kb.jsonl');
const bqQueryFile = option('eval-queries', '/work/shared/datasets/bq_corpus/dev_queries.jsonl');
const travelFaqFile = option('faq', '/work/shared/datasets/travel-zh/faq.csv');
const travelDevFile = option('travel-dev', '/work/shared/datasets/travel-zh/dev.jsonl');

const readLines = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as T);

/** The BQ conversion applied to a pairs file: sentences are the KB, each sentence with a positive partner is a query. */
export function pairsToRetrievalView(pairs: readonly { sentence1: string; sentence2: string; label: number }[]): {
  kb: KbRow[];
  queries: QueryRow[];
} {
  const ids = new Map<string, string>();
  const idOf = (text: string): string => {
    let id = ids.get(text);
    if (id === undefined) {
      id = `s${ids.size}`;
      ids.set(text, id);
    }
    return id;
  };
  const positives = new Map<string, Set<string>>();
  for (const pair of pairs) {
    const a = idOf(pair.sentence1);
    const b = idOf(pair.sentence2);
    if (pair.label !== 1 || a === b) continue;
    (positives.get(a) ?? positives.set(a, new Set()).get(a)!).add(b);
    (positives.get(b) ?? positives.set(b, new Set()).get(b)!).add(a);
  }
  const kb = [...ids].map(([question, id]) => ({ id, question, answer: '' }));
  const textOf = new Map(kb.map((row) => [row.id, row.question]));
  const queries = [...positives].map(([id, relevant]) => ({
    query: textOf.get(id)!,
    relevant_ids: [...relevant],
    exclude_ids: [id],
  }));
  return { kb, queries };
}

function collect(
  index: LexicalIndex,
  queries: readonly QueryRow[],
  depth: number,
): { rows: Float64Array[]; labels: number[]; groups: number[] } {
  const rows: Float64Array[] = [];
  const labels: number[] = [];
  const groups: number[] = [];
  queries.forEach((query, group) => {
    const relevant = new Set(query.relevant_ids);
    for (const candidate of index.candidates(query.query, depth, new Set(query.exclude_ids ?? []))) {
      rows.push(Float64Array.from(MATCH_FEATURES, (name) => candidate.features[name]));
      labels.push(relevant.has(candidate.id) ? 1 : 0);
      groups.push(group);
    }
  });
  return { rows, labels, groups };
}

function toModel(fit: { bias: number; weights: Float64Array }): MatchModel {
  const weights = Object.fromEntries(
    MATCH_FEATURES.map((name, index) => [name, Number(fit.weights[index]!.toFixed(4))]),
  ) as Record<MatchFeature, number>;
  return { bias: Number(fit.bias.toFixed(4)), weights };
}

/** Expected calibration error of the top hit's matchScore, over 10 equal-width bins. */
function calibration(
  index: LexicalIndex,
  queries: readonly QueryRow[],
): { ece: number; bins: { range: string; n: number; meanScore: number; precision: number }[] } {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, score: 0, correct: 0 }));
  for (const query of queries) {
    const top = index.search(query.query, { k: 1, exclude: new Set(query.exclude_ids ?? []) })[0];
    if (top === undefined) continue;
    const bin = bins[Math.min(9, Math.floor(top.matchScore * 10))]!;
    bin.n += 1;
    bin.score += top.matchScore;
    bin.correct += query.relevant_ids.includes(top.id) ? 1 : 0;
  }
  const total = bins.reduce((sum, bin) => sum + bin.n, 0);
  const ece = bins.reduce(
    (sum, bin) => sum + (bin.n === 0 ? 0 : (bin.n / total) * Math.abs(bin.score / bin.n - bin.correct / bin.n)),
    0,
  );
  return {
    ece: Number(ece.toFixed(4)),
    bins: bins.map((bin, position) => ({
      range: `${position / 10}-${(position + 1) / 10}`,
      n: bin.n,
      meanScore: Number((bin.n ? bin.score / bin.n : 0).toFixed(3)),
      precision: Number((bin.n ? bin.correct / bin.n : 0).toFixed(3)),
    })),
  };
}

const lexicalOptions: LexicalOptions = {};
const sources = option('data', 'travel').split(',');
const rows: Float64Array[] = [];
const labels: number[] = [];
const weights: number[] = [];
const descriptions: string[] = [];

if (sources.includes('travel')) {
  // FAQ-shaped training data from the travel-zh tenant's *train* phrasings only (faq.csv): each
  // phrasing is asked with its own text removed from the index (an in-scope paraphrase), with its
  // whole entry removed (a lexically close out-of-scope question), and as is (an exact match).
  const { entries } = parseFaqSheet(await readFile(travelFaqFile), 'faq.csv');
  let queries = 0;
  for (const entry of entries) {
    const phrasings = [entry.question, ...entry.alternatives];
    for (const phrasing of phrasings) {
      const remaining = phrasings.filter((text) => text !== phrasing);
      const withoutPhrasing = entries.map((other) =>
        other.id === entry.id
          ? { id: other.id, question: remaining[0], alternatives: remaining.slice(1), answer: other.answer }
          : { id: other.id, question: other.question, alternatives: other.alternatives, answer: other.answer },
      );
      const withoutEntry = entries
        .filter((other) => other.id !== entry.id)
        .map((other) => ({
          id: other.id,
          question: other.question,
          alternatives: other.alternatives,
          answer: other.answer,
        }));
      const complete = entries.map((other) => ({
        id: other.id,
        question: other.question,
        alternatives: other.alternatives,
        answer: other.answer,
      }));
      for (const [kb, relevant] of [
        [withoutPhrasing, entry.id],
        [withoutEntry, undefined],
        [complete, entry.id],
      ] as const) {
        const index = new LexicalIndex(kb, lexicalOptions);
        for (const candidate of index.candidates(phrasing, 10)) {
          rows.push(Float64Array.from(MATCH_FEATURES, (name) => candidate.features[name]));
          labels.push(candidate.id === relevant ? 1 : 0);
          weights.push(1);
        }
        queries += 1;
      }
    }
  }
  descriptions.push(`travel-zh faq.csv leave-one-out (${queries} queries)`);
}
if (sources.includes('atec')) {
  const atec = pairsToRetrievalView(await readLines(atecFile));
  const atecQueries = shuffle([...atec.queries], 7).slice(0, trainingQueries);
  const atecIndex = new LexicalIndex(
    atec.kb.map((row) => ({ id: row.id, question: row.question })),
    lexicalOptions,
  );
  const training = collect(atecIndex, atecQueries, 10);
  rows.push(...training.rows);
  labels.push(...training.labels);
  weights.push(...training.labels.map(() => Number(option('atec-weight', '0.3'))));
  descriptions.push(`ATEC retrieval view (${atecQueries.length} queries, top-10 candidates)`);
}
console.error(`training rows: ${rows.length}, positives: ${labels.filter((label) => label === 1).length}`);
// Every feature measures similarity, so a negative weight would only be collinearity noise (and
// would make an exact match score lower than a partial one): features whose weight comes out
// negative are dropped and the model refitted until all weights are non-negative.
const active = new Set<number>(MATCH_FEATURES.map((_, index) => index));
let fit = fitLogisticRegression(rows, labels, { l2: Number(option('l2', '1e-5')), sampleWeights: weights });
for (;;) {
  const columns = [...active];
  fit = fitLogisticRegression(
    rows.map((row) => Float64Array.from(columns, (column) => row[column]!)),
    labels,
    { l2: Number(option('l2', '1e-5')), sampleWeights: weights },
  );
  const negative = columns.filter((_, position) => fit.weights[position]! < 0);
  if (negative.length === 0) {
    const full = new Float64Array(MATCH_FEATURES.length);
    columns.forEach((column, position) => (full[column] = fit.weights[position]!));
    fit = { bias: fit.bias, weights: full };
    break;
  }
  // Drop the most negative one at a time.
  const worst = negative.reduce((a, b) =>
    fit.weights[columns.indexOf(a)]! < fit.weights[columns.indexOf(b)]! ? a : b,
  );
  active.delete(worst);
}
const ranking = toModel(fit);

// Platt recalibration of the top hit on travel-zh dev (an FAQ tenant with 1/3 out-of-scope or
// risky messages): the leave-one-out training data is harder than real traffic, so the raw model is
// under-confident. Reported with 2-fold cross-validation so the figure is not fitted to itself.
const { entries: faqEntries } = parseFaqSheet(await readFile(travelFaqFile), 'faq.csv');
const faqKb = faqEntries.map((entry) => ({
  id: entry.id,
  question: entry.question,
  alternatives: entry.alternatives,
  answer: entry.answer,
}));
const devRows = await readLines<{ text: string; expected: string; kind: string }>(travelDevFile);
const rankingIndex = new LexicalIndex(faqKb, { ...lexicalOptions, model: ranking });
const topHits = devRows.map((row) => {
  const top = rankingIndex.candidates(row.text, 2)[0];
  return {
    logit: top === undefined ? -10 : scoreModel(ranking, top.features),
    correct: top !== undefined && row.kind === 'paraphrase' && top.id === row.expected ? 1 : 0,
  };
});
const platt = (sample: typeof topHits): { a: number; b: number } => {
  const fit = fitLogisticRegression(
    sample.map((hit) => Float64Array.of(hit.logit)),
    sample.map((hit) => hit.correct),
    { l2: 1e-6 },
  );
  return { a: fit.weights[0]!, b: fit.bias };
};
const ece = (sample: typeof topHits, scale: { a: number; b: number }): number => {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, score: 0, correct: 0 }));
  for (const hit of sample) {
    const probability = 1 / (1 + Math.exp(-(scale.a * hit.logit + scale.b)));
    const bin = bins[Math.min(9, Math.floor(probability * 10))]!;
    bin.n += 1;
    bin.score += probability;
    bin.correct += hit.correct;
  }
  return bins.reduce(
    (sum, bin) => sum + (bin.n === 0 ? 0 : (bin.n / sample.length) * Math.abs(bin.score / bin.n - bin.correct / bin.n)),
    0,
  );
};
const odd = topHits.filter((_, index) => index % 2 === 1);
const even = topHits.filter((_, index) => index % 2 === 0);
const crossValidatedEce = Number(((ece(even, platt(odd)) + ece(odd, platt(even))) / 2).toFixed(4));
const scale = platt(topHits);
const model: MatchModel = {
  bias: Number((scale.a * ranking.bias + scale.b).toFixed(4)),
  weights: Object.fromEntries(
    MATCH_FEATURES.map((name) => [name, Number((scale.a * ranking.weights[name]).toFixed(4))]),
  ) as Record<MatchFeature, number>,
};
console.error(
  `Platt a=${scale.a.toFixed(3)} b=${scale.b.toFixed(3)}; travel-zh dev top-hit ECE, 2-fold cross-validated: ${crossValidatedEce}`,
);
descriptions.push(`Platt-scaled on travel-zh dev top hits (2-fold cross-validated ECE ${crossValidatedEce})`);

// travel-zh dev: top-1 accuracy on paraphrases and the matchScore of out-of-scope messages.
const { entries: travelEntries } = parseFaqSheet(await readFile(travelFaqFile), 'faq.csv');
const travelIndex = new LexicalIndex(
  travelEntries.map((entry) => ({
    id: entry.id,
    question: entry.question,
    alternatives: entry.alternatives,
    answer: entry.answer,
  })),
  { ...lexicalOptions, model },
);
const travelDev = await readLines<{ text: string; expected: string; kind: string }>(travelDevFile);
const travelQueries: QueryRow[] = travelDev.map((row) => ({
  query: row.text,
  relevant_ids: row.kind === 'paraphrase' ? [row.expected] : [],
}));
const travel = { paraphraseTop1: 0, calibration: calibration(travelIndex, travelQueries), oosMedianScore: 0 };
const paraphrases = travelQueries.filter((row) => row.relevant_ids.length > 0);
travel.paraphraseTop1 = Number(
  (
    paraphrases.filter((row) => travelIndex.search(row.query, { k: 1 })[0]?.id === row.relevant_ids[0]).length /
    paraphrases.length
  ).toFixed(4),
);
const oosScores = travelQueries
  .filter((row) => row.relevant_ids.length === 0)
  .map((row) => travelIndex.search(row.query, { k: 1 })[0]?.matchScore ?? 0)
  .sort((a, b) => a - b);
travel.oosMedianScore = Number((oosScores[Math.floor(oosScores.length / 2)] ?? 0).toFixed(3));

const bqKb = await readLines<KbRow>(bqKbFile);
const bqQueries = await readLines<QueryRow>(bqQueryFile);
const bqIndex = new LexicalIndex(
  bqKb.map((row) => ({ id: row.id, question: row.question })),
  { ...lexicalOptions, model },
);
const firstStage = evaluateRanking(
  bqQueries,
  (query, k, exclude) => bqIndex.candidates(query, k, exclude).map((candidate) => candidate.id),
  10,
  0,
);
const calibrated = calibration(bqIndex, bqQueries);
console.log(JSON.stringify({ model, travel, bq: { firstStage, calibration: calibrated } }, null, 2));

if (args.includes('--write')) {
  const source = `import type { MatchModel } from './match-features.js';

/**
 * The match model: logistic regression over the features in match-features.ts, trained by
 * src/knowledge/training/train-match-model.ts on ${descriptions.join(' + ')}.
 * Regenerate with \`npx tsx src/knowledge/training/train-match-model.ts --write\`.
 * travel-zh dev (the model is not trained on it; only the 2-parameter Platt step is): paraphrase top-1 ${travel.paraphraseTop1}, top-hit ECE ${travel.calibration.ece} in-sample, median out-of-scope matchScore ${travel.oosMedianScore}.
 * Hits are ranked by BM25; the model only calibrates (re-ranking by it measured worse).
 * BQ dev (not trained on): R@1 ${firstStage.recall_at_1}, top-hit ECE ${calibrated.ece}.
 */
export const DEFAULT_MATCH_MODEL: MatchModel = ${JSON.stringify(model, null, 2)};
`;
  await writeFile(new URL('../match-model-weights.ts', import.meta.url), source);
  console.error('wrote src/knowledge/match-model-weights.ts');
}

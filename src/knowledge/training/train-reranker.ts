// Trains the opt-in research re-ranker (data/research/rerank-model.json, never shipped: ATEC is research-only): word associations (IBM model 1)
// and a listwise linear ranker over rerank-features.ts, both from ATEC train pairs only (Alipay
// customer-service questions; BQ dev is never trained on), then reports BQ dev.
//   npx tsx src/knowledge/training/train-reranker.ts [--write] [--depth 30] [--queries 17000]
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { datasetPath } from '../../datasets/index.js';
import { analyzeText } from '../analyzer.js';
import { parseFaqSheet } from '../faq-sheet.js';
import { RERANK_FEATURES, rerankFeatures, softMatches, type WordAssociations } from '../rerank-features.js';
import { LexicalIndex } from '../retrieval-index.js';
import type { KbRow, QueryRow } from '../retrieval-evaluation.js';
import { dot, fitListwise, type Group } from './listwise.js';
import { learnWordAssociations } from './word-associations.js';
import { shuffle } from './seeded-random.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : args[index + 1]!;
};
const depth = Number(option('depth', '30'));
const maxQueries = Number(option('queries', '17000'));
const disabled = new Set(option('drop', '').split(',').filter(Boolean));
const epochs = Number(option('epochs', '30'));
const l2 = Number(option('l2', '1e-4'));

interface Pair {
  sentence1: string;
  sentence2: string;
  label: number;
}
const readLines = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as T);

const wordCache = new Map<string, string[]>();
const wordsOf = (text: string): string[] => {
  let words = wordCache.get(text);
  if (words === undefined) wordCache.set(text, (words = analyzeText(text).words));
  return words;
};

const started = performance.now();
const atec = shuffle(await readLines<Pair>(option('atec', datasetPath('atec', 'train_pairs.jsonl'))), 5);
const positives = atec.filter((pair) => pair.label === 1);
// Two folds: the associations used to compute a training query's features never saw its own pair.
const fold = new Map<Pair, number>(positives.map((pair, index) => [pair, index % 2]));
const tables: Map<string, Map<string, number>>[] = [0, 1].map((side) =>
  learnWordAssociations(
    positives
      .filter((pair) => fold.get(pair) === side)
      .map((pair) => [wordsOf(pair.sentence1), wordsOf(pair.sentence2)] as const),
  ),
);
const fullTable = learnWordAssociations(
  positives.map((pair) => [wordsOf(pair.sentence1), wordsOf(pair.sentence2)] as const),
);
console.error(
  `associations: fold tables ${tables.map((table) => table.size).join('/')} words, full ${fullTable.size} words (${[...fullTable.values()].reduce((sum, row) => sum + row.size, 0)} entries); ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

// The BQ-style retrieval view of ATEC: sentences are KB entries, each sentence with a positive
// partner a query whose own sentence is excluded. The KB is cut to about the size of a tenant's
// (every sentence of the sampled positive pairs, filled up with other ATEC sentences): a query
// against all 77k sentences touches most of them (花呗 is everywhere) and training takes too long.
const kbSize = Number(option('kb-size', '16000'));
const sampledPairs = positives.slice(0, Math.floor(maxQueries / 2));
const sentences = new Set<string>(sampledPairs.flatMap((pair) => [pair.sentence1, pair.sentence2]));
for (const pair of atec) {
  if (sentences.size >= kbSize) break;
  sentences.add(pair.sentence1);
  if (sentences.size < kbSize) sentences.add(pair.sentence2);
}
const ids = new Map<string, string>();
for (const sentence of sentences) ids.set(sentence, `a${ids.size}`);
const relevant = new Map<string, { partners: Set<string>; fold: number }>();
for (const pair of positives) {
  const a = ids.get(pair.sentence1);
  const b = ids.get(pair.sentence2);
  if (a === undefined || b === undefined || a === b) continue;
  for (const [query, partner] of [
    [a, b],
    [b, a],
  ] as const) {
    const entry =
      relevant.get(query) ?? relevant.set(query, { partners: new Set(), fold: fold.get(pair)! }).get(query)!;
    entry.partners.add(partner);
  }
}
const atecKb = [...ids].map(([question, id]) => ({ id, question }));
const textOf = new Map(atecKb.map((row) => [row.id, row.question]));
const atecIndex = new LexicalIndex(atecKb, { reranker: false });
console.error(
  `ATEC view: ${atecKb.length} sentences, ${relevant.size} queries; index built ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

const active = RERANK_FEATURES.map((name, index) => (disabled.has(name) ? -1 : index)).filter((index) => index >= 0);
const project = (row: Float64Array): Float64Array => Float64Array.from(active, (index) => row[index]!);

function featuresFor(
  index: LexicalIndex,
  query: string,
  table: WordAssociations,
  exclude: ReadonlySet<string>,
  count = depth,
): { ids: string[]; rows: Float64Array[] } {
  const candidates = index.candidates(query, count, exclude);
  if (candidates.length === 0) return { ids: [], rows: [] };
  const { side, words } = index.describeQuery(query);
  const soft = softMatches(words, table, index.wordIds);
  const best = candidates[0]!.lexicalScore;
  return {
    ids: candidates.map((candidate) => candidate.id),
    rows: candidates.map((candidate, rank) =>
      project(
        rerankFeatures(side, soft, index.describeUnit(candidate.unit), {
          relativeScore: best > 0 ? candidate.lexicalScore / best : 0,
          rank,
          isPhrasing: index.isPhrasingUnit(candidate.unit),
        }),
      ),
    ),
  };
}

const groups: Group[] = [];
let firstStageTop1 = 0;
let withRelevant = 0;
const queryIds = shuffle([...relevant.keys()], 9).slice(0, maxQueries);
for (const queryId of queryIds) {
  const { partners, fold: queryFold } = relevant.get(queryId)!;
  const { ids: candidateIds, rows } = featuresFor(
    atecIndex,
    textOf.get(queryId)!,
    tables[1 - queryFold]!,
    new Set([queryId]),
  );
  const labels = candidateIds.map((id) => partners.has(id));
  if (labels[0]) firstStageTop1 += 1;
  if (!labels.some(Boolean)) continue;
  withRelevant += 1;
  groups.push({ rows, relevant: labels });
}
// Optionally FAQ-shaped groups from travel-zh *train* phrasings (faq.csv): each phrasing asked with
// itself removed from its entry, the entry being the one relevant candidate (labels are complete).
const travelCopies = Number(option('travel', '0'));
if (travelCopies > 0) {
  const { entries } = parseFaqSheet(await readFile(datasetPath('travel-zh', 'faq.csv')), 'faq.csv');
  let added = 0;
  for (const entry of entries) {
    const phrasings = [entry.question, ...entry.alternatives];
    if (phrasings.length < 2) continue;
    for (const phrasing of phrasings) {
      const remaining = phrasings.filter((text) => text !== phrasing);
      const kb = entries.map((other) =>
        other.id === entry.id
          ? { id: other.id, question: remaining[0], alternatives: remaining.slice(1), answer: other.answer }
          : { id: other.id, question: other.question, alternatives: other.alternatives, answer: other.answer },
      );
      const index = new LexicalIndex(kb, { reranker: false });
      const { ids: candidateIds, rows } = featuresFor(index, phrasing, fullTable, new Set(), 10);
      const labels = candidateIds.map((id) => id === entry.id);
      if (!labels.some(Boolean)) continue;
      for (let copy = 0; copy < travelCopies; copy += 1) groups.push({ rows, relevant: labels });
      added += 1;
    }
  }
  console.error(`travel-zh train phrasings: ${added} groups ×${travelCopies}`);
}
console.error(
  `ATEC: ${queryIds.length} queries, first-stage top-1 ${(firstStageTop1 / queryIds.length).toFixed(4)}, ${withRelevant} with a partner in the top ${depth}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

// Standardise, hold out 15 % of ATEC queries to check the fit, train.
const dimensions = active.length;
const mean = new Float64Array(dimensions);
const scale = new Float64Array(dimensions);
const allRows = groups.flatMap((group) => group.rows);
for (const row of allRows) for (let d = 0; d < dimensions; d += 1) mean[d]! += row[d]! / allRows.length;
for (const row of allRows)
  for (let d = 0; d < dimensions; d += 1) scale[d]! += (row[d]! - mean[d]!) ** 2 / allRows.length;
// A constant feature (isPhrasing on a questions-only KB) carries no signal: scale 0 marks it unused.
for (let d = 0; d < dimensions; d += 1) scale[d] = Math.sqrt(scale[d]!) < 1e-9 ? 0 : Math.sqrt(scale[d]!);
const standardise = (row: Float64Array): Float64Array =>
  Float64Array.from(row, (value, d) => (scale[d] === 0 ? 0 : (value - mean[d]!) / scale[d]!));
const standardGroups = groups.map((group) => ({ rows: group.rows.map(standardise), relevant: group.relevant }));
const split = Math.floor(standardGroups.length * 0.85);
const topOne = (weights: Float64Array, sample: readonly Group[]): number =>
  sample.filter((group) => {
    const scores = group.rows.map((row) => dot(weights, row));
    return group.relevant[scores.indexOf(Math.max(...scores))];
  }).length / sample.length;
const heldOut = standardGroups.slice(split);
const check = fitListwise(standardGroups.slice(0, split), { epochs, l2 });
const bm25Only = Float64Array.from(active, (index) => (RERANK_FEATURES[index] === 'relativeScore' ? 1 : 0));
console.error(
  `ATEC held-out (queries with a partner in the top ${depth}): top-1 BM25 ${topOne(bm25Only, heldOut).toFixed(4)} → re-ranked ${topOne(check.weights, heldOut).toFixed(4)}`,
);
const ranker = fitListwise(standardGroups, { epochs, l2 });
// Fold the standardisation into the weights: score = Σ w_d·(x_d − μ_d)/σ_d = Σ (w_d/σ_d)·x_d + const.
const weights = Object.fromEntries(RERANK_FEATURES.map((name) => [name, 0])) as Record<string, number>;
active.forEach(
  (index, d) =>
    (weights[RERANK_FEATURES[index]!] = scale[d] === 0 ? 0 : Number((ranker.weights[d]! / scale[d]!).toFixed(5))),
);
console.error(`weights ${JSON.stringify(weights)}`);

// BQ corpus dev: reported, never trained on.
const bqKb = await readLines<KbRow>(option('kb', datasetPath('bq_corpus', 'dev_kb.jsonl')));
const bqQueries = await readLines<QueryRow>(option('eval-queries', datasetPath('bq_corpus', 'dev_queries.jsonl')));
const bqIndex = new LexicalIndex(
  bqKb.map((row) => ({ id: row.id, question: row.question })),
  { reranker: false },
);
const rawWeights = Float64Array.from(active, (index) => weights[RERANK_FEATURES[index]!]!);
// Diagnostic only (never used for training): BQ labels are the query's labelled partners, but the
// KB holds other paraphrases of the same question. Top-1 hits in the query's positive component
// (partners of partners) show how much of a "miss" is an unlabelled paraphrase.
const bqPairs = await readLines<Pair>(option('eval-pairs', datasetPath('bq_corpus', 'dev_pairs.jsonl')));
const bqIdOf = new Map(bqKb.map((row) => [row.question, row.id]));
const component = new Map<string, number>();
const links = new Map<string, string[]>();
for (const pair of bqPairs) {
  if (pair.label !== 1) continue;
  const a = bqIdOf.get(pair.sentence1)!;
  const b = bqIdOf.get(pair.sentence2)!;
  (links.get(a) ?? links.set(a, []).get(a)!).push(b);
  (links.get(b) ?? links.set(b, []).get(b)!).push(a);
}
for (const start of links.keys()) {
  if (component.has(start)) continue;
  const stack = [start];
  component.set(start, component.size);
  const label = component.get(start)!;
  while (stack.length > 0) {
    for (const next of links.get(stack.pop()!) ?? []) {
      if (component.has(next)) continue;
      component.set(next, label);
      stack.push(next);
    }
  }
}
const metrics = {
  first: { r1: 0, r5: 0, mrr: 0, top1InComponent: 0 },
  reranked: { r1: 0, r5: 0, mrr: 0, top1InComponent: 0 },
};
for (const query of bqQueries) {
  const wanted = new Set(query.relevant_ids);
  const { ids: candidateIds, rows } = featuresFor(bqIndex, query.query, fullTable, new Set(query.exclude_ids ?? []));
  const reranked = candidateIds
    .map((id, position) => ({ id, score: dot(rawWeights, rows[position]!) }))
    .sort((a, b) => b.score - a.score)
    .map((item) => item.id);
  for (const [name, ranking] of [
    ['first', candidateIds],
    ['reranked', reranked],
  ] as const) {
    const rank = ranking.findIndex((id) => wanted.has(id));
    if (rank === 0) metrics[name].r1 += 1;
    const self = query.exclude_ids?.[0];
    if (
      ranking[0] !== undefined &&
      self !== undefined &&
      component.get(ranking[0]) !== undefined &&
      component.get(ranking[0]) === component.get(self)
    )
      metrics[name].top1InComponent += 1;
    if (rank >= 0 && rank < 5) metrics[name].r5 += 1;
    if (rank >= 0 && rank < 10) metrics[name].mrr += 1 / (rank + 1);
  }
}
for (const name of ['first', 'reranked'] as const)
  for (const key of ['r1', 'r5', 'mrr', 'top1InComponent'] as const)
    metrics[name][key] = Number((metrics[name][key] / bqQueries.length).toFixed(4));
// travel-zh dev paraphrases against its FAQ (an FAQ tenant: entries with alternative phrasings).
const { entries: faq } = parseFaqSheet(await readFile(datasetPath('travel-zh', 'faq.csv')), 'faq.csv');
const travelIndex = new LexicalIndex(
  faq.map((entry) => ({
    id: entry.id,
    question: entry.question,
    alternatives: entry.alternatives,
    answer: entry.answer,
  })),
  { reranker: false },
);
const travelDev = (
  await readLines<{ text: string; expected: string; kind: string }>(datasetPath('travel-zh', 'dev.jsonl'))
).filter((row) => row.kind === 'paraphrase');
const travel = { first: 0, reranked: 0 };
for (const row of travelDev) {
  const { ids: candidateIds, rows } = featuresFor(travelIndex, row.text, fullTable, new Set());
  const scores = rows.map((features) => dot(rawWeights, features));
  if (candidateIds[0] === row.expected) travel.first += 1;
  if (candidateIds[scores.indexOf(Math.max(...scores))] === row.expected) travel.reranked += 1;
}
travel.first = Number((travel.first / travelDev.length).toFixed(4));
travel.reranked = Number((travel.reranked / travelDev.length).toFixed(4));
console.log(JSON.stringify({ depth, dropped: [...disabled], bq: metrics, travelTop1: travel }));

if (args.includes('--write')) {
  const associations: Record<string, Record<string, number>> = {};
  for (const [word, related] of [...fullTable].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    associations[word] = Object.fromEntries([...related].map(([other, value]) => [other, Number(value.toFixed(3))]));
  const model = {
    description: `Re-ranker trained by src/knowledge/training/train-reranker.ts on ATEC train pairs (${positives.length} positive pairs for IBM-1 word associations; listwise softmax over the BM25 top ${depth} of ${groups.length} ATEC queries). BQ dev (not trained on): R@1 ${metrics.first.r1} → ${metrics.reranked.r1}, R@5 ${metrics.first.r5} → ${metrics.reranked.r5}; travel-zh dev paraphrase top-1 ${travel.first} → ${travel.reranked}.`,
    depth,
    weights,
    associations,
  };
  await mkdir(new URL('../../../data/research/', import.meta.url), { recursive: true });
  await writeFile(new URL('../../../data/research/rerank-model.json', import.meta.url), `${JSON.stringify(model)}\n`);
  console.error(
    'wrote data/research/rerank-model.json (use it with KEFU_RERANK_MODEL=data/research/rerank-model.json)',
  );
}

// Retrieval benchmark: kefu's index (BM25F as shipped, and with the opt-in ATEC re-ranker when built)
// against Orama and MiniSearch on BQ corpus dev (FAQ-style paraphrase retrieval, 6,922-entry KB,
// 3,748 queries), all in one process, one run. The first kefu row is the default build.
//   npx tsx bench/retrieval.ts [--kb file] [--queries file] [--limit n] [--only-kefu] [--no-write]
//                              [--synonyms] [--out NAME]
// --synonyms adds a kefu row with the opt-in CC-CEDICT synonym terms (KEFU_RETRIEVAL_SYNONYMS=on).
// Writes bench/results/retrieval.md (table) and bench/results/retrieval-<date>.json (raw figures);
// --out NAME writes bench/results/NAME.md and NAME.json instead.
import { datasetPath } from '../test/support/datasets.js';
import { writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import { create, insertMultiple, search as oramaSearch } from '@orama/orama';
import MiniSearch from 'minisearch';
import { analyzeText } from '../src/knowledge/analyzer.js';
import { buildRetrievalIndex } from '../src/knowledge/index.js';
import { loadRerankModel, type RerankModel } from '../src/knowledge/rerank-model.js';
import { existsSync } from 'node:fs';
import {
  checkKbRow,
  checkQueryRow,
  evaluateRanking,
  readJsonl,
  type KbRow,
  type QueryRow,
  type RetrievalMetrics,
} from '../src/knowledge/retrieval-evaluation.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? undefined : args[index + 1];
};
const kbFile = option('kb') ?? datasetPath('bq_corpus', 'dev_kb.jsonl');
const queryFile = option('queries') ?? datasetPath('bq_corpus', 'dev_queries.jsonl');
const limit = Number(option('limit') ?? Infinity);
const write = !args.includes('--no-write');
const out = option('out');

const kb = await readJsonl<KbRow>(kbFile, checkKbRow);
const queries = (await readJsonl<QueryRow>(queryFile, checkQueryRow)).slice(0, limit);

// The best Chinese tokenisation we could give the competitors: kefu's own normalisation and jieba
// words, optionally with Han character bigrams (each configuration is measured; the better is kept).
const words = (text: string): string[] => analyzeText(text).words;
const wordsAndBigrams = (text: string): string[] => {
  const analyzed = analyzeText(text);
  return [...analyzed.words, ...analyzed.grams.map((gram) => `§${gram}`)];
};

interface Row {
  system: string;
  configuration: string;
  metrics: RetrievalMetrics;
}
const rows: Row[] = [];

function warm(search: (query: string, k: number, exclude: ReadonlySet<string>) => readonly string[]): void {
  for (const row of queries.slice(0, 50)) search(row.query, 10, new Set());
}

function runKefu(configuration: string, options: { reranker?: false | RerankModel }): void {
  const started = performance.now();
  const index = buildRetrievalIndex(
    kb.map((row) => ({ id: row.id, question: row.question, answer: row.answer || undefined })),
    options,
  );
  const indexMs = performance.now() - started;
  const search = (query: string, k: number, exclude: ReadonlySet<string>): string[] =>
    index.search(query, { k, exclude }).map((hit) => hit.id);
  warm(search);
  rows.push({ system: 'kefu', configuration, metrics: evaluateRanking(queries, search, 10, indexMs) });
}

function runOrama(name: string, tokenize: (text: string) => string[], exact: boolean): void {
  const started = performance.now();
  const database = create({
    schema: { question: 'string', answer: 'string' } as const,
    components: {
      tokenizer: { language: 'chinese', normalizationCache: new Map(), tokenize: (raw: string) => tokenize(raw) },
    },
  });
  const inserted = insertMultiple(
    database,
    kb.map((row) => ({ id: row.id, question: row.question, answer: row.answer })),
  );
  if (inserted instanceof Promise) throw new Error('Orama insert went async');
  const indexMs = performance.now() - started;
  const search = (query: string, k: number, exclude: ReadonlySet<string>): string[] => {
    const result = oramaSearch(database, {
      term: query,
      properties: ['question', 'answer'],
      limit: k + exclude.size,
      threshold: 1,
      exact,
      boost: { question: 2 },
    });
    if (result instanceof Promise) throw new Error('Orama search went async');
    return result.hits
      .map((hit) => hit.id)
      .filter((id) => !exclude.has(id))
      .slice(0, k);
  };
  warm(search);
  rows.push({
    system: 'Orama',
    configuration: `${name}${exact ? ', exact' : ', prefix'}`,
    metrics: evaluateRanking(queries, search, 10, indexMs),
  });
}

function runMiniSearch(name: string, tokenize: (text: string) => string[], prefix: boolean): void {
  const started = performance.now();
  const index = new MiniSearch<KbRow>({
    fields: ['question', 'answer'],
    storeFields: [],
    tokenize,
    processTerm: (term) => term,
    searchOptions: { boost: { question: 2 }, combineWith: 'OR', prefix },
  });
  index.addAll(kb);
  const indexMs = performance.now() - started;
  const search = (query: string, k: number, exclude: ReadonlySet<string>): string[] => {
    const results = index.search(
      query,
      exclude.size > 0 ? { filter: (result) => !exclude.has(result.id as string) } : {},
    );
    return results.slice(0, k).map((result) => result.id as string);
  };
  warm(search);
  rows.push({
    system: 'MiniSearch',
    configuration: `${name}${prefix ? ', prefix' : ', exact'}`,
    metrics: evaluateRanking(queries, search, 10, indexMs),
  });
}

// The default build ships no re-ranker (ATEC, its training data, is research-only: docs/licences.md).
runKefu('BM25F words + Han bigrams (default build, no research data)', { reranker: false });
const researchModel = 'data/research/rerank-model.json';
if (existsSync(researchModel))
  runKefu('BM25F + ATEC re-ranker of the top 30 (opt-in research build, KEFU_RERANK_MODEL)', {
    reranker: loadRerankModel(researchModel),
  });
if (args.includes('--synonyms')) {
  process.env.KEFU_RETRIEVAL_SYNONYMS = 'on';
  runKefu('BM25F words + Han bigrams + CC-CEDICT synonym terms (opt-in, KEFU_RETRIEVAL_SYNONYMS=on)', {
    reranker: false,
  });
  delete process.env.KEFU_RETRIEVAL_SYNONYMS;
}
// --only-kefu: the kefu rows only (the default build against the opt-in research build).
for (const [name, tokenize] of (args.includes('--only-kefu')
  ? []
  : [
      ['jieba words', words],
      ['jieba words + bigrams', wordsAndBigrams],
    ]) as ReadonlyArray<readonly [string, (text: string) => string[]]>) {
  // Orama's `exact: true` also requires every whitespace-separated part of the query to occur as a
  // whole word in the raw document text, which an unspaced Chinese question never does (0 hits in a
  // trial run), so only its default prefix mode is measured.
  runOrama(name, tokenize, false);
  for (const prefix of [false, true]) runMiniSearch(name, tokenize, prefix);
}

const best = (system: string): Row | undefined =>
  rows
    .filter((row) => row.system === system)
    .reduce<Row | undefined>((a, b) => (!a || b.metrics.recall_at_1 > a.metrics.recall_at_1 ? b : a), undefined);
const kefu = rows.find((row) => row.system === 'kefu')!;
const competitors = [best('Orama'), best('MiniSearch')].filter((row) => row !== undefined);
const competitor = (competitors.length > 0 ? competitors : [kefu]).reduce((a, b) =>
  b.metrics.recall_at_1 > a.metrics.recall_at_1 ? b : a,
);
const margin = (kefu.metrics.recall_at_1 - competitor.metrics.recall_at_1) * 100;
const command = `npx tsx bench/retrieval.ts${args.length > 0 ? ` ${args.join(' ')}` : ''}`;
const date = new Date().toISOString();
const table = [
  '| system | configuration | R@1 | R@5 | MRR@10 | index ms | p50 ms | p99 ms |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    ({ system, configuration, metrics: m }) =>
      `| ${system} | ${configuration} | ${m.recall_at_1.toFixed(4)} | ${m.recall_at_5.toFixed(4)} | ${m.mrr_at_10.toFixed(4)} | ${m.index_ms.toFixed(0)} | ${m.query_ms_p50.toFixed(3)} | ${m.query_ms_p99.toFixed(3)} |`,
  ),
].join('\n');
const summary = `kefu R@1 ${kefu.metrics.recall_at_1.toFixed(4)} vs best competitor ${competitor.system} (${competitor.configuration}) ${competitor.metrics.recall_at_1.toFixed(4)}: ${margin >= 0 ? '+' : ''}${margin.toFixed(1)} points; kefu query p50 ${kefu.metrics.query_ms_p50.toFixed(3)} ms`;
console.log(table);
console.log(summary);

if (write) {
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}`;
  const markdown = `# Retrieval benchmark (BQ corpus dev)

Command: \`${command}\`
Date: ${date}
Machine: ${machine} (shared with other processes; latencies are indicative)
Data: ${kbFile} (${kb.length} entries), ${queryFile} (${queries.length} queries); each query's own sentence (\`exclude_ids\`) is removed from the ranking first.
Recall@k counts a query as found when any relevant id is in the top k.

${table}

${summary}

All systems get the same normalisation (OpenCC Traditional→Simplified, half-width, lower case) and jieba
segmentation from src/text (kefu's index time includes loading the re-ranker's association table); the competitors are also tried with Han character bigrams and (MiniSearch)
with and without prefix matching, and every configuration is listed. Orama searches with
\`threshold: 1\` (any term may match) in its default prefix mode (its \`exact: true\` also requires the whole
unspaced query to occur as a word of the raw text, so it finds nothing in Chinese); MiniSearch with
\`combineWith: 'OR'\`; both boost the question field ×2. Latencies include normalisation and jieba.
`;
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(new URL(`./results/${out ?? 'retrieval'}.md`, import.meta.url), markdown);
  await writeFile(
    new URL(`./results/${out ?? `retrieval-${date.slice(0, 10)}`}.json`, import.meta.url),
    `${JSON.stringify({ command, date, machine, kb: kbFile, queries: queryFile, rows }, null, 2)}\n`,
  );
}

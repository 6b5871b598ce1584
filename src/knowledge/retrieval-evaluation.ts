import { readJsonlFile, rowProblem } from '../datasets/index.js';

export interface KbRow {
  id: string;
  question: string;
  answer: string;
}

export interface QueryRow {
  query: string;
  relevant_ids: string[];
  exclude_ids?: string[];
}

export interface RetrievalMetrics {
  n: number;
  recall_at_1: number;
  recall_at_5: number;
  mrr_at_10: number;
  index_ms: number;
  query_ms_p50: number;
  query_ms_p99: number;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Reads a JSONL file, checking each row; errors name the file and the 1-based line. */
export async function readJsonl<T>(file: string, check: (row: unknown) => string | undefined): Promise<T[]> {
  return readJsonlFile(file, (row) => {
    const problem = check(row);
    if (problem !== undefined) rowProblem(problem);
    return row as T;
  });
}

export function checkKbRow(row: unknown): string | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row))
    return 'expected an object {"id","question","answer"}';
  const record = row as Record<string, unknown>;
  if (typeof record.id !== 'string' || record.id.length === 0) return '"id" must be a non-empty string';
  if (typeof record.question !== 'string') return '"question" must be a string';
  if (record.answer !== undefined && typeof record.answer !== 'string') return '"answer" must be a string';
  return undefined;
}

export function checkQueryRow(row: unknown): string | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row))
    return 'expected an object {"query","relevant_ids"}';
  const record = row as Record<string, unknown>;
  if (typeof record.query !== 'string') return '"query" must be a string';
  if (!isStringArray(record.relevant_ids)) return '"relevant_ids" must be an array of strings';
  if (record.exclude_ids !== undefined && !isStringArray(record.exclude_ids))
    return '"exclude_ids" must be an array of strings';
  return undefined;
}

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/**
 * Scores a ranking function on labelled queries: Recall@1/@5 (any relevant id in the top k, the
 * usual definition for FAQ matching), MRR@10, and per-query latency. `search` receives the query's
 * exclude_ids and must drop them before ranking.
 */
export function evaluateRanking(
  queries: readonly QueryRow[],
  search: (query: string, k: number, exclude: ReadonlySet<string>) => readonly string[],
  k: number,
  indexMs: number,
): RetrievalMetrics {
  const depth = Math.max(k, 10);
  let hitsAt1 = 0;
  let hitsAt5 = 0;
  let reciprocal = 0;
  const latencies: number[] = [];
  for (const row of queries) {
    const relevant = new Set(row.relevant_ids);
    const exclude = new Set(row.exclude_ids ?? []);
    const started = performance.now();
    const ranked = search(row.query, depth, exclude).filter((id) => !exclude.has(id));
    latencies.push(performance.now() - started);
    const rank = ranked.findIndex((id) => relevant.has(id));
    if (rank === 0) hitsAt1 += 1;
    if (rank >= 0 && rank < 5) hitsAt5 += 1;
    if (rank >= 0 && rank < 10) reciprocal += 1 / (rank + 1);
  }
  latencies.sort((a, b) => a - b);
  const n = queries.length;
  return {
    n,
    recall_at_1: round(n === 0 ? 0 : hitsAt1 / n, 4),
    recall_at_5: round(n === 0 ? 0 : hitsAt5 / n, 4),
    mrr_at_10: round(n === 0 ? 0 : reciprocal / n, 4),
    index_ms: round(indexMs, 1),
    query_ms_p50: round(percentile(latencies, 0.5), 3),
    query_ms_p99: round(percentile(latencies, 0.99), 3),
  };
}

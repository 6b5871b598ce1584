import { buildRetrievalIndex } from '../../knowledge/index.js';
import {
  checkKbRow,
  checkQueryRow,
  evaluateRanking,
  readJsonl,
  type KbRow,
  type QueryRow,
} from '../../knowledge/retrieval-evaluation.js';

export interface EvalRetrievalOptions {
  kb: string;
  queries: string;
  k?: string;
  json?: boolean;
}

/**
 * `kefu eval retrieval --kb <kb.jsonl> --queries <queries.jsonl> [--k 10] [--json]`: indexes the KB
 * with the production lexical index and prints Recall@1/@5, MRR@10 and latency.
 */
export async function runEvalRetrieval(options: EvalRetrievalOptions): Promise<void> {
  const k = Number(options.k ?? '10');
  if (!Number.isInteger(k) || k < 1) throw new Error(`--k must be a positive integer, got "${options.k}"`);
  const kb = await readJsonl<KbRow>(options.kb, checkKbRow);
  const queries = await readJsonl<QueryRow>(options.queries, checkQueryRow);
  const seen = new Set<string>();
  for (const row of kb) {
    if (seen.has(row.id)) throw new Error(`${options.kb}: duplicate id "${row.id}"`);
    seen.add(row.id);
  }
  const started = performance.now();
  const index = buildRetrievalIndex(
    kb.map((row) => ({ id: row.id, question: row.question, answer: row.answer || undefined })),
  );
  const indexMs = performance.now() - started;
  const metrics = evaluateRanking(
    queries,
    (query, depth, exclude) => index.search(query, { k: depth, exclude }).map((hit) => hit.id),
    k,
    indexMs,
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify(metrics)}\n`);
    return;
  }
  process.stdout.write(
    [
      `queries        ${metrics.n}`,
      `Recall@1       ${metrics.recall_at_1.toFixed(4)}`,
      `Recall@5       ${metrics.recall_at_5.toFixed(4)}`,
      `MRR@10         ${metrics.mrr_at_10.toFixed(4)}`,
      `index          ${metrics.index_ms.toFixed(0)} ms for ${index.size} entries`,
      `query p50/p99  ${metrics.query_ms_p50.toFixed(3)} / ${metrics.query_ms_p99.toFixed(3)} ms`,
    ].join('\n') + '\n',
  );
}

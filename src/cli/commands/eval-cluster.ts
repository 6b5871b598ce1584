import { performance } from 'node:perf_hooks';
import { readJsonlFile, rowProblem } from '../../datasets/index.js';
import { clusterTexts, scoreClustering } from '../../learning/index.js';

export interface EvalClusterOptions {
  data: string;
  /** 'auto' (default): kefu finds the number of clusters; a whole number forces it. */
  k?: string;
  json?: boolean;
}

export interface ClusterEvaluation {
  n: number;
  labels: number;
  k: 'auto' | number;
  nmi: number;
  ari: number;
  acc: number;
  clusters_found: number;
  /** Rows that began in a group too small to be a cluster (noise), folded into their nearest cluster. */
  noise: number;
  seconds: number;
}

export interface ClusterRow {
  text: string;
  label: string;
}

/** Rows `{"text","label"}`; a malformed row throws `file:line: problem`. */
export function readClusterRows(file: string): ClusterRow[] {
  const rows = readJsonlFile(file, (parsed): ClusterRow => {
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) rowProblem('expected a JSON object');
    const value = parsed as Record<string, unknown>;
    if (typeof value.text !== 'string' || value.text.trim() === '') rowProblem('"text" must be a non-empty string');
    if ((typeof value.label !== 'string' && typeof value.label !== 'number') || String(value.label).trim() === '')
      rowProblem('"label" must be a non-empty string');
    return { text: value.text, label: String(value.label) };
  });
  if (rows.length === 0) throw new Error(`${file}: no rows`);
  return rows;
}

export function parseK(value: string | undefined): 'auto' | number {
  if (value === undefined || value === 'auto') return 'auto';
  const k = Number(value);
  if (!Number.isInteger(k) || k < 1)
    throw new Error(`--k must be "auto" or a positive whole number (got ${JSON.stringify(value)})`);
  return k;
}

const round = (value: number) => Math.round(value * 10000) / 10000;

/**
 * `kefu eval cluster`: clusters the texts without their labels (phrasing clusters, the same code
 * the analytics use) and scores the clusters against the labels: NMI, ARI and accuracy under the
 * best one-to-one matching (Hungarian).
 */
export async function runEvalCluster(options: EvalClusterOptions): Promise<ClusterEvaluation> {
  const k = parseK(options.k);
  const rows = readClusterRows(options.data);
  const started = performance.now();
  const result = clusterTexts(
    rows.map((row) => row.text),
    { k },
  );
  const seconds = (performance.now() - started) / 1000;
  const scores = scoreClustering(
    rows.map((row) => row.label),
    Array.from(result.labels),
  );
  const evaluation: ClusterEvaluation = {
    n: rows.length,
    labels: new Set(rows.map((row) => row.label)).size,
    k,
    nmi: round(scores.nmi),
    ari: round(scores.ari),
    acc: round(scores.acc),
    clusters_found: result.clusters,
    noise: result.noise,
    seconds: Math.round(seconds * 1000) / 1000,
  };
  if (options.json) process.stdout.write(`${JSON.stringify(evaluation)}\n`);
  else
    process.stdout.write(
      [
        `rows ${evaluation.n}, labels ${evaluation.labels}, k ${k}`,
        `clusters found  ${evaluation.clusters_found} (noise rows folded in: ${evaluation.noise})`,
        `NMI             ${(evaluation.nmi * 100).toFixed(2)}`,
        `ARI             ${(evaluation.ari * 100).toFixed(2)}`,
        `ACC (Hungarian) ${(evaluation.acc * 100).toFixed(2)}`,
        `seconds         ${evaluation.seconds}`,
      ].join('\n') + '\n',
    );
  return evaluation;
}

/**
 * External clustering metrics: normalised mutual information (arithmetic mean normalisation, as
 * scikit-learn's default), adjusted Rand index and accuracy under the best one-to-one matching of
 * clusters to labels (Hungarian algorithm). Labels and clusters are arbitrary strings or numbers;
 * a row whose cluster is -1 (noise) counts as a cluster of its own kind ("noise" never matches).
 */

function contingency(
  truth: readonly (string | number)[],
  predicted: readonly (string | number)[],
): { table: number[][]; rowSums: number[]; columnSums: number[]; n: number } {
  if (truth.length !== predicted.length) throw new Error('truth and predicted differ in length');
  const rowIndex = new Map<string | number, number>();
  const columnIndex = new Map<string | number, number>();
  for (const value of truth) if (!rowIndex.has(value)) rowIndex.set(value, rowIndex.size);
  for (const value of predicted) if (!columnIndex.has(value)) columnIndex.set(value, columnIndex.size);
  const table = Array.from({ length: rowIndex.size }, () => new Array<number>(columnIndex.size).fill(0));
  for (let i = 0; i < truth.length; i++) table[rowIndex.get(truth[i]!)!]![columnIndex.get(predicted[i]!)!]! += 1;
  const rowSums = table.map((row) => row.reduce((sum, value) => sum + value, 0));
  const columnSums = new Array<number>(columnIndex.size).fill(0);
  for (const row of table) row.forEach((value, column) => (columnSums[column]! += value));
  return { table, rowSums, columnSums, n: truth.length };
}

const entropy = (counts: readonly number[], n: number): number =>
  counts.reduce((sum, count) => (count === 0 ? sum : sum - (count / n) * Math.log(count / n)), 0);

/** NMI with the arithmetic mean of the two entropies (scikit-learn's default); 1 when both are trivial. */
export function normalizedMutualInformation(
  truth: readonly (string | number)[],
  predicted: readonly (string | number)[],
): number {
  const { table, rowSums, columnSums, n } = contingency(truth, predicted);
  if (n === 0) return 0;
  const hTruth = entropy(rowSums, n);
  const hPredicted = entropy(columnSums, n);
  if (hTruth === 0 && hPredicted === 0) return 1;
  let mutual = 0;
  table.forEach((row, r) =>
    row.forEach((count, c) => {
      if (count > 0) mutual += (count / n) * Math.log((count * n) / (rowSums[r]! * columnSums[c]!));
    }),
  );
  const denominator = (hTruth + hPredicted) / 2;
  return denominator === 0 ? 0 : Math.max(0, Math.min(1, mutual / denominator));
}

const pairs = (count: number): number => (count * (count - 1)) / 2;

/** Adjusted Rand index (Hubert and Arabie). */
export function adjustedRandIndex(
  truth: readonly (string | number)[],
  predicted: readonly (string | number)[],
): number {
  const { table, rowSums, columnSums, n } = contingency(truth, predicted);
  if (n < 2) return 1;
  let index = 0;
  for (const row of table) for (const count of row) index += pairs(count);
  const rowPairs = rowSums.reduce((sum, count) => sum + pairs(count), 0);
  const columnPairs = columnSums.reduce((sum, count) => sum + pairs(count), 0);
  const expected = (rowPairs * columnPairs) / pairs(n);
  const maximum = (rowPairs + columnPairs) / 2;
  if (maximum === expected) return 1;
  return (index - expected) / (maximum - expected);
}

/**
 * Minimum-cost assignment of rows to columns for a rectangular cost matrix (rows ≤ columns after
 * an internal transpose). Returns, for each row, its column (or -1). O(n²m), Jonker-Volgenant
 * style potentials (the classic e-maxx formulation).
 */
export function hungarian(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  const columns = rows === 0 ? 0 : cost[0]!.length;
  if (rows === 0 || columns === 0) return new Array<number>(rows).fill(-1);
  if (rows > columns) {
    const transposed = Array.from({ length: columns }, (_, c) => cost.map((row) => row[c]!));
    const columnToRow = hungarian(transposed);
    const result = new Array<number>(rows).fill(-1);
    columnToRow.forEach((row, column) => {
      if (row >= 0) result[row] = column;
    });
    return result;
  }
  const n = rows;
  const m = columns;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: row (1-based) assigned to column j
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const current = cost[i0 - 1]![j - 1]! - u[i0]! - v[j]!;
        if (current < minv[j]!) {
          minv[j] = current;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const assignment = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]! > 0) assignment[p[j]! - 1] = j - 1;
  return assignment;
}

/** Accuracy under the best one-to-one mapping of predicted clusters to true labels. */
export function clusteringAccuracy(
  truth: readonly (string | number)[],
  predicted: readonly (string | number)[],
): number {
  const { table, n } = contingency(truth, predicted);
  if (n === 0) return 0;
  const maximum = Math.max(0, ...table.flat());
  const assignment = hungarian(table.map((row) => row.map((count) => maximum - count)));
  let matched = 0;
  assignment.forEach((column, row) => {
    if (column >= 0) matched += table[row]![column]!;
  });
  return matched / n;
}

export interface ClusteringScores {
  nmi: number;
  ari: number;
  acc: number;
}

export function scoreClustering(
  truth: readonly (string | number)[],
  predicted: readonly (string | number)[],
): ClusteringScores {
  return {
    nmi: normalizedMutualInformation(truth, predicted),
    ari: adjustedRandIndex(truth, predicted),
    acc: clusteringAccuracy(truth, predicted),
  };
}

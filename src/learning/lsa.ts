import type { SparseMatrix } from './features.js';
import { Random } from './random.js';

/**
 * Latent semantic analysis: the top singular directions of a sparse TF-IDF matrix by randomized
 * SVD (Halko, Martinsson and Tropp 2011: Gaussian sketch, power iterations, Rayleigh-Ritz on the
 * small l×l problem solved by Jacobi). Returns the rows projected as U·Σ, each row L2-normalised,
 * as one Float64Array of n × dims (row-major).
 */
export interface LsaOptions {
  dims?: number;
  oversample?: number;
  powerIterations?: number;
  seed?: number;
}

export interface Embedding {
  data: Float64Array;
  n: number;
  dims: number;
}

/** Y = A·M for dense M (columns × l, row-major) → n × l. */
function multiply(matrix: SparseMatrix, dense: Float64Array, l: number): Float64Array {
  const n = matrix.rows.length;
  const out = new Float64Array(n * l);
  for (let r = 0; r < n; r++) {
    const { indices, values } = matrix.rows[r]!;
    const base = r * l;
    for (let k = 0; k < indices.length; k++) {
      const offset = indices[k]! * l;
      const value = values[k]!;
      for (let j = 0; j < l; j++) out[base + j]! += value * dense[offset + j]!;
    }
  }
  return out;
}

/** Z = Aᵀ·Q for dense Q (n × l) → columns × l. */
function multiplyTransposed(matrix: SparseMatrix, dense: Float64Array, l: number): Float64Array {
  const out = new Float64Array(matrix.columns * l);
  matrix.rows.forEach(({ indices, values }, r) => {
    const base = r * l;
    for (let k = 0; k < indices.length; k++) {
      const offset = indices[k]! * l;
      const value = values[k]!;
      for (let j = 0; j < l; j++) out[offset + j]! += value * dense[base + j]!;
    }
  });
  return out;
}

/** Orthonormalises the columns of a rows × l matrix in place (modified Gram-Schmidt on a column-major copy). */
function orthonormalize(matrix: Float64Array, rows: number, l: number): void {
  const columns = new Float64Array(rows * l);
  for (let i = 0; i < rows; i++) for (let j = 0; j < l; j++) columns[j * rows + i] = matrix[i * l + j]!;
  for (let j = 0; j < l; j++) {
    const offset = j * rows;
    for (let p = 0; p < j; p++) {
      const base = p * rows;
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += columns[base + i]! * columns[offset + i]!;
      for (let i = 0; i < rows; i++) columns[offset + i]! -= dot * columns[base + i]!;
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += columns[offset + i]! * columns[offset + i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < rows; i++) columns[offset + i] = norm > 1e-10 ? columns[offset + i]! / norm : 0;
  }
  for (let i = 0; i < rows; i++) for (let j = 0; j < l; j++) matrix[i * l + j] = columns[j * rows + i]!;
}

/** Eigen-decomposition of a symmetric l×l matrix (cyclic Jacobi). Eigenvalues descending. */
export function symmetricEigen(input: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(input);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += a[p * l + q]! * a[p * l + q]!;
    if (off < 1e-22) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * l + p]!;
        const aqq = a[q * l + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p]!;
          const akq = a[k * l + q]!;
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k]!;
          const aqk = a[q * l + k]!;
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p]!;
          const vkq = v[k * l + q]!;
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: l }, (_, i) => i).sort((x, y) => a[y * l + y]! - a[x * l + x]!);
  const values = new Float64Array(l);
  const vectors = new Float64Array(l * l);
  order.forEach((source, target) => {
    values[target] = a[source * l + source]!;
    for (let k = 0; k < l; k++) vectors[k * l + target] = v[k * l + source]!;
  });
  return { values, vectors };
}

export function lsa(matrix: SparseMatrix, options: LsaOptions = {}): Embedding {
  const n = matrix.rows.length;
  const maxRank = Math.max(1, Math.min(n, matrix.columns));
  const dims = Math.max(1, Math.min(options.dims ?? 200, maxRank));
  const l = Math.min(maxRank, dims + (options.oversample ?? 10));
  const random = new Random(options.seed ?? 7);
  const omega = new Float64Array(matrix.columns * l);
  for (let i = 0; i < omega.length; i++) omega[i] = random.gaussian();
  let q = multiply(matrix, omega, l);
  orthonormalize(q, n, l);
  for (let iteration = 0; iteration < (options.powerIterations ?? 1); iteration++) {
    // Aᵀ·Q is not re-orthonormalised (it has as many rows as the vocabulary); Q is, after A·(Aᵀ·Q).
    q = multiply(matrix, multiplyTransposed(matrix, q, l), l);
    orthonormalize(q, n, l);
  }
  // B·Bᵀ = Qᵀ·A·Aᵀ·Q (l × l); its eigenvectors rotate Q onto the left singular vectors.
  const w = multiply(matrix, multiplyTransposed(matrix, q, l), l);
  const gram = new Float64Array(l * l);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < l; a++) {
      const qa = q[i * l + a]!;
      if (qa === 0) continue;
      for (let b = 0; b < l; b++) gram[a * l + b]! += qa * w[i * l + b]!;
    }
  for (let a = 0; a < l; a++)
    for (let b = a + 1; b < l; b++) gram[a * l + b] = gram[b * l + a] = (gram[a * l + b]! + gram[b * l + a]!) / 2;
  const { values, vectors } = symmetricEigen(gram, l);
  const data = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      let sum = 0;
      for (let a = 0; a < l; a++) sum += q[i * l + a]! * vectors[a * l + d]!;
      const value = sum * Math.sqrt(Math.max(0, values[d]!));
      data[i * dims + d] = value;
      norm += value * value;
    }
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dims; d++) data[i * dims + d]! /= norm;
  }
  return { data, n, dims };
}

import type { Embedding } from './lsa.js';
import { Random } from './random.js';

/** A weighted undirected graph as adjacency lists (each edge listed from both ends). */
export interface Graph {
  n: number;
  neighbors: Int32Array[];
  weights: Float64Array[];
}

/** Dot product of rows i and j of an embedding. */
function dot(data: Float64Array, dims: number, i: number, j: number): number {
  let sum = 0;
  const a = i * dims;
  const b = j * dims;
  for (let d = 0; d < dims; d++) sum += data[a + d]! * data[b + d]!;
  return sum;
}

/**
 * Symmetric k-nearest-neighbour graph under cosine similarity (rows are unit vectors): each row
 * keeps its k most similar rows; an edge exists when either end chose the other, weighted by the
 * similarity (clipped at zero) raised to `sharpen`, doubled when the choice is mutual.
 */
export function knnGraph(embedding: Embedding, k: number, sharpen = 1): Graph {
  const { data, n, dims } = embedding;
  const size = Math.max(1, Math.min(k, n - 1));
  const bestIndex = Array.from({ length: n }, () => new Int32Array(size).fill(-1));
  const bestScore = Array.from({ length: n }, () => new Float64Array(size).fill(-Infinity));
  const offer = (row: number, candidate: number, score: number) => {
    const scores = bestScore[row]!;
    if (score <= scores[size - 1]!) return;
    const indices = bestIndex[row]!;
    let position = size - 1;
    while (position > 0 && scores[position - 1]! < score) {
      scores[position] = scores[position - 1]!;
      indices[position] = indices[position - 1]!;
      position -= 1;
    }
    scores[position] = score;
    indices[position] = candidate;
  };
  // Tiled over blocks of rows (single precision copy) so both blocks stay in cache.
  const rows32 = Float32Array.from(data);
  const TILE = 64;
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const i1 = Math.min(n, i0 + TILE);
    for (let j0 = i0; j0 < n; j0 += TILE) {
      const j1 = Math.min(n, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        const a = i * dims;
        for (let j = j0 === i0 ? i + 1 : j0; j < j1; j++) {
          const b = j * dims;
          let score = 0;
          for (let d = 0; d < dims; d++) score += rows32[a + d]! * rows32[b + d]!;
          offer(i, j, score);
          offer(j, i, score);
        }
      }
    }
  }
  const edges = Array.from({ length: n }, () => new Map<number, number>());
  for (let i = 0; i < n; i++)
    bestIndex[i]!.forEach((j, position) => {
      if (j < 0) return;
      const weight = Math.pow(Math.max(0, bestScore[i]![position]!), sharpen);
      if (weight <= 0) return;
      edges[i]!.set(j, (edges[i]!.get(j) ?? 0) + weight);
      edges[j]!.set(i, (edges[j]!.get(i) ?? 0) + weight);
    });
  return {
    n,
    neighbors: edges.map((map) => Int32Array.from(map.keys())),
    weights: edges.map((map) => Float64Array.from(map.values())),
  };
}

/**
 * Louvain community detection (Blondel et al. 2008) maximising modularity with a resolution
 * parameter γ: larger γ, more and smaller communities. Returns a community id per node (0..c-1).
 */
export function louvain(graph: Graph, resolution = 1, seed = 1): Int32Array {
  const random = new Random(seed);
  let current: Graph = graph;
  let membership = Int32Array.from({ length: graph.n }, (_, i) => i);
  for (let level = 0; level < 20; level++) {
    const { community, moved } = localMoving(current, resolution, random);
    const count = community.reduce((max, value) => Math.max(max, value + 1), 0);
    membership = membership.map((node) => community[node]!);
    if (!moved || count === current.n) break;
    current = aggregate(current, community, count);
  }
  return relabel(membership);
}

function relabel(labels: Int32Array): Int32Array {
  const map = new Map<number, number>();
  return labels.map((label) => {
    if (!map.has(label)) map.set(label, map.size);
    return map.get(label)!;
  });
}

function localMoving(graph: Graph, resolution: number, random: Random): { community: Int32Array; moved: boolean } {
  const { n, neighbors, weights } = graph;
  const degree = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const weight of weights[i]!) sum += weight;
    degree[i] = sum;
    total += sum;
  }
  const community = Int32Array.from({ length: n }, (_, i) => i);
  if (total === 0) return { community, moved: false };
  const communityDegree = Float64Array.from(degree);
  const order = random.shuffle(Array.from({ length: n }, (_, i) => i));
  const linkTo = new Float64Array(n);
  const touched: number[] = [];
  let moved = false;
  for (let pass = 0; pass < 50; pass++) {
    let changes = 0;
    for (const node of order) {
      const own = community[node]!;
      const nodeNeighbors = neighbors[node]!;
      const nodeWeights = weights[node]!;
      touched.length = 0;
      let self = 0;
      for (let e = 0; e < nodeNeighbors.length; e++) {
        const other = nodeNeighbors[e]!;
        if (other === node) {
          self += nodeWeights[e]!;
          continue;
        }
        const c = community[other]!;
        if (linkTo[c] === 0) touched.push(c);
        linkTo[c]! += nodeWeights[e]!;
      }
      void self;
      communityDegree[own]! -= degree[node]!;
      const scale = (resolution * degree[node]!) / total;
      let best = own;
      let bestGain = linkTo[own]! - scale * communityDegree[own]!;
      for (const c of touched) {
        const gain = linkTo[c]! - scale * communityDegree[c]!;
        if (gain > bestGain + 1e-12) {
          bestGain = gain;
          best = c;
        }
      }
      communityDegree[best]! += degree[node]!;
      for (const c of touched) linkTo[c] = 0;
      linkTo[own] = 0;
      if (best !== own) {
        community[node] = best;
        changes += 1;
        moved = true;
      }
    }
    if (changes === 0) break;
  }
  return { community: relabel(community), moved };
}

function aggregate(graph: Graph, community: Int32Array, count: number): Graph {
  const edges = Array.from({ length: count }, () => new Map<number, number>());
  for (let i = 0; i < graph.n; i++) {
    const a = community[i]!;
    const nodeNeighbors = graph.neighbors[i]!;
    const nodeWeights = graph.weights[i]!;
    for (let e = 0; e < nodeNeighbors.length; e++) {
      const b = community[nodeNeighbors[e]!]!;
      edges[a]!.set(b, (edges[a]!.get(b) ?? 0) + nodeWeights[e]!);
    }
  }
  return {
    n: count,
    neighbors: edges.map((map) => Int32Array.from(map.keys())),
    weights: edges.map((map) => Float64Array.from(map.values())),
  };
}

/** Unit-length mean of the rows of each cluster (clusters with no rows get a zero vector). */
export function centroids(embedding: Embedding, labels: Int32Array, k: number): Float64Array {
  const { data, n, dims } = embedding;
  const sums = new Float64Array(k * dims);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (c < 0) continue;
    for (let d = 0; d < dims; d++) sums[c * dims + d]! += data[i * dims + d]!;
  }
  for (let c = 0; c < k; c++) {
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += sums[c * dims + d]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dims; d++) sums[c * dims + d]! /= norm;
  }
  return sums;
}

/** Index and similarity of the nearest centre (cosine) of row i. */
function nearest(embedding: Embedding, centres: Float64Array, k: number, i: number): [number, number] {
  const { data, dims } = embedding;
  let best = -1;
  let bestScore = -Infinity;
  const a = i * dims;
  for (let c = 0; c < k; c++) {
    let sum = 0;
    const b = c * dims;
    for (let d = 0; d < dims; d++) sum += data[a + d]! * centres[b + d]!;
    if (sum > bestScore) {
      bestScore = sum;
      best = c;
    }
  }
  return [best, bestScore];
}

/**
 * Spherical k-means (Lloyd on unit vectors with unit-length centres) from given labels; returns
 * the final labels and the objective (sum of cosine similarity to the own centre).
 */
export function sphericalKMeans(
  embedding: Embedding,
  initial: Int32Array,
  k: number,
  maxIterations = 20,
): { labels: Int32Array; objective: number } {
  let labels = Int32Array.from(initial);
  let objective = 0;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const centres = centroids(embedding, labels, k);
    const next = new Int32Array(embedding.n);
    objective = 0;
    let changes = 0;
    for (let i = 0; i < embedding.n; i++) {
      const [c, score] = nearest(embedding, centres, k, i);
      next[i] = c;
      objective += score;
      if (c !== labels[i]) changes += 1;
    }
    labels = next;
    if (changes === 0) break;
  }
  return { labels, objective };
}

/** k-means++ seeding (squared Euclidean distance on unit vectors = 2 − 2·cosine). */
export function kMeansPlusPlus(embedding: Embedding, k: number, random: Random): Int32Array {
  const { n, dims, data } = embedding;
  const chosen: number[] = [random.int(n)];
  const distance = new Float64Array(n).fill(Infinity);
  while (chosen.length < Math.min(k, n)) {
    const last = chosen[chosen.length - 1]!;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.max(0, 2 - 2 * dot(data, dims, i, last));
      if (d < distance[i]!) distance[i] = d;
      total += distance[i]!;
    }
    let target = random.next() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      target -= distance[i]!;
      if (target <= 0) {
        pick = i;
        break;
      }
    }
    chosen.push(pick);
  }
  const centres = new Float64Array(chosen.length * dims);
  chosen.forEach((row, c) => centres.set(data.subarray(row * dims, (row + 1) * dims), c * dims));
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = nearest(embedding, centres, chosen.length, i)[0];
  return labels;
}

/** k-means with k-means++ seeding, best of `restarts` by objective. */
export function kMeans(
  embedding: Embedding,
  k: number,
  options: { restarts?: number; seed?: number; maxIterations?: number } = {},
): Int32Array {
  const random = new Random(options.seed ?? 1);
  let best: { labels: Int32Array; objective: number } | null = null;
  for (let restart = 0; restart < (options.restarts ?? 3); restart++) {
    const result = sphericalKMeans(
      embedding,
      kMeansPlusPlus(embedding, k, random),
      Math.min(k, embedding.n),
      options.maxIterations ?? 30,
    );
    if (best === null || result.objective > best.objective) best = result;
  }
  return best!.labels;
}

export { nearest as nearestCentre };

export {
  adjustedRandIndex,
  clusteringAccuracy,
  hungarian,
  normalizedMutualInformation,
  scoreClustering,
  type ClusteringScores,
} from './metrics.js';
export { messageFeatures, tfidfMatrix, type FeatureOptions, type SparseMatrix } from './features.js';
export { lsa, type Embedding, type LsaOptions } from './lsa.js';
export { kMeans, knnGraph, louvain, sphericalKMeans } from './cluster.js';
export {
  clusterEmbedding,
  clusterTexts,
  embedTexts,
  selfConsistentResolution,
  DEFAULT_CLUSTER_OPTIONS,
  type ClusterOptions,
  type ClusterResult,
} from './phrasing-clusters.js';
export { Random } from './random.js';

// The knowledge capability: loading sources, chunking, versioning, conflicts and retrieval.
export { parseFaqSheet, faqIdFromQuestion, phrasingKey } from './faq-sheet.js';
export type { FaqEntry, SheetProblem } from './faq-sheet.js';
export { decodeText } from './decode-text.js';
export type { DecodedText, TextEncoding } from './decode-text.js';

export { loadDocument, detectFormat } from './load-document.js';
export { sha256, hashDocumentContent, hashFaqEntry } from './document.js';
export type { DocumentFormat, DocumentSection, LoadedDocument, LoadProblem, LoadResult } from './document.js';
export { chunkDocument, splitSentences } from './chunk-document.js';
export type { Chunk, ChunkOptions } from './chunk-document.js';
export { diffVersions, summarizeDiff } from './diff-versions.js';
export type { VersionDiff, VersionedItem } from './diff-versions.js';
export { detectConflicts, quantities, chineseNumeral } from './detect-conflicts.js';
export type { AnswerItem, Conflict, ConflictOptions } from './detect-conflicts.js';

export { buildRetrievalIndex } from './build-retrieval-index.js';
export type { BuildRetrievalIndexOptions, HybridRetrievalIndex } from './build-retrieval-index.js';
export { LexicalIndex } from './retrieval-index.js';
export type {
  KnowledgeEntry,
  KnowledgeField,
  LexicalOptions,
  RetrievalHit,
  RetrievalIndex,
  SearchOptions,
} from './retrieval-index.js';
export { OpenAiEmbedder, EmbeddingRequestError } from './embedder.js';
export type { Embedder, OpenAiEmbedderOptions } from './embedder.js';
export { VectorIndex } from './vector-index.js';
export { reciprocalRankFusion } from './rank-fusion.js';
export type { MatchModel, MatchFeature } from './match-features.js';

export {
  syncSource,
  activeKnowledge,
  nextSyncAt,
  folderSource,
  urlSource,
  sitemapSource,
  fetchBytes,
  isNonPublicAddress,
  SourceReadError,
  readerForSource,
  syncDueSources,
  syncUploadedFile,
  uploadPath,
  UPLOAD_SOURCE_NAME,
  detectPgvector,
  PgvectorStore,
  packSource,
  syncPackKnowledge,
} from './store/index.js';
export type {
  PgvectorSupport,
  ChunkVector,
  WebSourceOptions,
  SyncOptions,
  SyncReport,
  SourceItem,
  SourceReader,
  KnowledgeDatabase,
  DocumentStatus,
  SourceKind,
  SyncStatus,
} from './store/index.js';

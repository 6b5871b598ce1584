// The database side of knowledge: versioned sync of sources into the knowledge_* tables.
export { syncSource, activeKnowledge, nextSyncAt } from './sync-source.js';
export type { SyncOptions, SyncReport } from './sync-source.js';
export { folderSource } from './folder-source.js';
export type { SourceItem, SourceReader } from './folder-source.js';
export type { KnowledgeDatabase, DocumentStatus, SourceKind, SyncStatus } from './knowledge-tables.js';
export { urlSource, sitemapSource, fetchBytes, isNonPublicAddress, SourceReadError } from './web-source.js';
export type { WebSourceOptions } from './web-source.js';
export { readerForSource, syncDueSources } from './source-readers.js';
export { syncUploadedFile, uploadPath, UPLOAD_SOURCE_NAME } from './upload-source.js';
export { detectPgvector, PgvectorStore } from './pgvector.js';
export type { PgvectorSupport, ChunkVector } from './pgvector.js';
export { packSource, syncPackKnowledge } from './pack-source.js';

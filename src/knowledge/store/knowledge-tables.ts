import type { ColumnType, Generated, Insertable, Kysely, Selectable } from 'kysely';

// Row types of the tables created by src/store/migrations/20261125-0100-knowledge.ts.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type SourceKind = 'upload' | 'folder' | 'url' | 'sitemap' | 'pack';
export type DocumentStatus = 'pending' | 'processing' | 'ready' | 'failed';
export type SyncStatus = 'running' | 'succeeded' | 'partial' | 'failed';

export interface KnowledgeSourcesTable {
  id: string;
  tenant_id: string;
  kind: SourceKind;
  name: string;
  config: Json<Record<string, unknown>>;
  schedule: string | null;
  last_sync_at: Timestamp | null;
  next_sync_at: Timestamp | null;
  created_at: Generated<Date>;
}

export interface KnowledgeDocumentsTable {
  id: string;
  tenant_id: string;
  source_id: string;
  path: string;
  status: DocumentStatus;
  failure_code: string | null;
  failure_reason: string | null;
  active_version_id: string | null;
  fingerprint: string | null;
  file_hash: string | null;
  removed_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface KnowledgeDocumentVersionsTable {
  id: string;
  tenant_id: string;
  document_id: string;
  version: number;
  format: string;
  title: string | null;
  content_hash: string;
  sections: Json<unknown>;
  faq_entries: Json<unknown> | null;
  sync_run_id: string | null;
  created_at: Generated<Date>;
}

export interface KnowledgeChunksTable {
  id: string;
  tenant_id: string;
  document_version_id: string;
  position: number;
  faq_external_id: string | null;
  heading_trail: Json<string[]>;
  text: string;
  page: number | null;
  content_hash: string;
  embedding: Json<number[]> | null;
}

export interface KnowledgeSyncRunsTable {
  id: string;
  tenant_id: string;
  source_id: string;
  status: SyncStatus;
  report: Json<unknown> | null;
  error: string | null;
  started_at: Generated<Date>;
  finished_at: Timestamp | null;
}

export interface KnowledgeConflictsTable {
  id: string;
  tenant_id: string;
  sync_run_id: string | null;
  pair_key: string;
  reason: string;
  detail: string;
  first: Json<unknown>;
  second: Json<unknown>;
  status: 'open' | 'resolved' | 'dismissed';
  created_at: Generated<Date>;
}

export interface KnowledgeDatabase {
  knowledge_sources: KnowledgeSourcesTable;
  knowledge_documents: KnowledgeDocumentsTable;
  knowledge_document_versions: KnowledgeDocumentVersionsTable;
  knowledge_chunks: KnowledgeChunksTable;
  knowledge_sync_runs: KnowledgeSyncRunsTable;
  knowledge_conflicts: KnowledgeConflictsTable;
}

/**
 * A database whose schema includes the knowledge tables (the app's whole schema, or a test's), seen
 * as just these tables. Kysely's schema parameter is invariant, so `Kysely<DatabaseSchema>` is not a
 * `Kysely<KnowledgeDatabase>` to the compiler, although every query on these tables is valid on it.
 */
export function knowledgeTables<DB extends KnowledgeDatabase>(database: Kysely<DB>): Kysely<KnowledgeDatabase> {
  return database as unknown as Kysely<KnowledgeDatabase>;
}

export type KnowledgeSourceRow = Selectable<KnowledgeSourcesTable>;
export type KnowledgeChunkRow = Selectable<KnowledgeChunksTable>;
export type NewKnowledgeChunk = Insertable<KnowledgeChunksTable>;

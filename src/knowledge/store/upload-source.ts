import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SourceReader } from './folder-source.js';
import { knowledgeTables, type KnowledgeDatabase } from './knowledge-tables.js';
import { syncSource, type SyncOptions, type SyncReport } from './sync-source.js';
import { SourceReadError } from './web-source.js';

/** The one `upload` source each tenant's uploaded files go into (created on first upload). */
export const UPLOAD_SOURCE_NAME = 'uploads';

/**
 * A file name safe to keep as a document path: the last path segment, no control characters,
 * at most 200 characters. Returns undefined when nothing usable is left.
 */
export function uploadPath(fileName: string): string | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? '';

  const cleaned = base
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 200);
  return cleaned.length === 0 || cleaned === '.' || cleaned === '..' ? undefined : cleaned;
}

async function uploadSourceId(db: Kysely<KnowledgeDatabase>, tenantId: string): Promise<string> {
  const existing = await db
    .selectFrom('knowledge_sources')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'upload')
    .where('name', '=', UPLOAD_SOURCE_NAME)
    .executeTakeFirst();
  if (existing) return existing.id;
  const id = randomUUID();
  await db
    .insertInto('knowledge_sources')
    .values({
      id,
      tenant_id: tenantId,
      kind: 'upload',
      name: UPLOAD_SOURCE_NAME,
      config: JSON.stringify({}),
      schedule: null,
      last_sync_at: null,
      next_sync_at: null,
    })
    .onConflict((conflict) => conflict.columns(['tenant_id', 'name']).doNothing())
    .execute();
  // A concurrent first upload may have won the insert.
  const row = await db
    .selectFrom('knowledge_sources')
    .select(['id', 'kind'])
    .where('tenant_id', '=', tenantId)
    .where('name', '=', UPLOAD_SOURCE_NAME)
    .executeTakeFirstOrThrow();
  if (row.kind !== 'upload') throw new Error(`the tenant has a ${row.kind} source named "${UPLOAD_SOURCE_NAME}"`);
  return row.id;
}

/**
 * Adds (or replaces) one uploaded file in a tenant's knowledge through the same versioned sync as
 * folders and URLs: the other uploaded files are listed with their stored fingerprints, so they are
 * neither re-read nor removed; the new file becomes a new version only if its content changed.
 * `document` is the file's outcome (`added`, `changed`, `unchanged` or `failed` with a code).
 * @example
 * const { report, document } = await syncUploadedFile(db, tenantId, '退货政策.md', bytes);
 */
export async function syncUploadedFile<DB extends KnowledgeDatabase>(
  database: Kysely<DB>,
  tenantId: string,
  fileName: string,
  bytes: Uint8Array,
  options: SyncOptions = {},
): Promise<{
  sourceId: string;
  path: string;
  report: SyncReport;
  document: { outcome: 'added' | 'changed' | 'unchanged' | 'failed'; code?: string; message?: string };
}> {
  const db = knowledgeTables(database);
  const path = uploadPath(fileName);
  if (path === undefined) throw new SourceReadError('invalid_name', 'the file needs a name');
  const sourceId = await uploadSourceId(db, tenantId);
  const fingerprint = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const reader: SourceReader = {
    async list() {
      const documents = await db
        .selectFrom('knowledge_documents')
        .select(['path', 'fingerprint'])
        .where('tenant_id', '=', tenantId)
        .where('source_id', '=', sourceId)
        .where('removed_at', 'is', null)
        .where('active_version_id', 'is not', null)
        .execute();
      const items = documents
        .filter((document) => document.path !== path)
        .map((document) => ({
          path: document.path,
          ...(document.fingerprint ? { fingerprint: document.fingerprint } : {}),
        }));
      return [...items, { path, fingerprint }];
    },
    async read(requested) {
      if (requested === path) return bytes;
      // Only a stored upload whose last attempt failed lands here; its active version stays.
      throw new SourceReadError('not_reuploaded', `${requested} was not part of this upload`);
    },
  };
  const report = await syncSource(database, tenantId, sourceId, reader, options);
  const failure = report.failed.find((item) => item.path === path);
  const outcome = failure
    ? 'failed'
    : report.added.includes(path)
      ? 'added'
      : report.changed.includes(path)
        ? 'changed'
        : 'unchanged';
  return {
    sourceId,
    path,
    report,
    document: failure ? { outcome, code: failure.code, message: failure.message } : { outcome },
  };
}

import { createHash, randomUUID } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import type { Kysely } from 'kysely';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { chunkDocument, type Chunk, type ChunkOptions } from '../chunk-document.js';
import { detectConflicts, type AnswerItem } from '../detect-conflicts.js';
import { diffVersions } from '../diff-versions.js';
import { hashFaqEntry, sha256, type LoadedDocument, type LoadProblem } from '../document.js';
import type { Embedder } from '../embedder.js';
import type { FaqEntry } from '../faq-sheet.js';
import { loadDocument } from '../load-document.js';
import type { SourceReader } from './folder-source.js';
import { SourceReadError } from './web-source.js';
import { knowledgeTables, type KnowledgeDatabase, type SyncStatus } from './knowledge-tables.js';

export interface SyncOptions {
  /** Embeds new chunks (chunks whose content hash existed in the previous version reuse their vector). */
  embedder?: Embedder;
  chunk?: ChunkOptions;
  /** Look for contradicting answers across the tenant's active knowledge (default true). */
  detectConflicts?: boolean;
  now?: () => Date;
}

/** The change report of one sync run. */
export interface SyncReport {
  runId: string;
  status: SyncStatus;
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: number;
  /** Files that could not be read or loaded; their previous good version (if any) stays active. */
  failed: { path: string; code: string; message: string }[];
  /** Row-level problems of files that did load (FAQ sheets). */
  problems: LoadProblem[];
  /** FAQ entries by id across the source's sheets. */
  faq: { added: string[]; changed: string[]; removed: string[] };
  chunksIndexed: number;
  chunksReused: number;
  conflicts: number;
  /** Set when the source could not even be listed (folder gone, sitemap unreachable). */
  error?: string;
}

type Db = Kysely<KnowledgeDatabase>;

const MAX_CONFLICTS_PER_RUN = 200;

interface ChunkDraft {
  chunk: Chunk;
  faqExternalId: string | null;
  embedding: number[] | null;
}

function faqChunks(document: LoadedDocument): ChunkDraft[] {
  return (document.faqEntries ?? []).map((entry, index) => {
    const headingTrail = entry.category ? [entry.category, entry.question] : [entry.question];
    const text = entry.answer;
    return {
      chunk: { index, sourcePath: document.path, headingTrail, text, contentHash: hashFaqEntry(entry) },
      faqExternalId: entry.id,
      embedding: null,
    };
  });
}

/** When a source with a cron `schedule` is next due after `from` (null without a schedule); cron fields are read in `timeZone` (default UTC). */
export function nextSyncAt(schedule: string | null, from: Date, timeZone = 'UTC'): Date | null {
  if (schedule === null || schedule.trim().length === 0) return null;
  return CronExpressionParser.parse(schedule, { currentDate: from, tz: timeZone }).next().toDate();
}

/**
 * Re-syncs one knowledge source: lists it, re-reads only what changed (fingerprint, then byte hash,
 * then content hash), stores a new document version only for changed content (the old one is kept
 * for audit), re-embeds only chunks whose hash is new, and retires removed files. A file that fails
 * to read or load is reported and its previous good version stays active; each new version becomes
 * active in one transaction, so nothing is ever half-indexed. Returns the change report (also
 * stored on the sync run).
 * @example
 * const report = await syncSource(db, tenantId, sourceId, folderSource('/srv/kb/acme'));
 */
export async function syncSource<DB extends KnowledgeDatabase>(
  database: Kysely<DB>,
  tenantId: string,
  sourceId: string,
  reader: SourceReader,
  options: SyncOptions = {},
): Promise<SyncReport> {
  const db = knowledgeTables(database);
  const now = options.now ?? (() => new Date());
  const source = await db
    .selectFrom('knowledge_sources')
    .select(['id', 'schedule'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', sourceId)
    .executeTakeFirst();
  if (source === undefined)
    throw new KefuError(ErrorCodes.notFound, `knowledge source ${sourceId} not found`, { status: 404 });

  const runId = randomUUID();
  await db
    .insertInto('knowledge_sync_runs')
    .values({
      id: runId,
      tenant_id: tenantId,
      source_id: sourceId,
      status: 'running',
      report: null,
      error: null,
      finished_at: null,
    })
    .execute();
  const report: SyncReport = {
    runId,
    status: 'running',
    added: [],
    changed: [],
    removed: [],
    unchanged: 0,
    failed: [],
    problems: [],
    faq: { added: [], changed: [], removed: [] },
    chunksIndexed: 0,
    chunksReused: 0,
    conflicts: 0,
  };

  const finish = async (status: SyncStatus, error?: string): Promise<SyncReport> => {
    report.status = status;
    if (error !== undefined) report.error = error;
    await db
      .updateTable('knowledge_sync_runs')
      .set({ status, report: JSON.stringify(report), error: error ?? null, finished_at: now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', runId)
      .execute();
    await db
      .updateTable('knowledge_sources')
      .set({ last_sync_at: now(), next_sync_at: nextSyncAt(source.schedule, now()) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', sourceId)
      .execute();
    return report;
  };

  let items;
  try {
    items = await reader.list();
  } catch (error) {
    return finish('failed', `the source could not be listed: ${(error as Error).message}`);
  }

  const existing = await db
    .selectFrom('knowledge_documents as document')
    .leftJoin('knowledge_document_versions as version', 'version.id', 'document.active_version_id')
    .select([
      'document.id',
      'document.path',
      'document.status',
      'document.fingerprint',
      'document.file_hash',
      'document.active_version_id',
      'document.removed_at',
      'version.content_hash',
      'version.version',
    ])
    .where('document.tenant_id', '=', tenantId)
    .where('document.source_id', '=', sourceId)
    .execute();
  const byPath = new Map(existing.map((row) => [row.path, row]));

  const markFailed = async (path: string, code: string, message: string): Promise<void> => {
    report.failed.push({ path, code, message });
    const document = byPath.get(path);
    if (document === undefined) {
      await db
        .insertInto('knowledge_documents')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          source_id: sourceId,
          path,
          status: 'failed',
          failure_code: code,
          failure_reason: message,
          active_version_id: null,
          fingerprint: null,
          file_hash: null,
          removed_at: null,
          updated_at: now(),
        })
        .execute();
    } else {
      // The failure is recorded, the previous good version stays active.
      await db
        .updateTable('knowledge_documents')
        .set({ status: 'failed', failure_code: code, failure_reason: message, updated_at: now() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', document.id)
        .execute();
    }
  };

  const listed = new Set<string>();
  for (const item of items) {
    if (listed.has(item.path)) continue;
    listed.add(item.path);
    const document = byPath.get(item.path);
    const live = document !== undefined && document.active_version_id !== null && document.removed_at === null;
    if (
      live &&
      document.status === 'ready' &&
      item.fingerprint !== undefined &&
      document.fingerprint === item.fingerprint
    ) {
      report.unchanged += 1;
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = await reader.read(item.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        await markFailed(item.path, 'vanished', `${item.path} disappeared during the sync`);
      else if (error instanceof SourceReadError) await markFailed(item.path, error.code, error.message);
      else
        await markFailed(item.path, 'unreadable_file', `${item.path} could not be read: ${(error as Error).message}`);
      continue;
    }
    const fileHash = createHash('sha256').update(bytes).digest('hex');
    if (live && document.file_hash === fileHash) {
      await db
        .updateTable('knowledge_documents')
        .set({ fingerprint: item.fingerprint ?? null, status: 'ready', failure_code: null, failure_reason: null })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', document.id)
        .execute();
      report.unchanged += 1;
      continue;
    }
    const result = await loadDocument(bytes, item.path);
    report.problems.push(...result.problems);
    if (!result.ok) {
      await markFailed(item.path, result.problem.code, result.problem.message);
      continue;
    }
    const loaded = result.document;
    if (live && document.content_hash === loaded.contentHash) {
      await db
        .updateTable('knowledge_documents')
        .set({
          fingerprint: item.fingerprint ?? null,
          file_hash: fileHash,
          status: 'ready',
          failure_code: null,
          failure_reason: null,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', document.id)
        .execute();
      report.unchanged += 1;
      continue;
    }
    try {
      await storeVersion(
        db,
        tenantId,
        sourceId,
        runId,
        document,
        loaded,
        { fingerprint: item.fingerprint ?? null, fileHash },
        options,
        report,
        now,
      );
      (live ? report.changed : report.added).push(item.path);
    } catch (error) {
      await markFailed(item.path, 'index_failed', `${item.path} could not be indexed: ${(error as Error).message}`);
    }
  }

  for (const document of existing) {
    if (listed.has(document.path) || document.removed_at !== null) continue;
    if (document.active_version_id !== null) {
      const previous = await db
        .selectFrom('knowledge_document_versions')
        .select('faq_entries')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', document.active_version_id)
        .executeTakeFirst();
      report.faq.removed.push(...((previous?.faq_entries as FaqEntry[] | null) ?? []).map((entry) => entry.id));
    }
    await db
      .updateTable('knowledge_documents')
      .set({ removed_at: now(), active_version_id: null, updated_at: now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', document.id)
      .execute();
    report.removed.push(document.path);
  }

  if ((options.detectConflicts ?? true) && report.added.length + report.changed.length > 0) {
    report.conflicts = await recordConflicts(db, tenantId, runId);
  }
  const status: SyncStatus =
    report.failed.length === 0
      ? 'succeeded'
      : report.added.length + report.changed.length + report.unchanged > 0
        ? 'partial'
        : 'failed';
  return finish(status);
}

async function storeVersion(
  db: Db,
  tenantId: string,
  sourceId: string,
  runId: string,
  document: { id: string; active_version_id: string | null; version: number | null } | undefined,
  loaded: LoadedDocument,
  file: { fingerprint: string | null; fileHash: string },
  options: SyncOptions,
  report: SyncReport,
  now: () => Date,
): Promise<void> {
  const documentId = document?.id ?? randomUUID();
  if (document === undefined) {
    await db
      .insertInto('knowledge_documents')
      .values({
        id: documentId,
        tenant_id: tenantId,
        source_id: sourceId,
        path: loaded.path,
        status: 'processing',
        failure_code: null,
        failure_reason: null,
        active_version_id: null,
        fingerprint: null,
        file_hash: null,
        removed_at: null,
        updated_at: now(),
      })
      .execute();
  } else {
    await db
      .updateTable('knowledge_documents')
      .set({ status: 'processing', updated_at: now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', documentId)
      .execute();
  }

  const drafts: ChunkDraft[] =
    loaded.format === 'faq-sheet'
      ? faqChunks(loaded)
      : chunkDocument(loaded, options.chunk).map((chunk) => ({ chunk, faqExternalId: null, embedding: null }));
  // Chunks whose content existed in the previous version keep their embedding: only new content is re-indexed.
  const previousChunks = document?.active_version_id
    ? await db
        .selectFrom('knowledge_chunks')
        .select(['content_hash', 'embedding'])
        .where('tenant_id', '=', tenantId)
        .where('document_version_id', '=', document.active_version_id)
        .execute()
    : [];
  const previousHashes = new Map(previousChunks.map((row) => [row.content_hash, row.embedding as number[] | null]));
  const fresh = drafts.filter((draft) => !previousHashes.has(draft.chunk.contentHash));
  for (const draft of drafts)
    if (previousHashes.has(draft.chunk.contentHash))
      draft.embedding = previousHashes.get(draft.chunk.contentHash) ?? null;
  if (options.embedder !== undefined && fresh.length > 0) {
    // Outside the transaction: an HTTP call must not hold database locks. A failure leaves the old version active.
    const vectors = await options.embedder.embed(
      fresh.map((draft) => [...draft.chunk.headingTrail, draft.chunk.text].join('\n')),
    );
    fresh.forEach((draft, index) => (draft.embedding = Array.from(vectors[index]!)));
  }
  report.chunksIndexed += fresh.length;
  report.chunksReused += drafts.length - fresh.length;

  if (loaded.faqEntries !== undefined) {
    const previous = document?.active_version_id
      ? (((
          await db
            .selectFrom('knowledge_document_versions')
            .select('faq_entries')
            .where('tenant_id', '=', tenantId)
            .where('id', '=', document.active_version_id)
            .executeTakeFirst()
        )?.faq_entries as FaqEntry[] | null) ?? [])
      : [];
    const keyed = (entries: readonly FaqEntry[]) =>
      entries.map((entry) => ({ key: entry.id, contentHash: hashFaqEntry(entry) }));
    const diff = diffVersions(keyed(previous), keyed(loaded.faqEntries));
    report.faq.added.push(...diff.added.map((item) => item.key));
    report.faq.changed.push(...diff.changed.map((item) => item.next.key));
    report.faq.removed.push(...diff.removed.map((item) => item.key));
  }

  await db.transaction().execute(async (transaction) => {
    const versionId = randomUUID();
    const latest = await transaction
      .selectFrom('knowledge_document_versions')
      .select((expression) => expression.fn.max('version').as('version'))
      .where('tenant_id', '=', tenantId)
      .where('document_id', '=', documentId)
      .executeTakeFirst();
    await transaction
      .insertInto('knowledge_document_versions')
      .values({
        id: versionId,
        tenant_id: tenantId,
        document_id: documentId,
        version: Number(latest?.version ?? 0) + 1,
        format: loaded.format,
        title: loaded.title,
        content_hash: loaded.contentHash,
        sections: JSON.stringify(loaded.sections),
        faq_entries: loaded.faqEntries === undefined ? null : JSON.stringify(loaded.faqEntries),
        sync_run_id: runId,
      })
      .execute();
    for (let start = 0; start < drafts.length; start += 200) {
      await transaction
        .insertInto('knowledge_chunks')
        .values(
          drafts.slice(start, start + 200).map((draft) => ({
            id: randomUUID(),
            tenant_id: tenantId,
            document_version_id: versionId,
            position: draft.chunk.index,
            faq_external_id: draft.faqExternalId,
            heading_trail: JSON.stringify(draft.chunk.headingTrail),
            text: draft.chunk.text,
            page: draft.chunk.page ?? null,
            content_hash: draft.chunk.contentHash,
            embedding: draft.embedding === null ? null : JSON.stringify(draft.embedding),
          })),
        )
        .execute();
    }
    await transaction
      .updateTable('knowledge_documents')
      .set({
        active_version_id: versionId,
        status: 'ready',
        failure_code: null,
        failure_reason: null,
        fingerprint: file.fingerprint,
        file_hash: file.fileHash,
        removed_at: null,
        updated_at: now(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', documentId)
      .execute();
  });
}

/** The tenant's active chunks, with where they came from (for the retrieval index and for citations). */
export async function activeKnowledge<DB extends KnowledgeDatabase>(database: Kysely<DB>, tenantId: string) {
  const db = knowledgeTables(database);
  return db
    .selectFrom('knowledge_chunks as chunk')
    .innerJoin('knowledge_documents as document', 'document.active_version_id', 'chunk.document_version_id')
    .innerJoin('knowledge_sources as source', 'source.id', 'document.source_id')
    .select([
      'chunk.id',
      'chunk.document_version_id',
      'chunk.faq_external_id',
      'chunk.heading_trail',
      'chunk.text',
      'chunk.page',
      'chunk.content_hash',
      'document.path',
      'source.name as source_name',
    ])
    .where('chunk.tenant_id', '=', tenantId)
    .where('document.tenant_id', '=', tenantId)
    .orderBy('document.path')
    .orderBy('chunk.position')
    .execute();
}

async function recordConflicts(db: Db, tenantId: string, runId: string): Promise<number> {
  const chunks = await activeKnowledge(db, tenantId);
  const versions = await db
    .selectFrom('knowledge_document_versions as version')
    .innerJoin('knowledge_documents as document', 'document.active_version_id', 'version.id')
    .select(['version.faq_entries', 'document.path'])
    .where('version.tenant_id', '=', tenantId)
    .where('version.faq_entries', 'is not', null)
    .execute();
  const items: AnswerItem[] = [];
  for (const version of versions) {
    for (const entry of (version.faq_entries as FaqEntry[] | null) ?? []) {
      items.push({
        id: `${version.path}#${entry.id}`,
        question: entry.question,
        alternatives: entry.alternatives,
        answer: entry.answer,
        source: `${version.path} row ${entry.row}`,
      });
    }
  }
  for (const chunk of chunks) {
    const trail = chunk.heading_trail as string[];
    if (chunk.faq_external_id !== null || trail.length === 0) continue;
    // A document section answers the question its heading asks ("退货期限").
    items.push({
      id: chunk.id,
      question: trail[trail.length - 1]!,
      answer: chunk.text,
      source: `${chunk.path} › ${trail.join(' › ')}`,
    });
  }
  // A cap keeps one badly structured upload from flooding the review queue.
  const conflicts = detectConflicts(items).slice(0, MAX_CONFLICTS_PER_RUN);
  const open = new Set(
    (
      await db
        .selectFrom('knowledge_conflicts')
        .select('pair_key')
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'open')
        .execute()
    ).map((row) => row.pair_key),
  );
  let recorded = 0;
  for (const conflict of conflicts) {
    const pairKey = sha256(
      [conflict.first, conflict.second]
        .map((item) => `${item.source ?? item.id}\u0000${item.answer}`)
        .sort()
        .join('\u0001'),
    );
    if (open.has(pairKey)) continue;
    open.add(pairKey);
    await db
      .insertInto('knowledge_conflicts')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        sync_run_id: runId,
        pair_key: pairKey,
        reason: conflict.reason,
        detail: conflict.detail,
        first: JSON.stringify(conflict.first),
        second: JSON.stringify(conflict.second),
        status: 'open',
      })
      .execute();
    recorded += 1;
  }
  return recorded;
}

import type { Kysely } from 'kysely';
import { folderSource, type SourceReader } from './folder-source.js';
import { packSource } from './pack-source.js';
import { knowledgeTables, type KnowledgeDatabase, type SourceKind } from './knowledge-tables.js';
import { syncSource, type SyncOptions, type SyncReport } from './sync-source.js';
import { sitemapSource, urlSource, type WebSourceOptions } from './web-source.js';

/**
 * The reader for a `knowledge_sources` row: `folder` {path}, `url` {urls}, `sitemap` {url},
 * `pack` {path} (the pack's faq sheet and docs/). Uploaded files are synced by the upload route.
 */
export function readerForSource(
  source: { kind: SourceKind; config: Record<string, unknown> },
  web: WebSourceOptions = {},
): SourceReader {
  const config = source.config;
  switch (source.kind) {
    case 'folder':
      if (typeof config.path !== 'string') throw new Error('a folder source needs config.path');
      return folderSource(config.path);
    case 'url':
      if (!Array.isArray(config.urls) || !config.urls.every((url) => typeof url === 'string'))
        throw new Error('a url source needs config.urls (strings)');
      return urlSource(config.urls as string[], web);
    case 'sitemap':
      if (typeof config.url !== 'string') throw new Error('a sitemap source needs config.url');
      return sitemapSource(config.url, web);
    case 'pack':
      if (typeof config.path !== 'string') throw new Error('a pack source needs config.path');
      return packSource(config.path);
    default:
      throw new Error(`${source.kind} sources are synced by their importer, not on a schedule`);
  }
}

/**
 * Syncs every source whose cron schedule is due (`next_sync_at` ≤ now), one after the other; the
 * scheduled job calls this. A source that cannot be synced is reported, the others still run.
 */
export async function syncDueSources<DB extends KnowledgeDatabase>(
  database: Kysely<DB>,
  options: SyncOptions & { web?: WebSourceOptions } = {},
): Promise<{ tenantId: string; sourceId: string; report?: SyncReport; error?: string }[]> {
  const db = knowledgeTables(database);
  const now = (options.now ?? (() => new Date()))();
  const due = await db
    .selectFrom('knowledge_sources')
    .select(['id', 'tenant_id', 'kind', 'config'])
    .where('schedule', 'is not', null)
    .where('next_sync_at', '<=', now)
    .orderBy('next_sync_at')
    .execute();
  const results: { tenantId: string; sourceId: string; report?: SyncReport; error?: string }[] = [];
  for (const source of due) {
    try {
      const reader = readerForSource(
        { kind: source.kind, config: source.config as Record<string, unknown> },
        options.web,
      );
      results.push({
        tenantId: source.tenant_id,
        sourceId: source.id,
        report: await syncSource(database, source.tenant_id, source.id, reader, options),
      });
    } catch (error) {
      results.push({ tenantId: source.tenant_id, sourceId: source.id, error: (error as Error).message });
    }
  }
  return results;
}

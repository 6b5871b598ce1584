import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { folderSource, type SourceReader } from './folder-source.js';
import { knowledgeTables, type KnowledgeDatabase } from './knowledge-tables.js';
import { syncSource, type SyncOptions, type SyncReport } from './sync-source.js';

/** The knowledge a tenant pack carries: its FAQ sheet at the top and everything under docs/. */
const PACK_KNOWLEDGE = /^(faq\.(csv|tsv|xlsx)|docs\/.+)$/i;

/** The pack's knowledge files (FAQ sheet + docs/), as a source: the same loaders, versions and change reports as a folder. */
export function packSource(packFolder: string): SourceReader {
  const folder = folderSource(packFolder);
  return {
    list: async () => (await folder.list()).filter((item) => PACK_KNOWLEDGE.test(item.path)),
    read: (path) => {
      if (!PACK_KNOWLEDGE.test(path)) return Promise.reject(new Error(`${path} is not knowledge of the pack`));
      return folder.read(path);
    },
  };
}

/**
 * Syncs a tenant pack's FAQ and documents into the versioned knowledge store as the tenant's
 * `pack` source (created on first use, config `{path}` so `readerForSource` and scheduled re-sync
 * find it again). Re-importing an unchanged pack stores nothing new.
 * @example
 * const report = await syncPackKnowledge(db, tenantId, 'examples/packs/shop-zh');
 */
export async function syncPackKnowledge<DB extends KnowledgeDatabase>(
  database: Kysely<DB>,
  tenantId: string,
  packFolder: string,
  options: SyncOptions = {},
): Promise<SyncReport & { sourceId: string }> {
  const db = knowledgeTables(database);
  const path = resolve(packFolder);
  let source = await db
    .selectFrom('knowledge_sources')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'pack')
    .executeTakeFirst();
  if (source === undefined) {
    const id = randomUUID();
    await db
      .insertInto('knowledge_sources')
      .values({
        id,
        tenant_id: tenantId,
        kind: 'pack',
        name: 'pack',
        config: JSON.stringify({ path }),
        schedule: null,
        last_sync_at: null,
        next_sync_at: null,
      })
      .execute();
    source = { id };
  } else {
    await db
      .updateTable('knowledge_sources')
      .set({ config: JSON.stringify({ path }) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', source.id)
      .execute();
  }
  const report = await syncSource(database, tenantId, source.id, packSource(path), options);
  return { ...report, sourceId: source.id };
}

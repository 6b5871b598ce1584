import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).
// Knowledge sources and their versioned documents, chunks, sync runs and conflicts. Every
// document version is kept (audit, and answers cite a chunk of one version); only one version of
// a path is active at a time, switched in one transaction so nothing is ever half-indexed.

export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;

  await db.schema
    .createTable('knowledge_sources')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('upload','folder','url','sitemap','pack')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('schedule', 'text')
    .addColumn('last_sync_at', 'timestamptz')
    .addColumn('next_sync_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('knowledge_sources_tenant_name', ['tenant_id', 'name'])
    .execute();

  await db.schema
    .createTable('knowledge_documents')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('source_id', 'uuid', (c) => c.notNull().references('knowledge_sources.id').onDelete('cascade'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending','processing','ready','failed')`),
    )
    .addColumn('failure_code', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('active_version_id', 'uuid')
    .addColumn('fingerprint', 'text')
    .addColumn('file_hash', 'text')
    .addColumn('removed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('knowledge_documents_source_path', ['tenant_id', 'source_id', 'path'])
    .execute();

  await db.schema
    .createTable('knowledge_document_versions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('document_id', 'uuid', (c) => c.notNull().references('knowledge_documents.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('sections', 'jsonb', (c) => c.notNull())
    .addColumn('faq_entries', 'jsonb')
    .addColumn('sync_run_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('knowledge_document_versions_document_version', ['tenant_id', 'document_id', 'version'])
    .execute();

  await db.schema
    .createTable('knowledge_chunks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('document_version_id', 'uuid', (c) =>
      c.notNull().references('knowledge_document_versions.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('faq_external_id', 'text')
    .addColumn('heading_trail', 'jsonb', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('page', 'integer')
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('embedding', 'jsonb')
    .execute();
  await db.schema
    .createIndex('knowledge_chunks_version')
    .on('knowledge_chunks')
    .columns(['tenant_id', 'document_version_id', 'position'])
    .execute();

  await db.schema
    .createTable('knowledge_sync_runs')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('source_id', 'uuid', (c) => c.notNull().references('knowledge_sources.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('running','succeeded','partial','failed')`))
    .addColumn('report', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('knowledge_sync_runs_source')
    .on('knowledge_sync_runs')
    .columns(['tenant_id', 'source_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('knowledge_conflicts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('sync_run_id', 'uuid', (c) => c.references('knowledge_sync_runs.id').onDelete('set null'))
    .addColumn('pair_key', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('first', 'jsonb', (c) => c.notNull())
    .addColumn('second', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open','resolved','dismissed')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('knowledge_conflicts_open')
    .on('knowledge_conflicts')
    .columns(['tenant_id', 'status', 'pair_key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'knowledge_conflicts',
    'knowledge_sync_runs',
    'knowledge_chunks',
    'knowledge_document_versions',
    'knowledge_documents',
    'knowledge_sources',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * Contacts sync (docs/personal.md, "Sync"): the webhook in and the scheduled connector pull.
 *
 * `contact_sync_runs`: one row per pull occurrence or webhook batch, with its counts, the first
 * row errors and the failure, if any. `(tenant_id, occurrence)` is unique: the node that inserts
 * the row of a scheduled occurrence runs it, every other node skips it.
 *
 * `contact_sync_secrets`: the optional per-tenant secret webhook batches are signed with
 * (Standard Webhooks). `contact_sync_deliveries`: the webhook ids already applied, so a replayed
 * delivery is refused.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('contact_sync_runs')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('occurrence', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('error', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addUniqueConstraint('contact_sync_runs_occurrence', ['tenant_id', 'occurrence'])
    .execute();
  await db.schema
    .createIndex('contact_sync_runs_recent')
    .on('contact_sync_runs')
    .columns(['tenant_id', 'started_at'])
    .execute();
  await db.schema
    .createTable('contact_sync_secrets')
    .addColumn('tenant_id', 'uuid', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('contact_sync_deliveries')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('contact_sync_deliveries_pk', ['tenant_id', 'message_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('contact_sync_deliveries').execute();
  await db.schema.dropTable('contact_sync_secrets').execute();
  await db.schema.dropTable('contact_sync_runs').execute();
}

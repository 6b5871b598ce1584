import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * The operator (reseller) plane: operator keys (`kefu_op_…`, hashed), key rotation bookkeeping,
 * and audit entries that say from where (user agent) and survive the tenant they describe.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('operator_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // A rotated key points at its successor; `rotated_at` is set once, so two concurrent rotations
  // of one key cannot both succeed (the second finds it already set).
  await db.schema.alterTable('api_keys').addColumn('rotated_at', 'timestamptz').execute();
  await db.schema.alterTable('api_keys').addColumn('replaced_by', 'uuid').execute();

  await db.schema.alterTable('audit_log').addColumn('user_agent', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('request_id', 'text').execute();
  // The audit log outlives the tenant it describes: deleting a tenant must not erase (or null)
  // the record of who deleted it and what it did before.
  await sql`alter table audit_log drop constraint if exists audit_log_tenant_id_fkey`.execute(db);
  await db.schema.createIndex('audit_log_time').on('audit_log').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('audit_log_actor_time').on('audit_log').columns(['actor', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_log_actor_time').ifExists().execute();
  await db.schema.dropIndex('audit_log_time').ifExists().execute();
  await db.schema.alterTable('audit_log').dropColumn('request_id').execute();
  await db.schema.alterTable('audit_log').dropColumn('user_agent').execute();
  await db.schema.alterTable('api_keys').dropColumn('replaced_by').execute();
  await db.schema.alterTable('api_keys').dropColumn('rotated_at').execute();
  await db.schema.dropTable('operator_keys').ifExists().execute();
}

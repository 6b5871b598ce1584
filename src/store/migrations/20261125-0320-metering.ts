import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * Metering: the append-only usage ledger (written in the same transaction as the work it
 * measures), per-tenant usage webhooks and their delivery log.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('usage_ledger')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    // No foreign key: the ledger outlives what it measures (a deleted tenant still has a bill).
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('meter', 'text', (c) => c.notNull())
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    /** What makes this row unique (e.g. `messages:<message id>`): a retried write never bills twice. */
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'uuid')
    .addColumn('message_id', 'uuid')
    .addColumn('turn_id', 'uuid')
    .addColumn('api_key_id', 'uuid')
    .addColumn('idempotency_key', 'text')
    .addUniqueConstraint('usage_ledger_dedupe', ['tenant_id', 'dedupe_key'])
    .execute();
  await db.schema
    .createIndex('usage_ledger_tenant_time')
    .on('usage_ledger')
    .columns(['tenant_id', 'occurred_at'])
    .execute();
  await db.schema
    .createIndex('usage_ledger_tenant_meter_time')
    .on('usage_ledger')
    .columns(['tenant_id', 'meter', 'occurred_at'])
    .execute();
  // Append-only, enforced by the database and not just by convention.
  await sql`
    create function usage_ledger_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'usage_ledger is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`create trigger usage_ledger_no_update_delete before update or delete on usage_ledger for each row execute function usage_ledger_append_only()`.execute(
    db,
  );
  await sql`create trigger usage_ledger_no_truncate before truncate on usage_ledger for each statement execute function usage_ledger_append_only()`.execute(
    db,
  );

  await db.schema
    .createTable('usage_webhooks')
    .addColumn('tenant_id', 'uuid', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    /** Standard Webhooks secret (`whsec_` + base64). */
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('usage_webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    /** One delivery per event: e.g. `quota.threshold:messages:2026-11:80`. */
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('delivered_at', 'timestamptz')
    .addUniqueConstraint('usage_webhook_deliveries_event', ['tenant_id', 'event_key'])
    .execute();
  await db.schema
    .createIndex('usage_webhook_deliveries_due')
    .on('usage_webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('usage_webhook_deliveries').execute();
  await db.schema.dropTable('usage_webhooks').execute();
  await db.schema.dropTable('usage_ledger').execute();
  await sql`drop function if exists usage_ledger_append_only()`.execute(db);
}

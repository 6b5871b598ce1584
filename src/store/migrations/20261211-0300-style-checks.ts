import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * One row per outgoing message the style guard checked (docs/guard.md, "Brand voice and
 * compliance"): who wrote it, what the guard did and which rules broke. The consistency score is
 * the share of rows that passed without change, per tenant and day.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('style_checks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('message_id', 'uuid')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('style_checks_tenant_created')
    .on('style_checks')
    .columns(['tenant_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('style_checks').execute();
}

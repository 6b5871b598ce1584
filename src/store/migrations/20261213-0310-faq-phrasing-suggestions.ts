import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * Phrasings an LLM generated for a tenant's FAQ entries at import (issue 17 §3), waiting for a
 * person: `pending` (to approve or reject), `flagged` (it collides with another entry: identical to
 * one of its phrasings, or the matcher reads it as that entry with high confidence; `collides_with`
 * names it), `approved` (appended to the entry's alternatives) or `rejected`. One row per tenant,
 * entry and text, so a second import does not queue the same phrasing twice.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('faq_phrasing_suggestions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('faq_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending','flagged','approved','rejected')`))
    .addColumn('collides_with', 'text')
    .addColumn('collision_confidence', 'double precision')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'text')
    .addUniqueConstraint('faq_phrasing_suggestions_unique', ['tenant_id', 'faq_id', 'text'])
    .execute();
  await db.schema
    .createIndex('faq_phrasing_suggestions_status')
    .on('faq_phrasing_suggestions')
    .columns(['tenant_id', 'status', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('faq_phrasing_suggestions').execute();
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * The trainer's console, second part (docs/learning.md, "Trainer's console").
 *
 * `training_faqs`: FAQ entries a trainer created from a review item ("new FAQ"), with the turn
 * they came from. They are candidates like labels: the next retrain trains on them, and the
 * activation that accepts them copies them into `faq_entries` (`applied_run_id` set). Until then
 * the serving runtime does not know them.
 *
 * `training_settings`: per-tenant settings of the console; `promotion` is the click promotion
 * policy ({mode: agreement|approval|immediate, minAgreeing}); no row = the safe default.
 *
 * `training_examples.source`: `trainer` (a person labelled the turn) or `click` (a suggestion
 * click the promotion policy promoted).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('training_faqs')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('trace_id', 'uuid')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('applied_run_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('training_faqs_tenant_external', ['tenant_id', 'external_id'])
    .execute();
  await db.schema
    .createTable('training_settings')
    .addColumn('tenant_id', 'uuid', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('promotion', 'jsonb', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .alterTable('training_examples')
    .addColumn('source', 'text', (c) =>
      c
        .notNull()
        .defaultTo('trainer')
        .check(sql`source in ('trainer','click')`),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('training_examples').dropColumn('source').execute();
  await db.schema.dropTable('training_settings').execute();
  await db.schema.dropTable('training_faqs').execute();
}

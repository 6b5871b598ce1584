import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * The trainer's console (docs/learning.md, "Trainer's console").
 *
 * `training_examples`: one row per label a trainer gave a turn, versioned per turn: version 1 is
 * the first label, a relabel adds version 2 and marks version 1 superseded. The unique key on
 * (tenant, trace, version) is what makes two trainers labelling the same turn at once safe: both
 * ask for the same next version, one insert wins, the other is refused (409). `kind` is `faq`
 * (target = the FAQ id), `intent` (target = the intent name), `out_of_scope` or `handover`.
 * `applied_run_id` is set when an activation added the text to the target's phrasings.
 *
 * `training_runs`: one row per evaluation run (retrain): the candidate's and the active version's
 * accuracy on the tenant's regression set, and its state (`candidate`, `active`, `superseded`,
 * `discarded`, `failed`). `artifact` keeps a candidate classifier so activation installs the very
 * model that was evaluated instead of training it again. A forced activation is also written to
 * the audit log.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('training_examples')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('trace_id', 'uuid', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('faq','intent','out_of_scope','handover')`))
    .addColumn('target', 'text')
    .addColumn('labelled_by', 'text', (c) => c.notNull())
    .addColumn('superseded_at', 'timestamptz')
    .addColumn('applied_run_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('training_examples_turn_version')
    .on('training_examples')
    .columns(['tenant_id', 'trace_id', 'version'])
    .unique()
    .execute();
  await db.schema
    .createIndex('training_examples_tenant_created')
    .on('training_examples')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('training_runs')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('candidate','active','superseded','discarded','failed')`),
    )
    .addColumn('model_kind', 'text')
    .addColumn('regression_size', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('examples', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active_accuracy', 'double precision')
    .addColumn('candidate_accuracy', 'double precision')
    .addColumn('forced', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('error', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('artifact', 'bytea')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('activated_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('training_runs_tenant_number')
    .on('training_runs')
    .columns(['tenant_id', 'number'])
    .unique()
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('training_runs').execute();
  await db.schema.dropTable('training_examples').execute();
}

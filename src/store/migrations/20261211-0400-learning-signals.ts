import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * Learning signals (docs/learning.md): what customers and agents tell kefu about its turns.
 * One row per signal: a suggestion click (the FAQ the customer picked), a thumbs up/down on a bot
 * reply, the agent's resolution tag at close, or the conversation's outcome. `trace_id` joins a
 * signal to the turn trace it is about (null for conversation-level signals).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('learning_signals')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('trace_id', 'uuid')
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('suggestion_click','thumbs','resolution','outcome')`),
    )
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull().check(sql`actor in ('contact','agent','system')`))
    .addColumn('actor_id', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('learning_signals_tenant_created')
    .on('learning_signals')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('learning_signals_tenant_trace')
    .on('learning_signals')
    .columns(['tenant_id', 'trace_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('learning_signals').execute();
}

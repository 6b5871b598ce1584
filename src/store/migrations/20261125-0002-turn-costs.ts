import type { Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/** The cost ledger's columns on each turn: LLM tokens and what the turn cost, in millionths of a yuan. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('turn_traces')
    .addColumn('tokens_in', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('tokens_out', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('cost_micros', 'bigint', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('turn_traces_tenant_time')
    .on('turn_traces')
    .columns(['tenant_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('turn_traces_tenant_time').ifExists().execute();
  await db.schema
    .alterTable('turn_traces')
    .dropColumn('tokens_in')
    .dropColumn('tokens_out')
    .dropColumn('cost_micros')
    .execute();
}

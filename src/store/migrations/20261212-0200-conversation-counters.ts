import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * The last conversation display id handed out per tenant (#1, #2, …). Nodes reserve ids from it in
 * short single-statement updates (src/conversations/display-ids.ts) instead of locking the tenant
 * row for the whole of every new conversation's transaction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('conversation_counters')
    .addColumn('tenant_id', 'uuid', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('last_display_id', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into conversation_counters (tenant_id, last_display_id)
    select tenant_id, max(display_id) from conversations group by tenant_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('conversation_counters').execute();
}

import type { Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * A version on each conversation's dialogue state, bumped by every write: a turn writes its state
 * only if the version is still the one it read, so two nodes answering the same conversation at
 * once cannot overwrite each other's playbook progress.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('state_version', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('state_version').execute();
}

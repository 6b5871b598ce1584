import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * Agent scopes (docs/guard.md, "Personal data"): `agents.scopes` is a JSON array of scope names.
 * The one defined today is `pii:read`: without it the console shows customers' personal data
 * masked. New agents start without it; agents that exist when this runs keep what they saw.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('agents')
    .addColumn('scopes', 'jsonb', (column) => column.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
  await sql`update agents set scopes = '["pii:read"]'::jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('agents').dropColumn('scopes').execute();
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * What a draft was written from, so the console can tell an agent whether a model wrote it
 * (`llm`) or it is the tenant's own FAQ answer (`faq`) or document text (`knowledge`). Drafts
 * stored before this column have no basis (null): the console shows them as it always did.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('drafts')
    .addColumn('basis', 'text', (c) => c.check(sql`basis in ('llm','faq','knowledge')`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('drafts').dropColumn('basis').execute();
}

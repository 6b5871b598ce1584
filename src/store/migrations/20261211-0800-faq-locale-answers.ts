import type { Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * FAQ answers per locale (docs/knowledge.md): a pack's faq.csv may carry `答案_en` / `answer_en`
 * and `答案_zh-TW` / `answer_zh-TW` columns. They are kept as a JSON object `{ "en": "…",
 * "zh-TW": "…" }` beside the Simplified answer; null when the sheet has none.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('faq_entries').addColumn('answers', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('faq_entries').dropColumn('answers').execute();
}

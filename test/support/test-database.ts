import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type Database } from '../../src/store/database.js';
import { copyPostgresTemplate, pgliteTemplate, type TemplateVariant } from './test-template.js';

export type TestDatabase = Database & { dispose(): Promise<void> };

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a private schema
 * on the PostgreSQL server named by DATABASE_URL (CI runs the suite both ways). On PGlite it is a
 * private copy of the run's migrated template (test/support/test-template.ts): no initdb.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  return openTestDatabase('migrated');
}

/**
 * A database of its own holding a copy of `variant` (test/support/test-template.ts). On
 * PostgreSQL, `migrated` is a private schema migrated here (several of them share one database,
 * as kefus share a cluster) and a demo variant is a database of its own copied from the template
 * database. KEFU_TEST_TEMPLATES=false builds every database from nothing instead (to compare, or
 * to rule the templates out when a test fails).
 */
export async function openTestDatabase(variant: TemplateVariant): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (process.env.KEFU_TEST_TEMPLATES === 'false') return freshTestDatabase(url);
  if (!url) {
    const template = await pgliteTemplate(variant);
    const database = await openDatabase({ kind: 'pglite', dataDir: null, loadDataDir: template.dump });
    return { ...database, dispose: () => database.close() };
  }
  if (variant !== 'migrated') {
    const copy = await copyPostgresTemplate(url, variant);
    const database = await openDatabase({ kind: 'postgres', url: copy.url, schema: copy.schema, poolSize: 5 }).catch(
      async (error: unknown) => {
        await copy.drop();
        throw error;
      },
    );
    return {
      ...database,
      dispose: async () => {
        try {
          await database.close();
        } finally {
          await copy.drop();
        }
      },
    };
  }
  return freshTestDatabase(url);
}

/** A database built from nothing here (initdb on PGlite, a new schema on PostgreSQL), migrated. */
async function freshTestDatabase(url: string | undefined): Promise<TestDatabase> {
  if (!url) {
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    await migrateToLatest(database.db);
    return { ...database, dispose: () => database.close() };
  }
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const database = await openDatabase({ kind: 'postgres', url, schema, poolSize: 5 });
  await migrateToLatest(database.db);
  return {
    ...database,
    dispose: async () => {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
    },
  };
}

export const usingPostgres = () => Boolean(process.env.DATABASE_URL);

import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type Database } from '../../src/store/database.js';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a private schema
 * on the PostgreSQL server named by DATABASE_URL (CI runs the suite both ways).
 */
export async function createTestDatabase(): Promise<Database & { dispose(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
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

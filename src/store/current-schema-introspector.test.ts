import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/test-database.js';
import { migrateToLatest } from './database.js';

type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

// PostgreSQL only: PGlite holds one schema per database, so there is nothing else to see.
describe.runIf(Boolean(process.env.DATABASE_URL))('introspecting only the current schema (PostgreSQL)', () => {
  let mine: TestDatabase;
  let theirs: TestDatabase;

  beforeAll(async () => {
    mine = await createTestDatabase();
    theirs = await createTestDatabase();
  }, 120_000);
  afterAll(async () => {
    await mine?.dispose();
    await theirs?.dispose();
  });

  it("lists this schema's tables with their columns, and none of another kefu's", async () => {
    const [{ schema }] = (await sql<{ schema: string }>`select current_schema() as schema`.execute(mine.db)).rows;
    const tables = await mine.db.introspection.getTables({ withInternalKyselyTables: true });
    expect(new Set(tables.map((table) => table.schema))).toEqual(new Set([schema]));
    const names = tables.map((table) => table.name);
    expect(names).toEqual(expect.arrayContaining(['tenants', 'conversations', 'messages', 'kefu_migrations']));
    const tenants = tables.find((table) => table.name === 'tenants')!;
    expect(tenants.columns.find((column) => column.name === 'slug')).toMatchObject({
      dataType: 'text',
      isNullable: false,
    });
    expect(tenants.columns.find((column) => column.name === 'plan_id')).toMatchObject({
      dataType: 'uuid',
      isNullable: true,
    });
  });

  it('migrating while another schema is created and dropped over and over never fails', async () => {
    // Kysely's own introspector scanned every schema and failed with "relation … does not exist"
    // when another test file dropped its schema at that moment (seen in CI).
    let churning = true;
    const churn = (async () => {
      for (let round = 0; churning && round < 200; round++) {
        const name = `churn_${randomBytes(4).toString('hex')}`;
        await sql`create schema ${sql.id(name)}`.execute(theirs.db);
        await sql`create table ${sql.id(name, 'serial_table')} (id serial primary key, note text)`.execute(theirs.db);
        await sql`drop schema ${sql.id(name)} cascade`.execute(theirs.db);
      }
    })();
    try {
      for (let i = 0; i < 25; i++) {
        await expect(migrateToLatest(mine.db)).resolves.toEqual({ applied: [] });
        expect((await mine.db.introspection.getTables()).length).toBeGreaterThan(10);
      }
    } finally {
      churning = false;
      await churn;
    }
  }, 120_000);
});

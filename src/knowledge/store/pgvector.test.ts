import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase } from '../../../test/support/test-database.js';
import { detectPgvector, PgvectorStore } from './pgvector.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.dispose());

describe('pgvector detection', () => {
  it('reports whether the vector extension exists, and opens a store only when it does', async () => {
    const support = await detectPgvector(database.db);
    // Ground truth straight from the catalog (PGlite may not even have it: then there is no pgvector).
    const present = await sql<{
      count: string | number;
    }>`select count(*) as count from pg_available_extensions where name = 'vector'`
      .execute(database.db)
      .then(({ rows }) => Number(rows[0]?.count ?? 0) > 0)
      .catch(() => false);
    expect(support.available).toBe(present);
    const store = await PgvectorStore.open(database.db, 4);
    if (!present) {
      // This machine's PostgreSQL and PGlite have no pgvector: retrieval stays in process, nothing is created.
      expect(support.reason).toMatch(/not installed|cannot be read/);
      expect(store).toBeUndefined();
      const tables = await database.db.introspection.getTables();
      expect(tables.some((table) => table.name === 'knowledge_chunk_vectors')).toBe(false);
      return;
    }
    // With pgvector (e.g. the pgvector/pgvector image in CI): cosine search, tenant-scoped.
    const tenant = '00000000-0000-4000-8000-000000000001';
    const other = '00000000-0000-4000-8000-000000000002';
    await store!.upsert([
      { tenantId: tenant, chunkId: '10000000-0000-4000-8000-000000000001', embedding: [1, 0, 0, 0] },
      { tenantId: tenant, chunkId: '10000000-0000-4000-8000-000000000002', embedding: [0, 1, 0, 0] },
      { tenantId: other, chunkId: '10000000-0000-4000-8000-000000000003', embedding: [1, 0, 0, 0] },
    ]);
    const hits = await store!.search(tenant, [0.9, 0.1, 0, 0], 5);
    expect(hits.map((hit) => hit.chunkId)).toEqual([
      '10000000-0000-4000-8000-000000000001',
      '10000000-0000-4000-8000-000000000002',
    ]);
    expect(hits[0]!.similarity).toBeGreaterThan(0.9);
  });

  it('rejects a nonsensical dimension before touching the database', async () => {
    await expect(PgvectorStore.open(database.db, 0)).rejects.toThrow(/dimension/);
    await expect(PgvectorStore.open(database.db, 1.5)).rejects.toThrow(/dimension/);
  });
});

import { sql, type QueryExecutorProvider } from 'kysely';

/** What raw SQL runs on: any Kysely instance or transaction (the vector table is in no schema type). */
type SqlRunner = QueryExecutorProvider;

/** Whether the database can hold vectors: `available` (the extension can be created), `installed` (it is). */
export interface PgvectorSupport {
  available: boolean;
  installed: boolean;
  /** Why not, when it is not available (PGlite, PostgreSQL without the package, no catalog access). */
  reason?: string;
}

/**
 * Looks for pgvector without changing anything. PGlite and a PostgreSQL without the `vector`
 * package report unavailable, and retrieval keeps the in-process index (vector-index.ts).
 */
export async function detectPgvector(db: SqlRunner): Promise<PgvectorSupport> {
  try {
    const { rows } = await sql<{ available: boolean; installed: boolean }>`
      select exists (select 1 from pg_available_extensions where name = 'vector') as available,
             exists (select 1 from pg_extension where extname = 'vector') as installed`.execute(db);
    const row = rows[0];
    if (row === undefined)
      return { available: false, installed: false, reason: 'the extension catalog returned nothing' };
    if (!row.available && !row.installed)
      return { available: false, installed: false, reason: 'the vector extension is not installed on this server' };
    return { available: true, installed: Boolean(row.installed) };
  } catch (error) {
    return {
      available: false,
      installed: false,
      reason: `the extension catalog cannot be read: ${(error as Error).message}`,
    };
  }
}

/** A chunk vector to store: chunk id, tenant, and the embedding. */
export interface ChunkVector {
  chunkId: string;
  tenantId: string;
  embedding: readonly number[];
}

function literal(vector: readonly number[]): string {
  if (!vector.every((value) => Number.isFinite(value))) throw new Error('a vector component is not a finite number');
  return `[${vector.join(',')}]`;
}

/**
 * Chunk vectors in PostgreSQL with pgvector: a side table `knowledge_chunk_vectors` (tenant first,
 * as every kefu table) with an HNSW cosine index, searched with `<=>`. Created on demand rather
 * than by a migration because it needs the extension and the embedding dimension, which depend on
 * the server and the configured model; `open` returns undefined when pgvector is not there.
 */
export class PgvectorStore {
  private constructor(
    private readonly db: SqlRunner,
    readonly dimension: number,
  ) {}

  static async open(db: SqlRunner, dimension: number): Promise<PgvectorStore | undefined> {
    if (!Number.isInteger(dimension) || dimension < 1 || dimension > 16000)
      throw new Error(`invalid embedding dimension ${dimension}`);
    const support = await detectPgvector(db);
    if (!support.available) return undefined;
    if (!support.installed) await sql`create extension if not exists vector`.execute(db);
    await sql`create table if not exists knowledge_chunk_vectors (
      tenant_id uuid not null,
      chunk_id uuid not null,
      embedding vector(${sql.raw(String(dimension))}) not null,
      primary key (tenant_id, chunk_id))`.execute(db);
    await sql`create index if not exists knowledge_chunk_vectors_hnsw on knowledge_chunk_vectors using hnsw (embedding vector_cosine_ops)`.execute(
      db,
    );
    return new PgvectorStore(db, dimension);
  }

  async upsert(rows: readonly ChunkVector[]): Promise<void> {
    for (const row of rows) {
      if (row.embedding.length !== this.dimension)
        throw new Error(`expected ${this.dimension} dimensions, got ${row.embedding.length}`);
      await sql`insert into knowledge_chunk_vectors (tenant_id, chunk_id, embedding)
        values (${row.tenantId}, ${row.chunkId}, ${literal(row.embedding)}::vector)
        on conflict (tenant_id, chunk_id) do update set embedding = excluded.embedding`.execute(this.db);
    }
  }

  /** The `k` chunks of the tenant closest to `vector` (cosine similarity, 1 = same direction). */
  async search(
    tenantId: string,
    vector: readonly number[],
    k: number,
  ): Promise<{ chunkId: string; similarity: number }[]> {
    const { rows } = await sql<{ chunk_id: string; distance: number }>`
      select chunk_id, embedding <=> ${literal(vector)}::vector as distance
      from knowledge_chunk_vectors where tenant_id = ${tenantId}
      order by embedding <=> ${literal(vector)}::vector limit ${k}`.execute(this.db);
    return rows.map((row) => ({ chunkId: row.chunk_id, similarity: 1 - Number(row.distance) }));
  }
}

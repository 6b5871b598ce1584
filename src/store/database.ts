import { mkdirSync } from 'node:fs';
import { Kysely, Migrator, sql, type MigrationResult } from 'kysely';
import { CurrentSchemaPostgresDialect } from './current-schema-introspector.js';
import { KefuError, ErrorCodes } from '../errors/index.js';
import { migrations } from './migrations/index.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { DatabaseSchema } from './schema.js';

export type Db = Kysely<DatabaseSchema>;

/** Where the data lives: embedded PGlite (a folder, or memory) or a PostgreSQL server. */
export type DatabaseTarget =
  | {
      kind: 'pglite';
      dataDir: string | null;
      /** Start from this copy (a `backup()` tarball) instead of an empty database: no initdb (tests). */
      loadDataDir?: Blob;
      /** PostgreSQL's shared_buffers, in MB (default: PGlite's, 128 MB). */
      sharedBuffersMb?: number;
    }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

/** The `Database` port: a Kysely instance plus what it runs on. */
export interface Database {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  close(): Promise<void>;
  /**
   * A consistent copy of the embedded database (a gzip'd tarball of its data directory), taken
   * while it serves. PGlite only; PostgreSQL is backed up with its own tools (pg_dump).
   */
  readonly backup?: () => Promise<Uint8Array>;
}

/** Opens the database. PGlite's first open of a new folder runs initdb (~5 s). */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'pglite') {
    const { PGlite } = await import('@electric-sql/pglite');
    if (target.dataDir !== null) mkdirSync(target.dataDir, { recursive: true });
    const options = {
      ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}),
      ...(target.sharedBuffersMb
        ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${target.sharedBuffersMb}MB`] }
        : {}),
    };
    const pglite = target.dataDir === null ? new PGlite(options) : new PGlite(target.dataDir, options);
    await pglite.waitReady;
    const db = new Kysely<DatabaseSchema>({ dialect: new PGliteDialect(pglite) });
    // Holding the one connection keeps every transaction out while the files are copied.
    const backup = () =>
      db.connection().execute(async (connection) => {
        await sql`checkpoint`.execute(connection);
        const file = await pglite.dumpDataDir('gzip');
        return new Uint8Array(await file.arrayBuffer());
      });
    return { db, kind: 'pglite', close: () => db.destroy(), backup };
  }
  const pg = await import('pg');
  const Pool = pg.default.Pool;
  // bigint (int8) arrives as a string by default; message seq stays a string on purpose (ordering
  // keys larger than 2^53 must not lose precision).
  const pool = new Pool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    // Bounded: a server that accepts nothing (a partition, a full backlog) fails the request
    // instead of holding it forever; keepalive notices a peer that vanished without a reset.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries report their own errors.
  });
  // A client checked out of the pool (Kysely holds one for a transaction or between a turn's
  // queries) emits `error` when the server goes away between two queries (a crash, a restart, a
  // cut connection). With no listener that is an uncaught exception that kills the process; the
  // next query on it fails instead, and the pool drops it on release (test/faults).
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new KefuError(ErrorCodes.configInvalid, `cannot connect to DATABASE_URL: ${(error as Error).message}`, {
      category: 'system',
      cause: error,
    });
  }
  if (target.schema) await pool.query(`create schema if not exists "${target.schema.replace(/"/g, '')}"`);
  const db = new Kysely<DatabaseSchema>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

export interface MigrateOutcome {
  applied: string[];
}

/** Applies pending migrations; throws with the failing migration's name on error. */
export async function migrateToLatest(db: Db): Promise<MigrateOutcome> {
  // Kysely looks for its migration tables in every schema unless told which one; with several
  // kefu schemas on one server (tests, or tenants of a shared cluster) it would find another's.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'kefu_migrations',
    migrationLockTableName: 'kefu_migrations_lock',
    migrationTableSchema: rows[0]?.schema ?? 'public',
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result: MigrationResult) => result.status === 'Error');
  if (error !== undefined) {
    throw new KefuError(
      ErrorCodes.internal,
      `migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { category: 'system', cause: error },
    );
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A fresh schema in the PostgreSQL at `databaseUrl`, for kefu processes a test spawns. */
export interface PostgresSchema {
  name: string;
  /** `databaseUrl` with `search_path` set to the schema (what a spawned kefu gets as DATABASE_URL). */
  url: string;
  /** Drops the schema and everything in it; safe to call twice. */
  drop(): Promise<void>;
}

export function withSearchPath(databaseUrl: string, schema: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export async function createPostgresSchema(databaseUrl: string, prefix: string): Promise<PostgresSchema> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    await admin.query(`create schema ${name}`);
  } catch (error) {
    await admin.end();
    throw error;
  }
  let dropped = false;
  return {
    name,
    url: withSearchPath(databaseUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await admin.query(`drop schema if exists ${name} cascade`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** Runs `use` with a fresh schema's URL and drops the schema afterwards, whatever happens. */
export async function withPostgresSchema<T>(
  databaseUrl: string,
  prefix: string,
  use: (url: string) => Promise<T>,
): Promise<T> {
  const schema = await createPostgresSchema(databaseUrl, prefix);
  try {
    return await use(schema.url);
  } finally {
    await schema.drop();
  }
}

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { openDatabase, type Database } from './database.js';

/**
 * Backups of the embedded database. `kefu backup` asks whoever has the database open (the
 * running server, through src/cli/delegate.ts, or the CLI itself) for a consistent copy and writes
 * it atomically; `kefu restore` unpacks one into a data directory nobody is using, checks that it
 * opens and holds kefu's tables, and only then puts it in place, keeping what was there before.
 */

/** Writes a backup of the open database to `file` (written beside it first, then renamed). */
export async function writeBackup(database: Database, file: string): Promise<{ bytes: number }> {
  if (!database.backup) {
    throw new KefuError(
      ErrorCodes.validation,
      'kefu backup copies the embedded database (PGlite). With DATABASE_URL, back up PostgreSQL with its own tools: ' +
        'pg_dump --format=custom --file kefu.dump "$DATABASE_URL" (restore with pg_restore).',
    );
  }
  const bytes = await database.backup();
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  writeFileSync(partial, bytes);
  renameSync(partial, target);
  return { bytes: bytes.byteLength };
}

/**
 * Restores a backup into `pgliteDir`, which no process may have open (the caller holds the data
 * directory's lock). An existing database there is moved aside (never deleted) unless the backup
 * fails to open, in which case nothing changes.
 */
export async function restoreBackup(
  file: string,
  pgliteDir: string,
): Promise<{ movedAside: string | null; tenants: number }> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new KefuError(ErrorCodes.validation, `cannot read ${file}: ${(error as Error).message}`);
  }
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new KefuError(
      ErrorCodes.validation,
      `${file} is not a kefu backup (expected the gzip'd archive \`kefu backup\` writes)`,
    );
  }
  const target = path.resolve(pgliteDir);
  const staging = `${target}.restoring-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  let tenants: number;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    mkdirSync(staging, { recursive: true });
    const loaded = new PGlite(staging, { loadDataDir: new Blob([bytes]) });
    await loaded.waitReady;
    await loaded.close();
    const database = await openDatabase({ kind: 'pglite', dataDir: staging });
    try {
      const rows = await sql<{ count: number }>`select count(*)::int as count from tenants`.execute(database.db);
      tenants = rows.rows[0]?.count ?? 0;
    } finally {
      await database.close();
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (error instanceof KefuError) throw error;
    throw new KefuError(
      ErrorCodes.validation,
      `${file} could not be restored: ${(error as Error).message}; nothing was changed`,
    );
  }
  let movedAside: string | null = null;
  if (existsSync(target) && readdirSync(target).length > 0) {
    movedAside = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, movedAside);
  } else {
    rmSync(target, { recursive: true, force: true });
  }
  renameSync(staging, target);
  return { movedAside, tenants };
}

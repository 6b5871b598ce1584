import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Kefu } from '../../src/server/kefu.js';
import { migrateToLatest, openDatabase, type Database } from '../../src/store/database.js';

/**
 * Template databases for tests (docs/testing.md, "Test databases").
 *
 * Building a kefu for a test file used to cost ~15 s of every file in every CI pass: PGlite's
 * initdb, the migrations, the demo packs' import and the training of the demo tenants' models.
 * That work now happens once per run (per template variant, by a real createKefu), and each test
 * file gets its own copy of the result:
 *
 * - PGlite: a `backup()` tarball cached under node_modules/.cache/kefu-test-db, opened with
 *   `loadDataDir` (a private in-memory database, no initdb).
 * - PostgreSQL: a template database on the server, copied with `CREATE DATABASE … TEMPLATE`
 *   into a database of the file's own, dropped by `dispose()`.
 *
 * Templates are keyed by a hash of everything that decides their content (src, the demo packs,
 * package-lock.json, this file) and the hour, so a changed migration, pack or trainer never
 * serves a stale template, and demo rows are never more than about an hour old.
 *
 * createTestKefu then starts createKefu on the copy as a restart would: the demo import runs
 * again (idempotent: it finds everything in place) and the models load from `model_versions`
 * (same training set, so nothing is retrained).
 */

const root = path.resolve(import.meta.dirname, '../..');

/** The day the demo templates are dated for: createTestKefu's default KEFU_TODAY. */
export const TEMPLATE_TODAY = '2026-11-25';

/** `migrated`: just the migrations; `demo-*`: and the demo tenants imported and their runtimes built. */
export type TemplateVariant = 'migrated' | 'demo-classifier' | 'demo-lexical';

/** What a template records besides its data (the sidecar .json, or the template database's comment). */
interface TemplateInfo {
  builtAt: number;
}

/** What the template's content depends on, besides the hour. */
const KEYED_PATHS = ['src', 'examples/packs', 'package-lock.json', 'test/support/test-template.ts'];

/** A hash of the sources that decide a template's content and of the current hour (16 hex digits). */
export function computeTemplateKey(now = Date.now()): string {
  const hash = createHash('sha256');
  hash.update(`kefu test template 1\u0000${Math.floor(now / 3_600_000)}\u0000`);
  const visit = (relative: string) => {
    const full = path.join(root, relative);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const name of readdirSync(full).sort()) visit(path.join(relative, name));
      return;
    }
    if (relative.endsWith('.test.ts')) return;
    hash.update(`${relative}\u0000`);
    hash.update(readFileSync(full));
    hash.update('\u0000');
  };
  for (const relative of KEYED_PATHS) visit(relative);
  return hash.digest('hex').slice(0, 16);
}

/** The run's template key: computed once by the global setup (vitest.config.ts), else here. */
export function templateKey(): string {
  process.env.KEFU_TEST_TEMPLATE_KEY ||= computeTemplateKey();
  return process.env.KEFU_TEST_TEMPLATE_KEY;
}

/** This vitest run's id: the PostgreSQL databases it creates carry it, so its teardown finds leftovers. */
export function testRunId(): string {
  if (!/^[a-z0-9]{1,16}$/.test(process.env.KEFU_TEST_RUN ?? ''))
    process.env.KEFU_TEST_RUN = randomBytes(4).toString('hex');
  return process.env.KEFU_TEST_RUN!;
}

/** Builds the variant's content on `database` (already migrated): the demo import and the models. */
async function fillTemplate(database: Database, variant: TemplateVariant): Promise<void> {
  if (variant === 'migrated') return;
  const { loadConfig } = await import('../../src/config/index.js');
  const { createKefu } = await import('../../src/server/kefu.js');
  const config = loadConfig({
    env: {
      KEFU_DEMO: 'true',
      LOG_LEVEL: 'silent',
      KEFU_TODAY: TEMPLATE_TODAY,
      KEFU_NLU: variant === 'demo-lexical' ? 'lexical' : 'classifier',
    },
    cwd: process.cwd(),
  });
  // The real start: createKefu imports the demo packs, creates their keys and demo agents.
  const kefu = await createKefu(config, { database, logger: false });
  try {
    await loadDemoRuntimes(kefu);
  } finally {
    await kefu.close();
  }
}

/**
 * Trains (or loads) the demo tenants' models and builds their runtimes, as a first turn would:
 * every demo tenant, or those of `slugs` (the others are built on their first turn).
 */
export async function loadDemoRuntimes(kefu: Kefu, slugs?: readonly string[]): Promise<void> {
  for (const tenant of kefu.demo) {
    if (slugs && !slugs.includes(tenant.slug)) continue;
    const row = await kefu.database.db
      .selectFrom('tenants')
      .select('id')
      .where('slug', '=', tenant.slug)
      .executeTakeFirstOrThrow();
    await kefu.runtimes.get(row.id);
  }
}

// ---------------------------------------------------------------------------------------------
// PGlite: tarballs cached on disk

interface PgliteTemplate {
  dump: Blob;
}

const cacheDir = path.join(root, 'node_modules', '.cache', 'kefu-test-db');
const pgliteTemplates = new Map<TemplateVariant, Promise<PgliteTemplate>>();

/** The variant's tarball (read from the cache, or built once for every worker under a file lock). */
export function pgliteTemplate(variant: TemplateVariant): Promise<PgliteTemplate> {
  let template = pgliteTemplates.get(variant);
  if (!template) {
    template = loadOrBuildPgliteTemplate(variant);
    pgliteTemplates.set(variant, template);
    template.catch(() => pgliteTemplates.delete(variant));
  }
  return template;
}

async function loadOrBuildPgliteTemplate(variant: TemplateVariant): Promise<PgliteTemplate> {
  mkdirSync(cacheDir, { recursive: true });
  const base = path.join(cacheDir, `${templateKey()}-${variant}`);
  // The .json is written last: when it exists, the tarball is complete.
  const read = (): PgliteTemplate | null => {
    if (!existsSync(`${base}.json`)) return null;
    return { dump: new Blob([readFileSync(`${base}.tgz`)]) };
  };
  const cached = read();
  if (cached) return cached;
  return withFileLock(`${base}.lock`, async () => {
    const built = read();
    if (built) return built;
    const from = variant === 'migrated' ? null : (await pgliteTemplate('migrated')).dump;
    const database = await openDatabase({ kind: 'pglite', dataDir: null, ...(from ? { loadDataDir: from } : {}) });
    let bytes: Uint8Array;
    try {
      if (!from) await migrateToLatest(database.db);
      await fillTemplate(database, variant);
      bytes = await database.backup!();
    } finally {
      await database.close();
    }
    writeAtomically(`${base}.tgz`, bytes);
    writeAtomically(`${base}.json`, JSON.stringify({ builtAt: Date.now() } satisfies TemplateInfo));
    removeOldCacheFiles();
    return { dump: new Blob([bytes]) };
  });
}

function writeAtomically(file: string, data: Uint8Array | string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** Other keys' templates more than two hours old (another run may still be reading a newer one). */
function removeOldCacheFiles(): void {
  const key = templateKey();
  for (const name of readdirSync(cacheDir)) {
    if (name.startsWith(key)) continue;
    const file = path.join(cacheDir, name);
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat && Date.now() - stat.mtimeMs > 2 * 3_600_000) rmSync(file, { force: true });
  }
}

/** Runs `use` holding `file` as a lock across processes (a dead holder's lock is taken over). */
async function withFileLock<T>(file: string, use: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockIsStale(file)) rmSync(file, { force: true });
      else await sleep(200);
    }
  }
  try {
    return await use();
  } finally {
    rmSync(file, { force: true });
  }
}

function lockIsStale(file: string): boolean {
  try {
    const age = Date.now() - statSync(file).mtimeMs;
    if (age > 15 * 60_000) return true;
    const pid = Number(readFileSync(file, 'utf8'));
    if (!pid) return age > 5_000;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: template databases on the server

/** The schema inside every template (and so every copy). */
const POSTGRES_SCHEMA = 'kefu_test';
/** Serialises template builds across workers and runs (pg_advisory_lock). */
const BUILD_LOCK = 0x6b656675;

function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withAdmin<T>(url: string, use: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

const postgresTemplates = new Map<TemplateVariant, Promise<string>>();

/** The variant's template database on the server at `url` (built once, by whoever needs it first). */
function postgresTemplate(url: string, variant: TemplateVariant): Promise<string> {
  let template = postgresTemplates.get(variant);
  if (!template) {
    template = withAdmin(url, (admin) => loadOrBuildPostgresTemplate(admin, url, variant));
    postgresTemplates.set(variant, template);
    template.catch(() => postgresTemplates.delete(variant));
  }
  return template;
}

async function loadOrBuildPostgresTemplate(admin: pg.Client, url: string, variant: TemplateVariant): Promise<string> {
  const key = templateKey();
  const name = `kefu_tpl_${key}_${variant.replace('-', '_')}`;
  const find = async () => {
    const { rows } = await admin.query<{ comment: string | null }>(
      `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`,
      [name],
    );
    return rows[0]?.comment ? name : null;
  };
  const existing = await find();
  if (existing) return existing;
  await admin.query('select pg_advisory_lock($1)', [BUILD_LOCK]);
  try {
    const built = await find();
    if (built) return built;
    // Built under a name of its own and renamed when complete: nobody copies a half-built one.
    const building = `kefu_tplb_${testRunId()}_${randomBytes(3).toString('hex')}`;
    await admin.query(`create database ${building}`);
    try {
      const database = await openDatabase({
        kind: 'postgres',
        url: databaseUrl(url, building),
        schema: POSTGRES_SCHEMA,
        poolSize: 5,
      });
      try {
        await migrateToLatest(database.db);
        await fillTemplate(database, variant);
      } finally {
        await database.close();
      }
      await admin.query(`alter database ${building} rename to ${name}`);
    } catch (error) {
      await admin.query(`drop database if exists ${building} with (force)`).catch(() => undefined);
      throw error;
    }
    await admin.query(
      `comment on database ${name} is ${literal(JSON.stringify({ builtAt: Date.now() } satisfies TemplateInfo))}`,
    );
    await dropOldTemplates(admin, key);
    return name;
  } finally {
    await admin.query('select pg_advisory_unlock($1)', [BUILD_LOCK]).catch(() => undefined);
  }
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Other keys' templates built more than two hours ago (another run may still copy a newer one). */
async function dropOldTemplates(admin: pg.Client, key: string): Promise<void> {
  const { rows } = await admin.query<{ datname: string; comment: string | null }>(
    `select datname, shobj_description(oid, 'pg_database') as comment from pg_database
      where datname like 'kefu\\_tpl\\_%' and datname not like $1`,
    [`kefu\\_tpl\\_${key}\\_%`],
  );
  for (const row of rows) {
    const builtAt = row.comment ? Number((JSON.parse(row.comment) as Partial<TemplateInfo>).builtAt ?? 0) : 0;
    if (Date.now() - builtAt < 2 * 3_600_000) continue;
    await admin.query(`drop database if exists ${row.datname} with (force)`).catch(() => undefined);
  }
}

export interface PostgresCopy {
  url: string;
  schema: string;
  /** Drops the copy (call after closing every connection to it). */
  drop(): Promise<void>;
}

/** A database of its own on the server at `url`: a copy of the variant's template. */
export async function copyPostgresTemplate(url: string, variant: TemplateVariant): Promise<PostgresCopy> {
  const template = await postgresTemplate(url, variant);
  const name = `kefu_t_${testRunId()}_${randomBytes(4).toString('hex')}`;
  await withAdmin(url, (admin) => admin.query(`create database ${name} template ${template}`));
  let dropped = false;
  return {
    url: databaseUrl(url, name),
    schema: POSTGRES_SCHEMA,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(url, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/**
 * After a run: drops what its workers left (one that crashed before its dispose, or during a
 * template build) and other keys' templates more than two hours old.
 */
export async function cleanUpAfterRun(url: string | undefined, run: string): Promise<void> {
  if (existsSync(cacheDir)) removeOldCacheFiles();
  if (!url) return;
  await withAdmin(url, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like $1 or datname like $2`,
      [`kefu\\_t\\_${run}\\_%`, `kefu\\_tplb\\_${run}\\_%`],
    );
    for (const row of rows) await admin.query(`drop database if exists ${row.datname} with (force)`);
    await dropOldTemplates(admin, templateKey());
  });
}

import { ErrorCodes, KefuError } from '../../errors/index.js';
import { exportPack, importPack, loadPack } from '../../packs/index.js';
import { migrateToLatest, type Db } from '../../store/database.js';
import { createApiKey, createTenant, recordAudit, requireTenantBySlug } from '../../tenancy/index.js';
import { loadConfig, type KefuConfig } from '../../config/index.js';
import { createConfiguredModel, pgliteDirectory } from '../../server/kefu.js';
import { generateAndQueuePhrasings } from '../../knowledge/phrasing-suggestions.js';
import { restoreBackup, writeBackup } from '../../store/backup.js';
import { acquireDataDirLock } from '../../store/data-dir-lock.js';
import { print, printError, withDatabase } from '../context.js';

const actor = () => `cli:${process.env.USER ?? 'unknown'}`;

export async function runMigrate(): Promise<void> {
  await withDatabase(async (database) => {
    const { applied } = await migrateToLatest(database.db);
    print(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
  });
}

export async function runImport(
  directory: string,
  options: { dryRun?: boolean; json?: boolean; generatePhrasings?: boolean },
): Promise<void> {
  const { pack, problems } = loadPack(directory);
  for (const problem of problems) {
    printError(
      `${problem.severity}: ${directory}/${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`,
    );
  }
  if (!pack) {
    throw new KefuError(
      ErrorCodes.packInvalid,
      `pack ${directory} has ${problems.filter((p) => p.severity === 'error').length} error(s); nothing was imported`,
    );
  }
  if (options.dryRun) {
    print(
      `pack ${pack.tenant.slug} is valid (${pack.faq.length} FAQ entries, ${pack.intents.length} intents, ${pack.documents.length} documents)`,
    );
    return;
  }
  await withDatabase(async (database, config) => {
    const result = await importPack(database.db, pack, { actor: actor() });
    // With an LLM configured: varied phrasings per FAQ entry, queued for approval (issue 17 §3).
    const phrasings = options.generatePhrasings
      ? await queueGeneratedPhrasings(database.db, result.tenantId, config)
      : null;
    if (options.json) return print(JSON.stringify(phrasings ? { ...result, phrasings } : result));
    const count = (c: { added: number; changed: number; removed: number; unchanged: number }) =>
      `+${c.added} ~${c.changed} -${c.removed} =${c.unchanged}`;
    print(`${result.created ? 'created' : 'updated'} tenant ${result.slug}`);
    print(
      `  FAQ ${count(result.faq)}   documents ${count(result.documents)}   intents ${result.intents}   playbooks ${result.playbooks}`,
    );
    for (const [table, rows] of Object.entries(result.tables)) print(`  data/${table}: ${rows} rows`);
    if (phrasings)
      print(
        `  phrasings: ${phrasings.pending} pending, ${phrasings.flagged} flagged (collide with another entry), ` +
          `${phrasings.failed} entries failed; review with GET /v1/knowledge/phrasings`,
      );
  });
}

async function queueGeneratedPhrasings(db: Db, tenantId: string, config: KefuConfig) {
  const model = await createConfiguredModel(config);
  if (!model)
    throw new KefuError(
      ErrorCodes.llmNotConfigured,
      '--generate-phrasings needs an LLM: set KEFU_LLM_BASE_URL and KEFU_LLM_MODEL (the pack was imported)',
    );
  const result = await generateAndQueuePhrasings(db, tenantId, model);
  return { ...result.queued, failed: result.failures.length, usage: result.usage };
}

export async function runExport(slug: string, directory: string): Promise<void> {
  await withDatabase(async (database) => {
    const result = await exportPack(database.db, slug, directory);
    print(`exported ${slug} to ${directory}: ${result.files.length} files`);
  });
}

export async function runTenantCreate(
  slug: string,
  options: { name?: string; locale?: string; domain?: string; json?: boolean },
): Promise<void> {
  await withDatabase(async (database) => {
    const tenant = await database.db.transaction().execute(async (trx) => {
      const created = await createTenant(trx, {
        slug,
        name: options.name ?? slug,
        locale: options.locale,
        domain: options.domain,
      });
      await recordAudit(trx, { tenantId: created.id, actor: actor(), action: 'tenant.create', target: slug });
      return created;
    });
    if (options.json) print(JSON.stringify({ id: tenant.id, slug: tenant.slug }));
    else print(`created tenant ${tenant.slug} (${tenant.id})`);
  });
}

export async function runKeyCreate(options: {
  tenant: string;
  name?: string;
  scopes: string;
  expires?: string;
  json?: boolean;
}): Promise<void> {
  let expiresAt: Date | null = null;
  if (options.expires) {
    const days = /^(\d{1,5})d$/.exec(options.expires);
    expiresAt = days ? new Date(Date.now() + Number(days[1]) * 86_400_000) : new Date(options.expires);
    if (Number.isNaN(expiresAt.getTime()))
      throw new KefuError(
        ErrorCodes.validation,
        `--expires must be an ISO date or a number of days like 30d, not "${options.expires}"`,
      );
  }
  await withDatabase(async (database) => {
    const tenant = await requireTenantBySlug(database.db, options.tenant);
    const scopes = options.scopes
      .split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);
    const key = await database.db.transaction().execute(async (trx) => {
      const created = await createApiKey(trx, tenant.id, { name: options.name ?? 'cli', scopes, expiresAt });
      await recordAudit(trx, {
        tenantId: tenant.id,
        actor: actor(),
        action: 'api_key.create',
        target: created.id,
        details: { scopes: created.scopes },
      });
      return created;
    });
    if (options.json)
      return print(JSON.stringify({ id: key.id, key: key.key, scopes: key.scopes, expiresAt: key.expiresAt }));
    print(
      `API key for ${tenant.slug} (scopes: ${key.scopes.join(', ')}${key.expiresAt ? `, expires ${key.expiresAt.toISOString()}` : ''}):`,
    );
    print(`  ${key.key}`);
    print('It is shown only this once; kefu keeps only its hash.');
  });
}

export async function runBackup(file: string): Promise<void> {
  await withDatabase(async (database) => {
    const { bytes } = await writeBackup(database, file);
    print(`backup written to ${file} (${(bytes / 1024 / 1024).toFixed(1)} MB); restore with \`kefu restore ${file}\``);
  });
}

export async function runRestore(file: string, options: { dataDir?: string }): Promise<void> {
  const config = loadConfig({ overrides: { 'storage.dataDir': options.dataDir } });
  if (config.storage.databaseUrl) {
    throw new KefuError(
      ErrorCodes.validation,
      'kefu restore fills the embedded database; with DATABASE_URL use pg_restore',
    );
  }
  // The data directory must be ours alone: a running server would keep serving the old files.
  const lock = acquireDataDirLock(config.storage.dataDir, { kind: 'cli', command: 'kefu restore' });
  try {
    const { movedAside, tenants } = await restoreBackup(file, pgliteDirectory(config));
    print(`restored ${file} into ${config.storage.dataDir} (${tenants} tenants)`);
    if (movedAside) print(`the database that was there is kept in ${movedAside}`);
  } finally {
    lock.release();
  }
}

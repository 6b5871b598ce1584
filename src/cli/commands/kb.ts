import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { nextSyncAt, readerForSource, syncSource, type SyncReport } from '../../knowledge/index.js';
import { recordAudit, requireTenantBySlug } from '../../tenancy/index.js';
import { print, setExitCode, withDatabase } from '../context.js';

export async function runKbAddFolder(
  slug: string,
  folder: string,
  options: { name?: string; schedule?: string },
): Promise<void> {
  const absolute = path.resolve(folder);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory())
    throw new KefuError(ErrorCodes.validation, `not a folder: ${folder}`);
  if (options.schedule) {
    try {
      CronExpressionParser.parse(options.schedule);
    } catch (error) {
      throw new KefuError(ErrorCodes.validation, `--schedule is not a cron expression: ${(error as Error).message}`);
    }
  }
  await withDatabase(async (database) => {
    const tenant = await requireTenantBySlug(database.db, slug);
    const id = randomUUID();
    const name = options.name ?? path.basename(absolute);
    await database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('knowledge_sources')
        .values({
          id,
          tenant_id: tenant.id,
          kind: 'folder',
          name,
          config: JSON.stringify({ path: absolute }),
          schedule: options.schedule ?? null,
          last_sync_at: null,
          next_sync_at: options.schedule ? nextSyncAt(options.schedule, new Date()) : null,
        })
        .execute();
      await recordAudit(trx, {
        tenantId: tenant.id,
        actor: `cli:${process.env.USER ?? 'unknown'}`,
        action: 'knowledge_source.create',
        target: id,
        details: { kind: 'folder', name },
      });
    });
    print(
      `added folder source "${name}" (${id}) to ${slug}${options.schedule ? `, re-synced on "${options.schedule}"` : ''}; run \`kefu kb sync ${slug}\` to load it`,
    );
  });
}

function describe(report: SyncReport): string {
  const lines = [
    `  ${report.status}: +${report.added.length} added, ~${report.changed.length} changed, -${report.removed.length} removed, =${report.unchanged} unchanged; chunks indexed ${report.chunksIndexed}, reused ${report.chunksReused}; conflicts ${report.conflicts}`,
  ];
  for (const file of report.added) lines.push(`    + ${file}`);
  for (const file of report.changed) lines.push(`    ~ ${file}`);
  for (const file of report.removed) lines.push(`    - ${file}`);
  for (const failure of report.failed) lines.push(`    ! ${failure.path}: ${failure.code} ${failure.message}`);
  for (const problem of report.problems.slice(0, 20)) lines.push(`    ? ${JSON.stringify(problem)}`);
  if (report.error) lines.push(`    ! ${report.error}`);
  return lines.join('\n');
}

/** Syncs every source of a tenant (or one), printing progress and each change report. */
export async function runKbSync(slug: string, options: { source?: string; json?: boolean }): Promise<void> {
  const failed = await withDatabase(async (database) => {
    const tenant = await requireTenantBySlug(database.db, slug);
    const sources = await database.db
      .selectFrom('knowledge_sources')
      .select(['id', 'name', 'kind', 'config'])
      .where('tenant_id', '=', tenant.id)
      .$if(options.source !== undefined, (query) =>
        query.where((eb) => eb.or([eb('name', '=', options.source!), eb('id', '=', options.source as string)])),
      )
      .orderBy('created_at')
      .execute();
    if (sources.length === 0)
      throw new KefuError(
        ErrorCodes.notFound,
        `${slug} has no knowledge sources${options.source ? ` named ${options.source}` : ''}; add one with \`kefu kb add-folder\``,
      );
    const reports: Array<{ source: string; report: SyncReport }> = [];
    for (const [index, source] of sources.entries()) {
      if (!options.json) print(`[${index + 1}/${sources.length}] syncing ${source.kind} source "${source.name}"…`);
      const report = await syncSource(
        database.db,
        tenant.id,
        source.id,
        readerForSource({ kind: source.kind, config: source.config }),
      );
      reports.push({ source: source.name, report });
      if (!options.json) print(describe(report));
    }
    // Running servers notice the newer updated_at and reload the tenant's knowledge.
    await database.db.updateTable('tenants').set({ updated_at: new Date() }).where('id', '=', tenant.id).execute();
    if (options.json) print(JSON.stringify(reports));
    return reports.some(({ report }) => report.status === 'failed' || report.error !== undefined);
  });
  if (failed) setExitCode(1);
}

export async function runKbConflicts(slug: string, options: { json?: boolean }): Promise<void> {
  await withDatabase(async (database) => {
    const tenant = await requireTenantBySlug(database.db, slug);
    const conflicts = await database.db
      .selectFrom('knowledge_conflicts')
      .select(['id', 'reason', 'detail', 'first', 'second', 'status', 'created_at'])
      .where('tenant_id', '=', tenant.id)
      .where('status', '=', 'open')
      .orderBy('created_at')
      .execute();
    if (options.json) return print(JSON.stringify(conflicts));
    if (conflicts.length === 0) return print(`no open conflicts in ${slug}`);
    for (const conflict of conflicts) {
      print(`${conflict.id}  ${conflict.reason}: ${conflict.detail}`);
      print(`  1. ${JSON.stringify(conflict.first)}`);
      print(`  2. ${JSON.stringify(conflict.second)}`);
    }
  });
}

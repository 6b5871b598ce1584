import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { callerPath, cliIo, print, setExitCode } from '../cli/io.js';
import { withDatabase } from '../cli/context.js';
import { requireTenantBySlug } from '../tenancy/index.js';
import {
  ImportMappingError,
  csvRecords,
  exportContactsCsv,
  importContacts,
  xlsxRecords,
  type ImportRowError,
} from './import-contacts.js';
import { parseMapOptions } from './import-mapping.js';

/**
 * `kefu contacts import <file> --tenant <slug> [--map 列=field…] [--dry-run]`: a streaming CSV
 * (or XLSX) import with progress on stderr and errors by line; exits 1 when rows were skipped.
 */
export async function runContactsImport(
  file: string,
  options: { tenant: string; map?: string[]; dryRun?: boolean; json?: boolean },
): Promise<void> {
  const path = callerPath(file);
  if (!existsSync(path)) throw new KefuError(ErrorCodes.validation, `no such file: ${file}`);
  const { map, errors } = parseMapOptions(options.map ?? []);
  if (errors.length > 0) throw new KefuError(ErrorCodes.importInvalid, errors.join('; '));
  await withDatabase(async (database) => {
    const tenant = await requireTenantBySlug(database.db, options.tenant);
    const malformed: ImportRowError[] = [];
    const records = /\.xlsx$/i.test(path)
      ? xlsxRecords(readFileSync(path))
      : csvRecords(createReadStream(path), (line, message) => malformed.push({ line, code: 'malformed', message }));
    const io = cliIo();
    let summary;
    try {
      summary = await importContacts(
        database.db,
        tenant.id,
        records,
        {
          map,
          dryRun: Boolean(options.dryRun),
          onProgress: (progress) =>
            io.stderr(
              `\r${options.dryRun ? 'checked' : 'imported'} ${progress.rows.toLocaleString('en')} rows: ${progress.created} new, ${progress.updated} updated, ${progress.skipped} skipped`,
            ),
        },
        malformed,
      );
    } catch (error) {
      if (error instanceof ImportMappingError) throw new KefuError(ErrorCodes.importInvalid, error.message);
      throw error;
    }
    io.stderr('\n');
    if (options.json) print(JSON.stringify(summary));
    else {
      print(
        `${summary.dryRun ? 'Dry run (nothing written): ' : ''}${summary.rows} rows, ${summary.created} new, ${summary.updated} updated, ${summary.skipped} skipped in ${(summary.elapsedMs / 1000).toFixed(1)} s`,
      );
      if (summary.ignoredColumns.length > 0)
        print(`Columns not imported: ${summary.ignoredColumns.join(', ')} (map them with --map 列名=attr.name)`);
      for (const error of summary.errors.slice(0, 50))
        print(`  line ${error.line}: ${error.code}${error.field ? ` (${error.field})` : ''}: ${error.message}`);
      if (summary.errors.length > 50) print(`  … ${summary.skipped - 50} more`);
    }
    if (summary.skipped > 0) setExitCode(1);
  });
}

/** `kefu contacts export --tenant <slug>`: every profiled contact as CSV on stdout. */
export async function runContactsExport(options: { tenant: string }): Promise<void> {
  await withDatabase(async (database) => {
    const tenant = await requireTenantBySlug(database.db, options.tenant);
    const io = cliIo();
    for await (const chunk of exportContactsCsv(database.db, tenant.id)) io.stdout(chunk);
  });
}

import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { readXlsxFirstSheet } from '../knowledge/read-xlsx.js';
import type { Db } from '../store/database.js';
import { loadProfiles } from './contact-store.js';
import { buildMapping, parseRow, type RowProblem } from './import-mapping.js';
import { EMPTY_PROFILE, applyInput, templateView, type ContactInput } from './profile.js';

/**
 * Streaming contacts import (docs/personal.md). Rows are read, checked and written in batches of
 * `batchSize`, each batch in one transaction, so memory stays flat however long the file is. A bad
 * row (malformed, a duplicate external id, an id and a phone naming two different contacts) is
 * reported with its line and reason and skipped; it never touches a profile. A dry run does every
 * check and lookup and writes nothing.
 */

export interface SourceRecord {
  /** 1-based line (CSV) or row (XLSX) of the file, header included. */
  line: number;
  cells: string[];
}

export type ImportErrorCode =
  RowProblem['code'] | 'malformed' | 'duplicate_external_id' | 'conflicting_merge' | 'external_id_taken';

export interface ImportRowError {
  line: number;
  code: ImportErrorCode;
  field?: string;
  message: string;
}

export interface ImportSummary {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  /** Of `updated`: rows that matched a contact and changed nothing (an idempotent repeat). */
  unchanged: number;
  skipped: number;
  ignoredColumns: string[];
  /** The first `maxErrors` errors (the count is in `skipped`). */
  errors: ImportRowError[];
  elapsedMs: number;
}

export interface ImportOptions {
  map?: Record<string, string>;
  dryRun?: boolean;
  batchSize?: number;
  maxErrors?: number;
  onProgress?: (progress: { rows: number; created: number; updated: number; skipped: number }) => void;
}

export class ImportMappingError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** CSV records from a byte stream; a malformed line is handed to `onMalformed` and skipped. */
export async function* csvRecords(
  input: Readable,
  onMalformed: (line: number, message: string) => void,
): AsyncGenerator<SourceRecord> {
  const parser = input.pipe(
    parse({
      bom: true,
      relax_column_count: true,
      // A stray quote inside a field is kept as text; only an unterminated quote is an error.
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
      on_skip: (error) => {
        if (error) onMalformed(Number((error as { lines?: unknown }).lines ?? 0), error.message);
        return undefined;
      },
    }),
  );
  for await (const entry of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield { line: entry.info.lines, cells: entry.record };
  }
}

/** The first sheet of an XLSX file as records (read whole: XLSX is a zip). */
export async function* xlsxRecords(bytes: Uint8Array): AsyncGenerator<SourceRecord> {
  const result = readXlsxFirstSheet(bytes);
  if (!result.ok) throw new ImportMappingError([result.message]);
  for (const row of result.rows) yield { line: row.row, cells: row.cells };
}

/** A checked row on its way to the database; `line` is the file line or the batch index. */
export interface PendingRow {
  line: number;
  input: ContactInput;
}

/**
 * The first of a row's external ids already `seen` earlier in the same file or batch (the first
 * row wins), as a row error; otherwise the ids are added to `seen` and null is returned.
 */
export function duplicateExternalId(line: number, input: ContactInput, seen: Set<string>): ImportRowError | null {
  const keys = (input.externalIds ?? []).map((entry) => `${entry.source}\u0000${entry.id}`);
  const duplicate = keys.find((key) => seen.has(key));
  if (duplicate)
    return {
      line,
      code: 'duplicate_external_id',
      field: `ext.${duplicate.split('\u0000')[0]}`,
      message: `external id "${duplicate.split('\u0000')[1]}" already appeared earlier in this file`,
    };
  for (const key of keys) seen.add(key);
  return null;
}

/** What became of a written row. */
export type RowOutcome = 'created' | 'updated' | 'unchanged';

export async function importContacts(
  db: Db,
  tenantId: string,
  records: AsyncIterable<SourceRecord>,
  options: ImportOptions = {},
  malformed: ImportRowError[] = [],
): Promise<ImportSummary> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 500;
  const maxErrors = options.maxErrors ?? 1000;
  const summary: ImportSummary = {
    dryRun: Boolean(options.dryRun),
    rows: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    ignoredColumns: [],
    errors: [],
    elapsedMs: 0,
  };
  const report = (error: ImportRowError) => {
    summary.skipped += 1;
    if (summary.errors.length < maxErrors) summary.errors.push(error);
  };
  const drainMalformed = () => {
    while (malformed.length > 0) {
      summary.rows += 1;
      report(malformed.shift()!);
    }
  };
  /** External ids seen earlier in this file (`source\u0000id`): the first row wins. */
  const seen = new Set<string>();
  let mapping: ReturnType<typeof buildMapping>['mapping'] | null = null;
  let columns = 0;
  let batch: PendingRow[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await upsertContactRows(db, tenantId, rows, Boolean(options.dryRun), summary, report);
    options.onProgress?.({
      rows: summary.rows,
      created: summary.created,
      updated: summary.updated,
      skipped: summary.skipped,
    });
  };

  for await (const record of records) {
    drainMalformed();
    if (!mapping) {
      const built = buildMapping(record.cells, options.map ?? {});
      if (built.errors.length > 0) throw new ImportMappingError(built.errors);
      mapping = built.mapping;
      columns = record.cells.length;
      summary.ignoredColumns = built.mapping.ignored;
      continue;
    }
    if (record.cells.every((cell) => cell.trim() === '')) continue;
    summary.rows += 1;
    // More filled cells than the header has columns: an unquoted comma shifted the fields.
    if (record.cells.slice(columns).some((cell) => cell.trim() !== '')) {
      report({
        line: record.line,
        code: 'malformed',
        message: `the row has ${record.cells.length} fields but the header has ${columns} (quote fields that contain commas)`,
      });
      continue;
    }
    const parsed = parseRow(record.cells, mapping);
    if (!parsed.input) {
      for (const problem of parsed.problems.slice(0, 1))
        report({ line: record.line, code: problem.code, field: problem.field, message: problem.message });
      continue;
    }
    const duplicate = duplicateExternalId(record.line, parsed.input, seen);
    if (duplicate) {
      report(duplicate);
      continue;
    }
    batch.push({ line: record.line, input: parsed.input });
    if (batch.length >= batchSize) await flush();
  }
  drainMalformed();
  if (!mapping) throw new ImportMappingError(['the file is empty: expected a header row and contact rows']);
  await flush();
  summary.elapsedMs = Math.round(performance.now() - started);
  return summary;
}

/**
 * Writes checked rows in one transaction: a row whose external id is known updates that contact
 * (lists are added to), a row with only a known phone updates its owner, any other row creates a
 * contact; a row naming two contacts is reported and skipped. Shared by the file import and the
 * sync (src/contacts/sync.ts). `onOutcome` hears what became of each written row.
 */
export async function upsertContactRows(
  db: Db,
  tenantId: string,
  rows: PendingRow[],
  dryRun: boolean,
  summary: Pick<ImportSummary, 'created' | 'updated' | 'unchanged'>,
  report: (error: ImportRowError) => void,
  onOutcome?: (line: number, outcome: RowOutcome) => void,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Who owns each external id and each phone number already.
    const pairs = rows.flatMap((row) => row.input.externalIds ?? []);
    const owners = new Map<string, string>();
    for (let index = 0; index < pairs.length; index += 1000) {
      const slice = pairs.slice(index, index + 1000);
      const found = await trx
        .selectFrom('contact_external_ids')
        .select(['source', 'external_id', 'contact_id'])
        .where('tenant_id', '=', tenantId)
        .where(
          'external_id',
          'in',
          slice.map((entry) => entry.id),
        )
        .execute();
      for (const row of found) owners.set(`${row.source}\u0000${row.external_id}`, row.contact_id);
    }
    const phones = [...new Set(rows.flatMap((row) => row.input.phones ?? []))];
    const phoneOwners = new Map<string, string[]>();
    for (let index = 0; index < phones.length; index += 1000) {
      const found = await trx
        .selectFrom('contacts')
        .select(['id', 'phone'])
        .where('tenant_id', '=', tenantId)
        .where('phone', 'in', phones.slice(index, index + 1000))
        .execute();
      for (const row of found) phoneOwners.set(row.phone!, [...(phoneOwners.get(row.phone!) ?? []), row.id]);
    }

    const creates: Array<{ id: string; line: number; input: ContactInput }> = [];
    const updates: Array<{ id: string; line: number; input: ContactInput }> = [];
    /** Phones claimed by contacts this batch creates, so two new rows with one phone are caught. */
    const claimedPhones = new Map<string, number>();
    for (const row of rows) {
      const byId = new Set(
        (row.input.externalIds ?? [])
          .map((entry) => owners.get(`${entry.source}\u0000${entry.id}`))
          .filter((id): id is string => id !== undefined),
      );
      const hasIds = (row.input.externalIds ?? []).length > 0;
      const byPhone = new Set((row.input.phones ?? []).flatMap((phone) => phoneOwners.get(phone) ?? []));
      if (byId.size > 1) {
        report({
          line: row.line,
          code: 'conflicting_merge',
          field: 'external_id',
          message: 'the row’s external ids belong to different contacts; merge them first',
        });
        continue;
      }
      const target = [...byId][0];
      if (target && [...byPhone].some((owner) => owner !== target)) {
        report({
          line: row.line,
          code: 'conflicting_merge',
          field: 'phone',
          message: 'the external id names one contact and the phone number another; merge them first',
        });
        continue;
      }
      if (target) {
        updates.push({ id: target, line: row.line, input: row.input });
        continue;
      }
      // No external id known: an existing contact with the same phone is this person only if
      // the row has no id of its own (an unknown id with a known phone is a different customer
      // record that would silently merge two profiles).
      if (!hasIds && byPhone.size === 1) {
        updates.push({ id: [...byPhone][0]!, line: row.line, input: row.input });
        continue;
      }
      if (byPhone.size > 0 || (row.input.phones ?? []).some((phone) => claimedPhones.has(phone))) {
        report({
          line: row.line,
          code: 'conflicting_merge',
          field: 'phone',
          message:
            byPhone.size > 1
              ? 'several contacts already have this phone number'
              : 'this phone number belongs to another contact with a different external id',
        });
        continue;
      }
      for (const phone of row.input.phones ?? []) claimedPhones.set(phone, row.line);
      creates.push({ id: randomUUID(), line: row.line, input: row.input });
    }
    summary.created += creates.length;
    summary.updated += updates.length;
    for (const entry of creates) onOutcome?.(entry.line, 'created');
    if (dryRun) {
      for (const update of updates) onOutcome?.(update.line, 'updated');
      return;
    }

    if (creates.length > 0) {
      const profiles = creates.map((entry) => ({
        ...entry,
        profile: applyInput(EMPTY_PROFILE, entry.input, 'replace'),
      }));
      const now = new Date();
      await trx
        .insertInto('contacts')
        .values(
          profiles.map(({ id, profile }) => ({
            id,
            tenant_id: tenantId,
            name: profile.name,
            phone: profile.phones[0] ?? null,
            email: profile.emails[0] ?? null,
            attributes: JSON.stringify(templateView(profile)),
            created_at: now,
          })),
        )
        .execute();
      await trx
        .insertInto('contact_profiles')
        .values(
          profiles.map(({ id, profile }) => ({
            contact_id: id,
            tenant_id: tenantId,
            phones: JSON.stringify(profile.phones),
            emails: JSON.stringify(profile.emails),
            tags: JSON.stringify(profile.tags),
            custom: JSON.stringify(profile.attributes),
            consent: JSON.stringify(profile.consent),
            tier: profile.tier,
            time_zone: profile.timeZone,
            locale: profile.locale,
            updated_at: now,
          })),
        )
        .execute();
      const ids = creates.flatMap((entry) =>
        (entry.input.externalIds ?? []).map((ext) => ({
          tenant_id: tenantId,
          source: ext.source,
          external_id: ext.id,
          contact_id: entry.id,
        })),
      );
      if (ids.length > 0) await trx.insertInto('contact_external_ids').values(ids).execute();
    }
    const currents = await loadProfiles(
      trx,
      tenantId,
      updates.map((update) => update.id),
    );
    for (const update of updates) {
      const current = currents.get(update.id);
      if (!current) continue;
      const next = applyInput(current, update.input, 'merge');
      const newIds = (update.input.externalIds ?? []).filter((ext) => !owners.has(`${ext.source}\u0000${ext.id}`));
      // The same row again changes nothing: no write, no new version, no new updated_at.
      if (newIds.length === 0 && current.version > 0 && sameProfile(current, next)) {
        summary.unchanged += 1;
        onOutcome?.(update.line, 'unchanged');
        continue;
      }
      onOutcome?.(update.line, 'updated');
      if (newIds.length > 0)
        await trx
          .insertInto('contact_external_ids')
          .values(
            newIds.map((ext) => ({
              tenant_id: tenantId,
              source: ext.source,
              external_id: ext.id,
              contact_id: update.id,
            })),
          )
          .onConflict((conflict) => conflict.doNothing())
          .execute();
      await trx
        .updateTable('contacts')
        .set({
          name: next.name,
          phone: next.phones[0] ?? null,
          email: next.emails[0] ?? null,
          attributes: JSON.stringify(templateView(next)),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', update.id)
        .execute();
      const values = {
        phones: JSON.stringify(next.phones),
        emails: JSON.stringify(next.emails),
        tags: JSON.stringify(next.tags),
        custom: JSON.stringify(next.attributes),
        consent: JSON.stringify(next.consent),
        tier: next.tier,
        time_zone: next.timeZone,
        locale: next.locale,
        updated_at: new Date(),
      };
      await trx
        .insertInto('contact_profiles')
        .values({ contact_id: update.id, tenant_id: tenantId, ...values })
        .onConflict((conflict) => conflict.column('contact_id').doUpdateSet(values))
        .execute();
      // A later row of this batch for the same contact starts from what this one wrote.
      currents.set(update.id, {
        ...current,
        ...next,
        externalIds: [...current.externalIds, ...newIds],
        version: Math.max(current.version, 1),
      });
    }
  });
}

function sameProfile(a: ReturnType<typeof applyInput>, b: ReturnType<typeof applyInput>): boolean {
  const keys = ['name', 'phones', 'emails', 'tier', 'tags', 'attributes', 'consent', 'timeZone', 'locale'] as const;
  return keys.every((key) => stableJson(a[key]) === stableJson(b[key]));
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value ?? null);
  const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
}

/** Exports every profiled contact of a tenant as CSV lines (header first), a page at a time. */
export async function* exportContactsCsv(db: Db, tenantId: string): AsyncGenerator<string> {
  const { stringify } = await import('csv-stringify/sync');
  yield stringify([
    ['external_id', 'name', 'phone', 'email', 'tier', 'tags', 'time_zone', 'locale', 'consent', 'attributes'],
  ]);
  let after: string | null = null;
  for (;;) {
    const rows = await db
      .selectFrom('contact_profiles')
      .innerJoin('contacts', 'contacts.id', 'contact_profiles.contact_id')
      .select([
        'contact_profiles.contact_id',
        'contacts.name',
        'contact_profiles.phones',
        'contact_profiles.emails',
        'contact_profiles.tier',
        'contact_profiles.tags',
        'contact_profiles.time_zone',
        'contact_profiles.locale',
        'contact_profiles.consent',
        'contact_profiles.custom',
      ])
      .where('contact_profiles.tenant_id', '=', tenantId)
      .$if(after !== null, (query) => query.where('contact_profiles.contact_id', '>', after!))
      .orderBy('contact_profiles.contact_id')
      .limit(1000)
      .execute();
    if (rows.length === 0) return;
    const ids = await db
      .selectFrom('contact_external_ids')
      .select(['contact_id', 'source', 'external_id'])
      .where('tenant_id', '=', tenantId)
      .where(
        'contact_id',
        'in',
        rows.map((row) => row.contact_id),
      )
      .execute();
    const idOf = new Map<string, string>();
    for (const row of ids)
      if (row.source === 'user' || !idOf.has(row.contact_id))
        idOf.set(row.contact_id, row.source === 'user' ? row.external_id : `${row.source}:${row.external_id}`);
    yield stringify(
      rows.map((row) => [
        idOf.get(row.contact_id) ?? '',
        row.name ?? '',
        row.phones.join(';'),
        row.emails.join(';'),
        row.tier ?? '',
        row.tags.join(';'),
        row.time_zone ?? '',
        row.locale ?? '',
        JSON.stringify(row.consent),
        JSON.stringify(row.custom),
      ]),
    );
    after = rows[rows.length - 1]!.contact_id;
  }
}

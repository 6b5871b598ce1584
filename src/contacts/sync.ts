import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { safeFetch } from '../net/safe-fetch.js';
import { dueOccurrence } from '../outreach/campaigns.js';
import type { Db } from '../store/database.js';
import type { ContactSyncStatus, ContactSyncTrigger } from './contact-tables.js';
import {
  ImportMappingError,
  csvRecords,
  duplicateExternalId,
  importContacts,
  upsertContactRows,
  type ImportErrorCode,
  type ImportRowError,
  type PendingRow,
  type RowOutcome,
} from './import-contacts.js';
import { isCronExpression } from '../jobs/cron.js';
import { DEFAULT_ID_SOURCE, contactInputSchema, inputProblems, type ContactInput } from './profile.js';

/**
 * Contacts sync (docs/personal.md, "Sync"): a CRM keeps kefu's contacts current in two ways.
 *
 * - Webhook in: `POST /v1/contacts/sync` with a batch of records keyed by external id. Every
 *   record goes through the importer's checks and its upsert (upsertContactRows), so the typed
 *   values, the merge rules and the "a bad record never half-applies" promise are the import's.
 *   The same batch twice changes nothing the second time. With a sync secret configured the
 *   batch must be signed (Standard Webhooks) and a delivery id is applied once.
 * - Scheduled pull: `contacts.sync` in the tenant's settings names a URL (CSV or JSON), how
 *   often (minutes or cron, in the tenant's time zone) and the column mapping. One job a minute
 *   pulls the tenants that are due; each occurrence is claimed by one node (a unique run row).
 *
 * Every pull and every webhook batch is recorded as a run (`GET /v1/contacts/syncs`).
 */

export const SYNC_BATCH_LIMIT = 1000;
/** Most bytes a pulled source may have (a larger one fails the run, nothing after the limit is read). */
export const SYNC_SOURCE_LIMIT_BYTES = 256 * 1024 * 1024;
const JSON_SOURCE_LIMIT_BYTES = 32 * 1024 * 1024;
/** How many row errors a run keeps. */
const RUN_ERROR_LIMIT = 100;

// ---------------------------------------------------------------------------------------------
// Records of a webhook batch (and of a JSON source)

/** One record: a contact patch keyed by its external id (`source` defaults to `user`). */
export const syncRecordSchema = contactInputSchema
  .omit({ externalIds: true })
  .extend({
    externalId: z.string().trim().min(1).max(200),
    source: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, _ or - (max 32)')
      .default(DEFAULT_ID_SOURCE),
  })
  .strict();

export interface SyncRecordResult {
  index: number;
  externalId: string | null;
  status: RowOutcome | 'skipped';
  code?: ImportErrorCode;
  field?: string;
  message?: string;
}

export interface SyncCounts {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

export interface SyncBatchResult extends SyncCounts {
  results: SyncRecordResult[];
}

/** The importer's code for what is wrong with a record, from its first schema issue. */
function recordProblem(error: z.ZodError): { code: ImportErrorCode; field: string; message: string } {
  const issue = error.issues[0]!;
  const head = issue.path[0];
  if (issue.code === 'unrecognized_keys')
    return { code: 'bad_value', field: issue.keys.join(','), message: `unknown field ${issue.keys.join(', ')}` };
  const field = issue.path.map(String).join('.') || 'record';
  const message = `${field}: ${issue.message}`;
  if (head === 'externalId')
    return issue.code === 'too_big'
      ? { code: 'too_long', field: 'external_id', message: 'id longer than 200 characters' }
      : { code: 'no_identifier', field: 'external_id', message: 'the record has no external id (externalId)' };
  if (head === 'phones') return { code: 'bad_phone', field: 'phone', message };
  if (head === 'emails') return { code: 'bad_email', field: 'email', message };
  if (issue.code === 'too_big') return { code: 'too_long', field, message };
  return { code: 'bad_value', field, message };
}

/**
 * Checks every record and upserts the good ones in one transaction. A malformed record is
 * reported by its index with the importer's code and skipped; a repeated external id keeps its
 * first record. Nothing is written when `dryRun`.
 */
export async function syncContactBatch(
  db: Db,
  tenantId: string,
  records: readonly unknown[],
  options: { dryRun?: boolean; indexOffset?: number } = {},
): Promise<SyncBatchResult> {
  const offset = options.indexOffset ?? 0;
  const results: SyncRecordResult[] = records.map((record, at) => ({
    index: offset + at,
    externalId:
      record && typeof record === 'object' && typeof (record as { externalId?: unknown }).externalId === 'string'
        ? ((record as { externalId: string }).externalId.trim().slice(0, 200) ?? null)
        : null,
    status: 'skipped',
  }));
  const skip = (error: ImportRowError) => {
    const result = results[error.line - offset]!;
    result.status = 'skipped';
    result.code = error.code;
    if (error.field) result.field = error.field;
    result.message = error.message;
  };
  const seen = new Set<string>();
  const rows: PendingRow[] = [];
  records.forEach((record, at) => {
    const index = offset + at;
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      skip({ line: index, code: 'malformed', message: 'a record is a JSON object' });
      return;
    }
    const parsed = syncRecordSchema.safeParse(record);
    if (!parsed.success) {
      skip({ line: index, ...recordProblem(parsed.error) });
      return;
    }
    const { externalId, source, ...rest } = parsed.data;
    const input: ContactInput = { ...rest, externalIds: [{ source, id: externalId }] };
    const problem = inputProblems(input)[0];
    if (problem) {
      skip({
        line: index,
        code: problem.field === 'phones' ? 'bad_phone' : 'bad_email',
        field: problem.field === 'phones' ? 'phone' : 'email',
        message: problem.message,
      });
      return;
    }
    const duplicate = duplicateExternalId(index, input, seen);
    if (duplicate) {
      skip({ ...duplicate, message: duplicate.message.replace('in this file', 'in this batch') });
      return;
    }
    rows.push({ line: index, input });
  });

  const write = async () => {
    const counts = { created: 0, updated: 0, unchanged: 0 };
    const outcomes = new Map<number, RowOutcome>();
    const refused: ImportRowError[] = [];
    await upsertContactRows(
      db,
      tenantId,
      rows,
      Boolean(options.dryRun),
      counts,
      (error) => refused.push(error),
      (line, outcome) => outcomes.set(line, outcome),
    );
    return { counts, outcomes, refused };
  };
  let written: Awaited<ReturnType<typeof write>>;
  try {
    written = await write();
  } catch (error) {
    // Another writer created one of these external ids between our read and our insert (the
    // transaction rolled back whole): the second pass sees it and updates instead.
    if ((error as { code?: unknown }).code !== '23505') throw error;
    written = await write();
  }
  for (const error of written.refused) skip(error);
  for (const [line, outcome] of written.outcomes) results[line - offset]!.status = outcome;
  return {
    rows: records.length,
    created: written.counts.created,
    updated: written.counts.updated - written.counts.unchanged,
    unchanged: written.counts.unchanged,
    skipped: results.filter((result) => result.status === 'skipped').length,
    results,
  };
}

// ---------------------------------------------------------------------------------------------
// Signed webhook deliveries

/** The tenant's sync secret, or null when batches need no signature. */
export async function syncSecret(db: Db, tenantId: string): Promise<string | null> {
  const row = await db
    .selectFrom('contact_sync_secrets')
    .select('secret')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return row?.secret ?? null;
}

/** Creates (or replaces) the tenant's sync secret: from now on every batch must be signed with it. */
export async function rotateSyncSecret(db: Db, tenantId: string): Promise<string> {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  await db
    .insertInto('contact_sync_secrets')
    .values({ tenant_id: tenantId, secret })
    .onConflict((conflict) => conflict.column('tenant_id').doUpdateSet({ secret, created_at: new Date() }))
    .execute();
  return secret;
}

export async function removeSyncSecret(db: Db, tenantId: string): Promise<boolean> {
  const result = await db.deleteFrom('contact_sync_secrets').where('tenant_id', '=', tenantId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Checks a delivery's Standard Webhooks signature (webhook-id, webhook-timestamp within five
 * minutes, webhook-signature) when the tenant has a secret; returns the delivery id to record
 * once the batch is applied, or null when the tenant has no secret. A delivery id already applied
 * is a replay.
 */
export async function verifySyncDelivery(
  db: Db,
  tenantId: string,
  body: Buffer,
  headers: Record<string, string | string[] | undefined>,
): Promise<string | null> {
  const secret = await syncSecret(db, tenantId);
  if (!secret) return null;
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  };
  const signed = { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp') };
  if (!signed['webhook-id'] || !signed['webhook-timestamp'] || !header('webhook-signature'))
    throw new KefuError(
      ErrorCodes.syncSignatureInvalid,
      'this tenant signs contact sync batches: send webhook-id, webhook-timestamp and webhook-signature',
      { status: 401 },
    );
  try {
    new Webhook(secret).verify(body, { ...signed, 'webhook-signature': header('webhook-signature') });
  } catch (error) {
    throw new KefuError(
      ErrorCodes.syncSignatureInvalid,
      `the batch signature does not verify: ${(error as Error).message}`,
      { status: 401 },
    );
  }
  const applied = await db
    .selectFrom('contact_sync_deliveries')
    .select('message_id')
    .where('tenant_id', '=', tenantId)
    .where('message_id', '=', signed['webhook-id'].slice(0, 200))
    .executeTakeFirst();
  if (applied)
    throw new KefuError(ErrorCodes.syncReplayed, `delivery ${signed['webhook-id']} was already applied`, {
      status: 409,
    });
  return signed['webhook-id'].slice(0, 200);
}

/** Records an applied delivery id (and forgets ids older than a day: their timestamps are long expired). */
export async function recordSyncDelivery(db: Db, tenantId: string, messageId: string): Promise<void> {
  await db
    .insertInto('contact_sync_deliveries')
    .values({ tenant_id: tenantId, message_id: messageId })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
  await db
    .deleteFrom('contact_sync_deliveries')
    .where('tenant_id', '=', tenantId)
    .where('received_at', '<', new Date(Date.now() - 24 * 3600_000))
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Scheduled pull settings

/** `contacts.sync` in tenant.yaml (tenants.settings). */
export const contactSyncSettingsSchema = z
  .object({
    url: z
      .string()
      .max(2000)
      .url()
      .refine((url) => /^https?:\/\//i.test(url), 'an http or https URL'),
    format: z.enum(['csv', 'json']).default('csv'),
    /** Minutes between pulls (aligned to the clock), or a cron expression in the tenant's time zone. */
    every: z.union([
      z.number().int().min(1).max(10_080),
      z.string().min(1).max(100).refine(isCronExpression, 'minutes (a number) or a cron expression'),
    ]),
    /** Column → field, as `kefu contacts import --map` (CSV sources). */
    mapping: z.record(z.string().min(1).max(200), z.string().min(1).max(200)).default({}),
    enabled: z.boolean().default(true),
  })
  .strict();

export type ContactSyncSettings = z.output<typeof contactSyncSettingsSchema>;

/** The tenant's pull settings (null when none), or the problem with them by path. */
export function readContactSyncSettings(raw: unknown): { sync: ContactSyncSettings | null; problem: string | null } {
  const value = (raw as { sync?: unknown } | null | undefined)?.sync;
  if (value === undefined || value === null) return { sync: null, problem: null };
  const parsed = contactSyncSettingsSchema.safeParse(value);
  if (parsed.success) return { sync: parsed.data, problem: null };
  const issue = parsed.error.issues[0]!;
  return { sync: null, problem: `contacts.sync.${issue.path.map(String).join('.')}: ${issue.message}` };
}

/** The occurrence of `every` due at `now` (within `windowMs`), or null. */
export function dueSyncOccurrence(
  every: ContactSyncSettings['every'],
  timeZone: string,
  now: Date,
  windowMs: number,
): Date | null {
  if (typeof every === 'string') return dueOccurrence(every, timeZone, now, windowMs);
  const period = every * 60_000;
  const occurrence = Math.floor(now.getTime() / period) * period;
  return now.getTime() - occurrence <= windowMs ? new Date(occurrence) : null;
}

// ---------------------------------------------------------------------------------------------
// Runs and the pull

export interface SyncRun extends SyncCounts {
  id: string;
  trigger: ContactSyncTrigger;
  occurrence: string;
  status: ContactSyncStatus;
  errors: Array<Record<string, unknown>>;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface ContactSyncDeps {
  db: Db;
  /** Allow sources on loopback and private networks (KEFU_WEBHOOK_ALLOW_PRIVATE; tests). */
  allowPrivateNetwork?: boolean;
  now?: () => Date;
  timeoutMs?: number;
}

/** Reads a web stream into byte chunks, failing past `limit` bytes. */
async function* limited(body: ReadableStream<Uint8Array>, limit: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > limit) throw new Error(`the source is larger than ${limit} bytes`);
    yield chunk;
  }
}

export class ContactSyncService {
  constructor(private readonly deps: ContactSyncDeps) {}

  #now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Claims a run: null when another node (or an earlier call) already has this occurrence. */
  async #claim(tenantId: string, trigger: ContactSyncTrigger, occurrence: string): Promise<string | null> {
    const row = await this.deps.db
      .insertInto('contact_sync_runs')
      .values({ id: randomUUID(), tenant_id: tenantId, trigger, occurrence, status: 'running' })
      .onConflict((conflict) => conflict.columns(['tenant_id', 'occurrence']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  async #finish(
    tenantId: string,
    runId: string,
    counts: SyncCounts,
    errors: Array<Record<string, unknown>>,
    error: string | null,
  ): Promise<SyncRun> {
    await this.deps.db
      .updateTable('contact_sync_runs')
      .set({
        status: error ? 'failed' : 'succeeded',
        rows: counts.rows,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        skipped: counts.skipped,
        errors: JSON.stringify(errors.slice(0, RUN_ERROR_LIMIT)),
        error: error ? error.slice(0, 500) : null,
        finished_at: new Date(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', runId)
      .execute();
    return (await this.getRun(tenantId, runId))!;
  }

  /** Applies one webhook batch and records it as a run. */
  async receiveBatch(tenantId: string, records: readonly unknown[]): Promise<SyncBatchResult & { runId: string }> {
    if (records.length > SYNC_BATCH_LIMIT)
      throw new KefuError(
        ErrorCodes.syncBatchTooLarge,
        `a batch has at most ${SYNC_BATCH_LIMIT} records (this one has ${records.length}): split it`,
        { status: 413 },
      );
    const runId = (await this.#claim(tenantId, 'webhook', `webhook:${randomUUID()}`))!;
    try {
      const result = await syncContactBatch(this.deps.db, tenantId, records);
      await this.#finish(tenantId, runId, result, skippedErrors(result.results), null);
      return { ...result, runId };
    } catch (error) {
      await this.#finish(tenantId, runId, emptyCounts(), [], (error as Error).message).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Pulls every tenant whose `contacts.sync` is due at `now`; each occurrence runs once in the
   * cluster (the run row is the claim). A tenant whose settings are wrong is reported to `onError`.
   */
  async runDuePulls(
    now: Date = this.#now(),
    options: { windowMs?: number; onError?: (error: unknown, tenantId: string) => void } = {},
  ): Promise<SyncRun[]> {
    const windowMs = options.windowMs ?? 10 * 60_000;
    const tenants = await this.deps.db
      .selectFrom('tenants')
      .select(['id', 'settings'])
      .where('status', '=', 'active')
      .where(sql<boolean>`jsonb_typeof(settings->'contacts'->'sync') = 'object'`)
      .orderBy('id')
      .execute();
    const runs: SyncRun[] = [];
    for (const tenant of tenants) {
      try {
        const raw = (tenant.settings ?? {}) as { contacts?: unknown; timezone?: unknown };
        const { sync, problem } = readContactSyncSettings(raw.contacts);
        if (problem)
          throw new KefuError(ErrorCodes.configInvalid, `the tenant's contacts sync is invalid: ${problem}`, {
            status: 409,
          });
        if (!sync || !sync.enabled) continue;
        const timeZone = typeof raw.timezone === 'string' ? raw.timezone : 'Asia/Shanghai';
        const due = dueSyncOccurrence(sync.every, timeZone, now, windowMs);
        if (!due) continue;
        const run = await this.pull(tenant.id, sync, `pull:${due.toISOString()}`);
        if (run) runs.push(run);
      } catch (error) {
        options.onError?.(error, tenant.id);
      }
    }
    return runs;
  }

  /**
   * One pull: fetches the source (through the SSRF guard), streams it through the importer and
   * records the run. A source that is down, answers an error or sends an unreadable file fails
   * the run and leaves every profile as it was; the next occurrence tries again. Null when the
   * occurrence was already claimed.
   */
  async pull(tenantId: string, sync: ContactSyncSettings, occurrence: string): Promise<SyncRun | null> {
    const runId = await this.#claim(tenantId, 'pull', occurrence);
    if (!runId) return null;
    let counts = emptyCounts();
    let errors: Array<Record<string, unknown>> = [];
    try {
      const response = await safeFetch(
        sync.url,
        {
          headers: {
            accept: sync.format === 'csv' ? 'text/csv, */*;q=0.5' : 'application/json',
            'user-agent': 'kefu-contacts-sync/1',
          },
          signal: AbortSignal.timeout(this.deps.timeoutMs ?? 120_000),
        },
        { allowPrivateNetwork: Boolean(this.deps.allowPrivateNetwork) },
      );
      if (response.status < 200 || response.status >= 300) {
        await response.body?.cancel().catch(() => undefined);
        throw new Error(
          response.status >= 300 && response.status < 400
            ? `the source answered HTTP ${response.status} (redirects are not followed: give the final URL)`
            : `the source answered HTTP ${response.status}`,
        );
      }
      if (!response.body) throw new Error('the source answered with an empty body');
      if (sync.format === 'csv') {
        const malformed: ImportRowError[] = [];
        const records = csvRecords(Readable.from(limited(response.body, SYNC_SOURCE_LIMIT_BYTES)), (line, message) =>
          malformed.push({ line, code: 'malformed', message }),
        );
        const summary = await importContacts(this.deps.db, tenantId, records, { map: sync.mapping }, malformed);
        counts = {
          rows: summary.rows,
          created: summary.created,
          updated: summary.updated - summary.unchanged,
          unchanged: summary.unchanged,
          skipped: summary.skipped,
        };
        errors = summary.errors.map((error) => ({ ...error }));
      } else {
        const chunks: Uint8Array[] = [];
        for await (const chunk of limited(response.body, JSON_SOURCE_LIMIT_BYTES)) chunks.push(chunk);
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          throw new Error('the source is not JSON');
        }
        const records = Array.isArray(parsed) ? parsed : (parsed as { records?: unknown } | null)?.records;
        if (!Array.isArray(records)) throw new Error('the source is neither a JSON array nor {"records": [...]}');
        for (let at = 0; at < records.length; at += SYNC_BATCH_LIMIT) {
          const result = await syncContactBatch(this.deps.db, tenantId, records.slice(at, at + SYNC_BATCH_LIMIT), {
            indexOffset: at,
          });
          counts = addCounts(counts, result);
          errors.push(...skippedErrors(result.results).slice(0, RUN_ERROR_LIMIT - errors.length));
        }
      }
      return await this.#finish(tenantId, runId, counts, errors, null);
    } catch (error) {
      const message =
        error instanceof ImportMappingError
          ? `the column mapping does not fit the source: ${error.message}`
          : error instanceof Error
            ? error.message
            : String(error);
      return this.#finish(tenantId, runId, counts, errors, message || 'the pull failed');
    }
  }

  async getRun(tenantId: string, runId: string): Promise<SyncRun | null> {
    const row = await this.deps.db
      .selectFrom('contact_sync_runs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', runId)
      .executeTakeFirst();
    return row ? runOf(row) : null;
  }

  /** The tenant's latest runs, newest first, and its pull settings (with their problem, if any). */
  async listRuns(tenantId: string, limit = 50) {
    const rows = await this.deps.db
      .selectFrom('contact_sync_runs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('started_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    const tenant = await this.deps.db
      .selectFrom('tenants')
      .select('settings')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    const { sync, problem } = readContactSyncSettings(
      ((tenant?.settings ?? {}) as { contacts?: unknown }).contacts ?? null,
    );
    return {
      pull: sync ? { url: sync.url, format: sync.format, every: sync.every, enabled: sync.enabled } : null,
      problem,
      signed: (await syncSecret(this.deps.db, tenantId)) !== null,
      runs: rows.map(runOf),
    };
  }
}

const emptyCounts = (): SyncCounts => ({ rows: 0, created: 0, updated: 0, unchanged: 0, skipped: 0 });

const addCounts = (a: SyncCounts, b: SyncCounts): SyncCounts => ({
  rows: a.rows + b.rows,
  created: a.created + b.created,
  updated: a.updated + b.updated,
  unchanged: a.unchanged + b.unchanged,
  skipped: a.skipped + b.skipped,
});

const skippedErrors = (results: SyncRecordResult[]) =>
  results
    .filter((result) => result.status === 'skipped')
    .map(({ index, externalId, code, field, message }) => ({ index, externalId, code, field, message }));

function runOf(row: {
  id: string;
  trigger: ContactSyncTrigger;
  occurrence: string;
  status: ContactSyncStatus;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  errors: Array<Record<string, unknown>>;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}): SyncRun {
  return {
    id: row.id,
    trigger: row.trigger,
    occurrence: row.occurrence,
    status: row.status,
    rows: row.rows,
    created: row.created,
    updated: row.updated,
    unchanged: row.unchanged,
    skipped: row.skipped,
    errors: row.errors,
    error: row.error,
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}

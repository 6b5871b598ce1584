import { randomUUID } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';

export interface AuditEntry {
  tenantId: string | null;
  /** Who: `operator:<operator key id>`, `key:<tenant key id>`, `agent:<id>`, `cli:<user>`, `system…`. */
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
  /** From where: the client address, user agent and request id, for HTTP actions. */
  sourceIp?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

/** Appends to the audit log. Call inside the same transaction as the action it records. */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: randomUUID(),
      tenant_id: entry.tenantId,
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      details: JSON.stringify(entry.details ?? {}),
      source_ip: entry.sourceIp ?? null,
      user_agent: entry.userAgent?.slice(0, 500) ?? null,
      request_id: entry.requestId ?? null,
      // Written from here (millisecond precision) so the pagination cursor round-trips exactly.
      created_at: new Date(),
    })
    .execute();
}

export interface AuditRecord {
  id: string;
  tenantId: string | null;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  sourceIp: string | null;
  userAgent: string | null;
  requestId: string | null;
  createdAt: Date;
}

export interface AuditQuery {
  tenantId?: string;
  actor?: string;
  /** An action name, or a prefix ending in `*` (`api_key.*`). */
  action?: string;
  from?: Date;
  /** Exclusive. */
  to?: Date;
  limit?: number;
  /** From the previous page's `nextCursor`. */
  cursor?: string;
}

function encodeCursor(record: { createdAt: Date; id: string }): string {
  return Buffer.from(`${record.createdAt.toISOString()}|${record.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(time ?? '');
  if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new KefuError(ErrorCodes.validation, 'invalid cursor');
  }
  return { createdAt, id };
}

/** The audit log, newest first, filtered and paginated by a keyset cursor. */
export async function queryAudit(
  db: Db,
  query: AuditQuery,
): Promise<{ entries: AuditRecord[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
  let select = db.selectFrom('audit_log').selectAll();
  if (query.tenantId) select = select.where('tenant_id', '=', query.tenantId);
  if (query.actor) select = select.where('actor', '=', query.actor);
  if (query.action) {
    if (query.action.endsWith('*')) {
      const prefix = query.action.slice(0, -1).replace(/[\\%_]/g, (character) => `\\${character}`);
      select = select.where('action', 'like', `${prefix}%`);
    } else {
      select = select.where('action', '=', query.action);
    }
  }
  if (query.from) select = select.where('created_at', '>=', query.from);
  if (query.to) select = select.where('created_at', '<', query.to);
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    select = select.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  }
  const rows = await select
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const entries = rows.slice(0, limit).map((row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    actor: row.actor,
    action: row.action,
    target: row.target,
    details: row.details,
    sourceIp: row.source_ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    createdAt: row.created_at,
  }));
  return { entries, nextCursor: rows.length > limit ? encodeCursor(entries[entries.length - 1]!) : null };
}

export const AUDIT_CSV_COLUMNS = [
  'id',
  'created_at',
  'tenant_id',
  'actor',
  'action',
  'target',
  'source_ip',
  'user_agent',
  'request_id',
  'details',
] as const;

/** CSV (RFC 4180, UTF-8 with a BOM so spreadsheet programs read Chinese correctly) of audit records. */
export function auditCsv(entries: readonly AuditRecord[]): string {
  const rows = entries.map((entry) => [
    entry.id,
    entry.createdAt.toISOString(),
    entry.tenantId ?? '',
    entry.actor,
    entry.action,
    entry.target ?? '',
    entry.sourceIp ?? '',
    entry.userAgent ?? '',
    entry.requestId ?? '',
    JSON.stringify(entry.details),
  ]);
  return '\ufeff' + stringify([[...AUDIT_CSV_COLUMNS], ...rows], { record_delimiter: '\r\n' });
}

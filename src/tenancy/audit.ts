import { randomUUID } from 'node:crypto';
import type { Db } from '../store/database.js';

export interface AuditEntry {
  tenantId: string | null;
  /** Who: `cli:<user>`, `key:<key id>`, `operator`, `system`. */
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
  sourceIp?: string | null;
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
    })
    .execute();
}

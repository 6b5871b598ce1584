import type { Insertable, Transaction } from 'kysely';
import type { Db } from '../store/database.js';
import type { DatabaseSchema } from '../store/schema.js';
import type { Meter } from './meters.js';
import type { UsageLedgerTable } from './store/metering-tables.js';

export interface UsageEntry {
  meter: Meter;
  quantity: number;
  /** Unique per tenant: the same key twice is written once (retries never bill twice). */
  dedupeKey: string;
  occurredAt?: Date;
  conversationId?: string | null;
  messageId?: string | null;
  turnId?: string | null;
  apiKeyId?: string | null;
  idempotencyKey?: string | null;
}

/**
 * Appends usage rows for one tenant. Call it with the transaction that commits the work being
 * measured, so the bill and the work commit (or roll back) together. Zero quantities are skipped.
 * Returns the rows actually written (a repeated dedupe key writes nothing).
 */
export async function appendUsage(
  trx: Db | Transaction<DatabaseSchema>,
  tenantId: string,
  entries: readonly UsageEntry[],
): Promise<number> {
  return insertUsageRows(trx, usageRows(tenantId, entries));
}

/** The ledger rows of `entries` (zero quantities skipped), for {@link insertUsageRows}. */
export function usageRows(tenantId: string, entries: readonly UsageEntry[]): Insertable<UsageLedgerTable>[] {
  return entries
    .filter((entry) => entry.quantity !== 0)
    .map((entry) => {
      if (!Number.isSafeInteger(entry.quantity) || entry.quantity < 0)
        throw new RangeError(`usage quantity must be a non-negative integer (${entry.meter})`);
      return {
        tenant_id: tenantId,
        meter: entry.meter,
        quantity: entry.quantity,
        dedupe_key: entry.dedupeKey,
        ...(entry.occurredAt ? { occurred_at: entry.occurredAt } : {}),
        conversation_id: entry.conversationId ?? null,
        message_id: entry.messageId ?? null,
        turn_id: entry.turnId ?? null,
        api_key_id: entry.apiKeyId ?? null,
        idempotency_key: entry.idempotencyKey ?? null,
      };
    });
}

/** Writes ledger rows (of any tenants) in one statement; a repeated dedupe key writes nothing. */
export async function insertUsageRows(
  trx: Db | Transaction<DatabaseSchema>,
  rows: readonly Insertable<UsageLedgerTable>[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await trx
    .insertInto('usage_ledger')
    .values([...rows])
    .onConflict((conflict) => conflict.columns(['tenant_id', 'dedupe_key']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** UTF-8 size of a stored text: what `storage.bytes` counts for messages. */
export function storedBytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

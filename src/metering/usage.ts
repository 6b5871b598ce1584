import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { Meters, type Meter } from './meters.js';

export type MeterTotals = Record<Meter, number>;

export interface UsageSummary {
  tenantId: string;
  from: string;
  to: string;
  /** Every meter's total in [from, to) (zero when unused). */
  meters: MeterTotals;
  messages: number;
  /** All turn meters together. */
  turns: number;
  llmTokensIn: number;
  llmTokensOut: number;
  connectorCalls: number;
  /** Bytes added in the range (storage held at a moment is `storageAt`). */
  storageBytes: number;
  /** How many ledger rows the figures were summed from. */
  ledgerRows: number;
}

export function emptyTotals(): MeterTotals {
  return Object.fromEntries(Meters.map((meter) => [meter, 0])) as MeterTotals;
}

function toNumber(value: unknown): number {
  const number = Number(value ?? 0);
  if (!Number.isSafeInteger(number)) throw new RangeError('usage total exceeds the safe integer range');
  return number;
}

/**
 * Usage per tenant in [from, to), summed from the ledger. With `tenantId`, that tenant only (and
 * one entry even when it used nothing); without, every tenant with ledger rows in the range
 * (the operator's view).
 */
export async function usageSummary(
  db: Db,
  options: { tenantId?: string; from: Date; to: Date },
): Promise<UsageSummary[]> {
  const rows = await db
    .selectFrom('usage_ledger')
    .select(['tenant_id', 'meter', sql<string>`sum(quantity)`.as('total'), sql<string>`count(*)`.as('rows')])
    .$if(options.tenantId !== undefined, (query) => query.where('tenant_id', '=', options.tenantId!))
    .where('occurred_at', '>=', options.from)
    .where('occurred_at', '<', options.to)
    .groupBy(['tenant_id', 'meter'])
    .execute();
  const byTenant = new Map<string, { meters: MeterTotals; rows: number }>();
  if (options.tenantId !== undefined) byTenant.set(options.tenantId, { meters: emptyTotals(), rows: 0 });
  for (const row of rows) {
    let entry = byTenant.get(row.tenant_id);
    if (!entry) byTenant.set(row.tenant_id, (entry = { meters: emptyTotals(), rows: 0 }));
    // Meters this version does not know (written by a newer node) are still counted as rows.
    if (row.meter in entry.meters) entry.meters[row.meter as Meter] = toNumber(row.total);
    entry.rows += toNumber(row.rows);
  }
  return [...byTenant.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tenantId, { meters, rows: ledgerRows }]) => ({
      tenantId,
      from: options.from.toISOString(),
      to: options.to.toISOString(),
      meters,
      messages: meters.messages,
      turns:
        meters['turns.light'] +
        meters['turns.playbook'] +
        meters['turns.llm'] +
        meters['turns.fallback'] +
        meters['turns.human'] +
        meters['turns.assist'],
      llmTokensIn: meters['llm.tokens_in'],
      llmTokensOut: meters['llm.tokens_out'],
      connectorCalls: meters['connector.calls'],
      storageBytes: meters['storage.bytes'],
      ledgerRows,
    }));
}

/** Bytes a tenant holds at `at`: every storage row before it (storage accrues, it is not monthly). */
export async function storageAt(db: Db, tenantId: string, at: Date): Promise<number> {
  const row = await db
    .selectFrom('usage_ledger')
    .select(sql<string>`coalesce(sum(quantity), 0)`.as('total'))
    .where('tenant_id', '=', tenantId)
    .where('meter', '=', 'storage.bytes')
    .where('occurred_at', '<', at)
    .executeTakeFirstOrThrow();
  return toNumber(row.total);
}

/** A billing period `YYYY-MM` as [from, to) in UTC, or null when malformed. */
export function periodBounds(period: string): { from: Date; to: Date } | null {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  if (year < 2000 || year > 9999) return null;
  return { from: new Date(Date.UTC(year, month, 1)), to: new Date(Date.UTC(year, month + 1, 1)) };
}

/** The calendar month (UTC) containing `at`. */
export function monthOf(at: Date): { period: string; from: Date; to: Date } {
  const from = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const to = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { period: from.toISOString().slice(0, 7), from, to };
}

import { randomUUID } from 'node:crypto';
import { sql, type ColumnType, type Insertable } from 'kysely';
import type { Db } from '../../store/database.js';

/** What the guard did with one outgoing message (an agent's override included). */
export type StyleCheckOutcome = 'passed' | 'fixed' | 'rewritten' | 'draft' | 'withheld' | 'blocked' | 'overridden';

export interface StyleChecksTable {
  id: string;
  tenant_id: string;
  message_id: string | null;
  kind: string;
  outcome: StyleCheckOutcome;
  /** The rules broken, comma-separated ('' when none). */
  rules: ColumnType<string, string | undefined, string>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface StyleChecksDatabase {
  style_checks: StyleChecksTable;
}

export interface StyleCheckRecord {
  tenantId: string;
  messageId: string | null;
  kind: string;
  outcome: StyleCheckOutcome;
  rules: readonly string[];
}

/** The row of one check result (see {@link recordStyleCheck}). */
export function styleCheckRow(record: StyleCheckRecord): Insertable<StyleChecksTable> {
  return {
    id: randomUUID(),
    tenant_id: record.tenantId,
    message_id: record.messageId,
    kind: record.kind.slice(0, 20),
    outcome: record.outcome,
    rules: [...new Set(record.rules)].join(',').slice(0, 500),
  };
}

/** Stores one check result; call inside the transaction that stores the message. */
export async function recordStyleCheck(db: Db, record: StyleCheckRecord): Promise<void> {
  await db.insertInto('style_checks').values(styleCheckRow(record)).execute();
}

export interface ConsistencyDay {
  /** The day in the tenant's time zone, YYYY-MM-DD. */
  day: string;
  messages: number;
  /** Went out exactly as written. */
  passed: number;
  consistency: number;
  byKind: Record<string, { messages: number; passed: number }>;
  byOutcome: Record<string, number>;
  byRule: Record<string, number>;
}

/**
 * The consistency score per day: the share of outgoing messages that passed the style guide
 * without change, with the counts behind it. Days are the tenant's (its time zone).
 */
export async function consistencyByDay(
  db: Db,
  tenantId: string,
  options: { from: Date; to: Date; timezone: string },
): Promise<ConsistencyDay[]> {
  const day = sql<string>`to_char(${sql.ref('created_at')} at time zone ${options.timezone}, 'YYYY-MM-DD')`;
  const rows = await db
    .selectFrom('style_checks')
    .select([day.as('day'), 'kind', 'outcome', 'rules', (eb) => eb.fn.countAll<string>().as('count')])
    .where('tenant_id', '=', tenantId)
    .where('created_at', '>=', options.from)
    .where('created_at', '<', options.to)
    // By position: the day expression's time-zone parameter would not match a second copy of it.
    .groupBy([sql`1`, 'kind', 'outcome', 'rules'])
    .execute();
  const days = new Map<string, ConsistencyDay>();
  for (const row of rows) {
    const count = Number(row.count);
    let entry = days.get(row.day);
    if (!entry) {
      entry = { day: row.day, messages: 0, passed: 0, consistency: 1, byKind: {}, byOutcome: {}, byRule: {} };
      days.set(row.day, entry);
    }
    const passed = row.outcome === 'passed' ? count : 0;
    entry.messages += count;
    entry.passed += passed;
    const kind = (entry.byKind[row.kind] ??= { messages: 0, passed: 0 });
    kind.messages += count;
    kind.passed += passed;
    entry.byOutcome[row.outcome] = (entry.byOutcome[row.outcome] ?? 0) + count;
    for (const rule of row.rules.split(',').filter(Boolean)) entry.byRule[rule] = (entry.byRule[rule] ?? 0) + count;
  }
  return [...days.values()]
    .map((entry) => ({
      ...entry,
      consistency: entry.messages === 0 ? 1 : Math.round((entry.passed / entry.messages) * 10_000) / 10_000,
    }))
    .sort((a, b) => a.day.localeCompare(b.day));
}

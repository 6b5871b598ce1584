import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** bigint columns come back from PostgreSQL as strings (they may not fit a JS number). */
type BigIntColumn = ColumnType<string | number, number | bigint | string, never>;

/** Append-only: no Updateable shape on purpose (a trigger refuses UPDATE/DELETE/TRUNCATE). */
export interface UsageLedgerTable {
  id: ColumnType<string, never, never>;
  tenant_id: string;
  meter: string;
  quantity: BigIntColumn;
  occurred_at: ColumnType<Date, Date | string | undefined, never>;
  dedupe_key: string;
  conversation_id: string | null;
  message_id: string | null;
  turn_id: string | null;
  api_key_id: string | null;
  idempotency_key: string | null;
}

export interface UsageWebhooksTable {
  tenant_id: string;
  url: string;
  secret: string;
  enabled: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsageWebhookDeliveriesTable {
  id: string;
  tenant_id: string;
  event_type: string;
  event_key: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  status: ColumnType<
    'pending' | 'delivered' | 'failed',
    'pending' | 'delivered' | 'failed' | undefined,
    'pending' | 'delivered' | 'failed'
  >;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_status: number | null;
  last_error: string | null;
  created_at: Timestamp;
  delivered_at: NullableTimestamp;
}

export interface MeteringDatabase {
  usage_ledger: UsageLedgerTable;
  usage_webhooks: UsageWebhooksTable;
  usage_webhook_deliveries: UsageWebhookDeliveriesTable;
}

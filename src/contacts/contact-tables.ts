import type { ColumnType, Generated, Selectable } from 'kysely';

// Row types of the tables created by src/store/migrations/20261211-0700-personal.ts.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
type JsonDefault<T> = ColumnType<T, string | undefined, string>;

export interface ContactProfilesTable {
  contact_id: string;
  tenant_id: string;
  phones: JsonDefault<string[]>;
  emails: JsonDefault<string[]>;
  tags: JsonDefault<string[]>;
  custom: JsonDefault<Record<string, unknown>>;
  consent: JsonDefault<Record<string, boolean>>;
  tier: string | null;
  time_zone: string | null;
  locale: string | null;
  version: Generated<number>;
  updated_at: Timestamp;
}

export interface ContactExternalIdsTable {
  tenant_id: string;
  source: string;
  external_id: string;
  contact_id: string;
  created_at: Timestamp;
}

export interface ContactMergesTable {
  id: string;
  tenant_id: string;
  contact_id: string;
  merged_contact_id: string;
  source: string;
  reason: string;
  details: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface WidgetVerifiedIdentitiesTable {
  identity_id: string;
  tenant_id: string;
  user_id: string;
  verified_at: Timestamp;
}

export interface ContactIdentitySecretsTable {
  tenant_id: string;
  secret: string;
  created_at: Timestamp;
}

export interface OutreachEventsTable {
  id: string;
  tenant_id: string;
  type: string;
  contact_id: string | null;
  external_id: string | null;
  payload: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export type DeliveryStatus = 'delivered' | 'queued' | 'webhook' | 'sms' | 'skipped' | 'expired' | 'failed';

export interface OutreachDeliveriesTable {
  id: string;
  tenant_id: string;
  event_id: string;
  contact_id: string;
  rule: string;
  channel: string;
  status: DeliveryStatus;
  reason: string | null;
  text: string;
  conversation_id: string | null;
  message_id: string | null;
  expires_at: NullableTimestamp;
  created_at: Timestamp;
  delivered_at: NullableTimestamp;
}

export type OfferEventKind = 'exposed' | 'held_out' | 'shown' | 'clicked' | 'converted';

export interface OfferEventsTable {
  id: string;
  tenant_id: string;
  offer_id: string;
  contact_id: string;
  conversation_id: string | null;
  kind: OfferEventKind;
  arm: 'treatment' | 'holdout';
  /** bigint: read back as a string. */
  order_value_cents: ColumnType<string, number | undefined, number>;
  external_id: string | null;
  created_at: Timestamp;
}

// Created by src/store/migrations/20261213-0500-contact-syncs.ts.

export type ContactSyncTrigger = 'pull' | 'webhook';
export type ContactSyncStatus = 'running' | 'succeeded' | 'failed';

export interface ContactSyncRunsTable {
  id: string;
  tenant_id: string;
  trigger: ContactSyncTrigger;
  occurrence: string;
  status: ContactSyncStatus;
  rows: ColumnType<number, number | undefined, number>;
  created: ColumnType<number, number | undefined, number>;
  updated: ColumnType<number, number | undefined, number>;
  unchanged: ColumnType<number, number | undefined, number>;
  skipped: ColumnType<number, number | undefined, number>;
  errors: JsonDefault<Array<Record<string, unknown>>>;
  error: string | null;
  started_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface ContactSyncSecretsTable {
  tenant_id: string;
  secret: string;
  created_at: Timestamp;
}

export interface ContactSyncDeliveriesTable {
  tenant_id: string;
  message_id: string;
  received_at: Timestamp;
}

/** The personal-service tables, joined into DatabaseSchema (src/store/schema.ts). */
export interface PersonalDatabase {
  contact_profiles: ContactProfilesTable;
  contact_external_ids: ContactExternalIdsTable;
  contact_merges: ContactMergesTable;
  widget_verified_identities: WidgetVerifiedIdentitiesTable;
  contact_identity_secrets: ContactIdentitySecretsTable;
  outreach_events: OutreachEventsTable;
  outreach_deliveries: OutreachDeliveriesTable;
  offer_events: OfferEventsTable;
  contact_sync_runs: ContactSyncRunsTable;
  contact_sync_secrets: ContactSyncSecretsTable;
  contact_sync_deliveries: ContactSyncDeliveriesTable;
}

export type ContactProfileRow = Selectable<ContactProfilesTable>;
export type OfferEventRow = Selectable<OfferEventsTable>;

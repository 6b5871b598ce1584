import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { KnowledgeDatabase } from '../knowledge/store/knowledge-tables.js';
import type { HandoffDatabase } from '../handoff/handoff-tables.js';
import type { MeteringDatabase } from '../metering/store/metering-tables.js';
import type { PersonalDatabase } from '../contacts/contact-tables.js';
import type { VoiceDatabase } from '../voice/voice-tables.js';
import type { StyleChecksDatabase } from '../guard/style/style-checks.js';
import type { LearningDatabase } from '../learning/signal-store.js';
import type { TrainingDatabase } from '../learning/training-tables.js';

/** Timestamps are written as Date (or default now()) and read back as Date. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb columns: written as a JSON string (node-postgres would turn arrays into PG arrays), read as parsed JSON. */
type Json<T> = ColumnType<T, string, string>;

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  locale: string;
  domain: string;
  status: 'active' | 'suspended';
  settings: Json<Record<string, unknown>>;
  /** The reseller plan (limits, prices); null = DEFAULT_PLAN. */
  plan_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PlansTable {
  id: string;
  slug: string;
  name: string;
  limits: Json<Record<string, unknown>>;
  prices: Json<Record<string, unknown>>;
  features: Json<string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  /** First characters of the key (e.g. `kefu_sk_3f9a…`), safe to display and grep for. */
  prefix: string;
  key_hash: string;
  scopes: Json<string[]>;
  expires_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  /** Revocation time; in the future while a rotated key's grace period runs. */
  revoked_at: NullableTimestamp;
  /** Set once when the key is rotated (migration 0310); a second rotation finds it set. */
  rotated_at: NullableTimestamp;
  replaced_by: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface ChannelsTable {
  id: string;
  tenant_id: string;
  kind: string;
  name: string;
  config: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface ContactsTable {
  id: string;
  tenant_id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  attributes: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface ContactIdentitiesTable {
  id: string;
  tenant_id: string;
  channel_id: string;
  contact_id: string;
  external_id: string;
  /** Bumped to revoke every widget token issued for this identity. */
  token_version: Generated<number>;
  created_at: Timestamp;
}

export type ConversationStatus = 'open' | 'pending' | 'resolved' | 'snoozed';

export interface ConversationsTable {
  id: string;
  tenant_id: string;
  display_id: number;
  channel_id: string;
  contact_id: string;
  status: ConversationStatus;
  assignee_kind: 'agent' | 'bot' | 'none';
  assignee_id: string | null;
  state: Json<Record<string, unknown>>;
  /** Bumped by every write of `state`; a turn writes only over the version it read (compare-and-set). */
  state_version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_message_at: Timestamp;
}

/** The last display id handed out per tenant (migration 20261212-0200); bigint arrives as a string. */
export interface ConversationCountersTable {
  tenant_id: string;
  last_display_id: ColumnType<string, number, number>;
}

export interface MessagesTable {
  id: string;
  /** Global insertion order; clients resume streams from the last seq they saw. */
  seq: ColumnType<string, never, never>;
  tenant_id: string;
  conversation_id: string;
  direction: 'incoming' | 'outgoing' | 'system';
  visibility: 'public' | 'internal';
  sender_kind: 'contact' | 'agent' | 'bot' | 'system';
  sender_id: string | null;
  content: Json<MessagePart[]>;
  text: string;
  external_id: string | null;
  turn_id: string | null;
  created_at: Timestamp;
}

export type MessagePart =
  | { type: 'text'; text: string }
  | { type: 'quick_replies'; options: string[] }
  | { type: 'citation'; source: string; title?: string; version?: number }
  | { type: 'handoff'; reason: string };

export interface TurnTracesTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  inbound_message_id: string;
  reply_message_id: string | null;
  route: 'auto' | 'assist' | 'human';
  tier: string;
  intent: string | null;
  confidence: number;
  latency_ms: number;
  trace: Json<Record<string, unknown>>;
  tokens_in: Generated<number>;
  tokens_out: Generated<number>;
  /** Cost of the turn in millionths of a yuan (bigint: read as a string). */
  cost_micros: ColumnType<string, number | undefined, number>;
  created_at: Timestamp;
}

export interface IntentsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  route: 'auto' | 'assist' | 'human';
  threshold: number | null;
  examples: Json<string[]>;
  answer: string | null;
  playbook: string | null;
  position: number;
  updated_at: Timestamp;
}

export interface FaqEntriesTable {
  id: string;
  tenant_id: string;
  external_id: string;
  question: string;
  answer: string;
  alternatives: Json<string[]>;
  category: string | null;
  sensitive: boolean;
  /** Answers per locale (`{ en, 'zh-TW' }`), migration 20261211-0800; null when the sheet has none. */
  answers: ColumnType<Record<string, string> | null, string | null | undefined, string | null>;
  content_hash: string;
  version: number;
  position: number;
  updated_at: Timestamp;
}

export interface DocumentsTable {
  id: string;
  tenant_id: string;
  path: string;
  title: string | null;
  content: string;
  content_hash: string;
  version: number;
  updated_at: Timestamp;
}

export interface PlaybooksTable {
  id: string;
  tenant_id: string;
  name: string;
  /** The playbook file as written (YAML text), so export gives back what was imported. */
  source: string;
  definition: Json<Record<string, unknown>>;
  updated_at: Timestamp;
}

export interface ConnectorRecordsTable {
  id: string;
  tenant_id: string;
  table_name: string;
  position: number;
  data: Json<Record<string, string>>;
}

export interface ModelVersionsTable {
  id: string;
  tenant_id: string;
  kind: string;
  version: number;
  artifact: Uint8Array;
  summary: Json<Record<string, unknown>>;
  active: boolean;
  created_at: Timestamp;
}

export interface AuditLogTable {
  id: string;
  tenant_id: string | null;
  actor: string;
  action: string;
  target: string | null;
  details: Json<Record<string, unknown>>;
  source_ip: string | null;
  user_agent: ColumnType<string | null, string | null | undefined, string | null>;
  request_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface SystemSettingsTable {
  key: string;
  value: string;
}

/** Every table: the core ones here, the knowledge ones (migration 0100) in src/knowledge/store. */
export interface DatabaseSchema
  extends
    KnowledgeDatabase,
    MeteringDatabase,
    HandoffDatabase,
    PersonalDatabase,
    VoiceDatabase,
    StyleChecksDatabase,
    LearningDatabase,
    TrainingDatabase {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  channels: ChannelsTable;
  contacts: ContactsTable;
  contact_identities: ContactIdentitiesTable;
  conversations: ConversationsTable;
  conversation_counters: ConversationCountersTable;
  messages: MessagesTable;
  turn_traces: TurnTracesTable;
  intents: IntentsTable;
  faq_entries: FaqEntriesTable;
  documents: DocumentsTable;
  playbooks: PlaybooksTable;
  connector_records: ConnectorRecordsTable;
  model_versions: ModelVersionsTable;
  audit_log: AuditLogTable;
  system_settings: SystemSettingsTable;
  plans: PlansTable;
  operator_keys: OperatorKeysTable;
}

/** Reseller credentials (`kefu_op_…`, migration 0310): separate from tenant keys, stored as a hash. */
export interface OperatorKeysTable {
  id: string;
  name: string;
  prefix: string;
  key_hash: string;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
}

export type TenantRow = Selectable<TenantsTable>;
export type NewTenantRow = Insertable<TenantsTable>;
export type TenantUpdate = Updateable<TenantsTable>;
export type ConversationRow = Selectable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type TurnTraceRow = Selectable<TurnTracesTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type PlanRow = Selectable<PlansTable>;
export type IntentRow = Selectable<IntentsTable>;
export type FaqEntryRow = Selectable<FaqEntriesTable>;
export type ContactRow = Selectable<ContactsTable>;
export type ChannelRow = Selectable<ChannelsTable>;

import type { ColumnType, Selectable } from 'kysely';

// Row types of the tables created by src/store/migrations/20261125-0200-handoff.ts.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type Presence = 'online' | 'away' | 'offline';
export type HandoffStatus = 'waiting' | 'assigned' | 'closed' | 'returned';
export type DraftStatus = 'pending' | 'approved' | 'edited' | 'rejected';

export interface AgentsTable {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  /** `scrypt$N$r$p$salt$hash` (base64url). */
  password_hash: string;
  skills: Json<string[]>;
  max_concurrent: ColumnType<number, number | undefined, number>;
  presence: ColumnType<Presence, Presence | undefined, Presence>;
  presence_changed_at: Timestamp;
  last_seen_at: NullableTimestamp;
  disabled_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface AgentSessionsTable {
  id: string;
  tenant_id: string;
  agent_id: string;
  token_hash: string;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface HandoffsTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  queue: string;
  status: HandoffStatus;
  reason: string;
  requested_by: 'bot' | 'customer' | 'agent' | 'system';
  route: 'human' | 'assist';
  intent: string | null;
  turn_id: string | null;
  agent_id: string | null;
  requested_at: Timestamp;
  /** When it (re-)entered the queue; position in line orders by it. */
  queued_at: Timestamp;
  assigned_at: NullableTimestamp;
  first_response_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  resolution_code: string | null;
  resolution_note: string | null;
  first_response_due_at: Timestamp;
  resolution_due_at: Timestamp;
  first_response_breached_at: NullableTimestamp;
  resolution_breached_at: NullableTimestamp;
  updated_at: Timestamp;
}

export interface HandoffEventsTable {
  id: string;
  tenant_id: string;
  handoff_id: string;
  conversation_id: string;
  kind: string;
  actor: string;
  details: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface DraftsTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  turn_id: string | null;
  message_id: string | null;
  text: string;
  parts: Json<unknown[]>;
  /** What it was written from: a model, the tenant's FAQ, its documents; null before this was kept. */
  basis: 'llm' | 'faq' | 'knowledge' | null;
  status: DraftStatus;
  final_text: string | null;
  edit_distance: number | null;
  reject_reason: string | null;
  agent_id: string | null;
  sent_message_id: string | null;
  decided_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface ConversationReadsTable {
  tenant_id: string;
  conversation_id: string;
  reader_kind: 'contact' | 'agent';
  reader_id: string;
  /** bigint: read back as a string. */
  last_read_seq: ColumnType<string, string, string>;
  updated_at: Timestamp;
}

export interface HandoffDatabase {
  agents: AgentsTable;
  agent_sessions: AgentSessionsTable;
  handoffs: HandoffsTable;
  handoff_events: HandoffEventsTable;
  drafts: DraftsTable;
  conversation_reads: ConversationReadsTable;
}

export type AgentRow = Selectable<AgentsTable>;
export type HandoffRow = Selectable<HandoffsTable>;
export type DraftRow = Selectable<DraftsTable>;

import type { ColumnType, Selectable } from 'kysely';

// Row types of the tables created by src/store/migrations/20261211-0600-voice.ts.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type VoiceProvider = 'twilio' | 'freeswitch' | 'cloud' | 'generic';
export type VoiceCallStatus = 'ringing' | 'active' | 'queued' | 'transferred' | 'ended';

export interface VoiceNumbersTable {
  id: string;
  tenant_id: string;
  /** Digits only (a leading + dropped): one number belongs to one tenant. */
  number: string;
  provider: VoiceProvider;
  /** The platform's signing secret (Twilio auth token, HMAC key, FreeSWITCH basic-auth password). */
  secret: string;
  language: ColumnType<string, string | undefined, string>;
  /** Where a call goes when the agent who accepts it has no line of their own (SIP URI, number or queue:name). */
  transfer_target: string | null;
  min_confidence: ColumnType<number, number | undefined, number>;
  /** Where kefu posts generic CTI events (newCall, answer, hangup) of the calls it hands to people. */
  cti_url: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface VoiceAgentLinesTable {
  tenant_id: string;
  agent_id: string;
  line: string;
  updated_at: Timestamp;
}

export interface VoiceCallsTable {
  id: string;
  tenant_id: string;
  provider: VoiceProvider;
  call_id: string;
  number_id: string | null;
  conversation_id: string | null;
  from_number: string;
  to_number: string;
  direction: 'inbound' | 'outbound';
  status: VoiceCallStatus;
  state: Json<Record<string, unknown>>;
  last_seq: ColumnType<number, number | undefined, number>;
  end_reason: string | null;
  last_event_at: Timestamp;
  answered_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface VoiceEventsTable {
  tenant_id: string;
  call_row_id: string;
  seq: number;
  kind: string;
  outcome: string;
  response: Json<unknown>;
  created_at: Timestamp;
}

export interface VoiceNoncesTable {
  tenant_id: string;
  nonce: string;
  expires_at: Timestamp;
}

export interface VoiceCallbacksTable {
  id: string;
  tenant_id: string;
  call_row_id: string;
  conversation_id: string | null;
  phone: string;
  queue: string;
  status: ColumnType<'open' | 'done', 'open' | 'done' | undefined, 'open' | 'done'>;
  created_at: Timestamp;
}

export interface VoiceDatabase {
  voice_numbers: VoiceNumbersTable;
  voice_agent_lines: VoiceAgentLinesTable;
  voice_calls: VoiceCallsTable;
  voice_events: VoiceEventsTable;
  voice_nonces: VoiceNoncesTable;
  voice_callbacks: VoiceCallbacksTable;
}

export type VoiceNumberRow = Selectable<VoiceNumbersTable>;
export type VoiceCallRow = Selectable<VoiceCallsTable>;

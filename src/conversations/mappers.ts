import type { ConversationRow, MessagePart, MessageRow, TurnTraceRow } from '../store/schema.js';

export interface Message {
  id: string;
  seq: string;
  conversationId: string;
  direction: 'incoming' | 'outgoing' | 'system';
  visibility: 'public' | 'internal';
  sender: { kind: 'contact' | 'agent' | 'bot' | 'system'; id: string | null };
  text: string;
  parts: MessagePart[];
  externalId: string | null;
  turnId: string | null;
  createdAt: string;
}

export interface Conversation {
  id: string;
  displayId: number;
  channelId: string;
  contactId: string;
  status: ConversationRow['status'];
  assignee: { kind: 'agent' | 'bot' | 'none'; id: string | null };
  createdAt: string;
  updatedAt: string;
  lastMessageAt: string;
}

export interface TurnTraceView {
  id: string;
  conversationId: string;
  inboundMessageId: string;
  replyMessageId: string | null;
  route: TurnTraceRow['route'];
  tier: string;
  intent: string | null;
  confidence: number;
  latencyMs: number;
  trace: Record<string, unknown>;
  createdAt: string;
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    seq: String(row.seq),
    conversationId: row.conversation_id,
    direction: row.direction,
    visibility: row.visibility,
    sender: { kind: row.sender_kind, id: row.sender_id },
    text: row.text,
    parts: row.content,
    externalId: row.external_id,
    turnId: row.turn_id,
    createdAt: row.created_at.toISOString(),
  };
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    displayId: row.display_id,
    channelId: row.channel_id,
    contactId: row.contact_id,
    status: row.status,
    assignee: { kind: row.assignee_kind, id: row.assignee_id },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    lastMessageAt: row.last_message_at.toISOString(),
  };
}

export function toTurnTrace(row: TurnTraceRow): TurnTraceView {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    inboundMessageId: row.inbound_message_id,
    replyMessageId: row.reply_message_id,
    route: row.route,
    tier: row.tier,
    intent: row.intent,
    confidence: row.confidence,
    latencyMs: row.latency_ms,
    trace: row.trace,
    createdAt: row.created_at.toISOString(),
  };
}

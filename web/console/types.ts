// Shapes of the agent API as docs/handoff.md describes them.
import type { Message } from '../shared/wire.js';

export type Presence = 'online' | 'away' | 'offline';

export interface Agent {
  id: string;
  email: string;
  name: string;
  skills: string[];
  maxConcurrent: number;
  presence: Presence;
  disabled: boolean;
  activeCount: number;
  lastSeenAt: string | null;
}

export interface AgentSummary {
  id: string;
  name: string;
  skills: string[];
  presence: Presence;
  activeCount: number;
  maxConcurrent: number;
}

export interface Handoff {
  id: string;
  conversationId: string;
  queue: string;
  status: 'waiting' | 'assigned' | 'closed' | 'returned';
  reason: string;
  requestedBy: string;
  route: 'human' | 'assist';
  intent: string | null;
  agentId: string | null;
  agentName: string | null;
  requestedAt: string;
  assignedAt: string | null;
  firstResponseAt: string | null;
  closedAt: string | null;
  resolutionCode: string | null;
  firstResponseDueAt: string | null;
  resolutionDueAt: string | null;
  firstResponseBreachedAt: string | null;
  resolutionBreachedAt: string | null;
  position: number | null;
  etaSeconds: number | null;
}

export interface Conversation {
  id: string;
  displayId: number;
  contactId: string;
  status: string;
  assignee: { kind: string; id: string | null };
  createdAt: string;
  lastMessageAt: string;
}

export interface QueueItem {
  conversation: Conversation;
  handoff: Handoff;
  lastMessage: Message | null;
  /** Not sent by every server version. */
  unread?: number;
}

export interface QueueSummary {
  name: string;
  skills: string[];
  assignment: string;
  waiting: number;
  agentsOnline: number;
  medianHandleSeconds: number | null;
  etaSeconds: number | null;
}

export interface Draft {
  id: string;
  conversationId: string;
  turnId: string | null;
  text: string;
  status: 'pending' | 'approved' | 'edited' | 'rejected';
  finalText: string | null;
  editDistance: number | null;
  agentId: string | null;
  decidedAt: string | null;
  createdAt: string;
}

export interface ConversationView {
  conversation: Conversation;
  handoff: Handoff | null;
  messages: Message[];
  drafts: Draft[];
  reads: { contact: string | null; agent: string | null };
}

export interface ContextPanel {
  summary: { text: string; method: string };
  turn: { intent: string | null; confidence: number; route: string; tier: string; reasons: string[] } | null;
  citations: Array<{ source: string; id?: string; version?: number | null }>;
  orders: Array<Record<string, string>>;
  ordersNote: string | null;
  suggestedReplies: Array<{ source: string; id: string; question: string; answer: string; score: number }>;
}

export const RESOLUTION_CODES = ['resolved', 'refunded', 'replaced', 'escalated', 'no_response', 'duplicate', 'other'] as const;

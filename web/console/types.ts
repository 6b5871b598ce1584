// Shapes of the agent API (docs/handoff.md), derived from the server's own schemas in
// src/protocol/agent.ts. Type-only imports: nothing from src/ (and no zod) reaches the bundle.
import type { z } from 'zod';
import type {
  agentSchema,
  agentSummarySchema,
  contextPanelSchema,
  conversationViewSchema,
  draftSchema,
  handoffSchema,
  presenceSchema,
  queueItemSchema,
  queueSummarySchema,
  resolutionCodeSchema,
} from '../../src/protocol/agent.js';
import type { conversationSchema } from '../../src/protocol/index.js';

export type Presence = z.infer<typeof presenceSchema>;
export type Agent = z.infer<typeof agentSchema>;
export type AgentSummary = z.infer<typeof agentSummarySchema>;
export type Handoff = z.infer<typeof handoffSchema>;
export type Conversation = z.infer<typeof conversationSchema>;
export type QueueItem = z.infer<typeof queueItemSchema> & {
  /** Not sent by every server version. */
  unread?: number;
};
export type QueueSummary = z.infer<typeof queueSummarySchema>;
export type Draft = z.infer<typeof draftSchema>;
export type ConversationView = z.infer<typeof conversationViewSchema>;
export type ContextPanel = z.infer<typeof contextPanelSchema>;

export const RESOLUTION_CODES = [
  'resolved',
  'refunded',
  'replaced',
  'escalated',
  'no_response',
  'duplicate',
  'other',
] as const satisfies readonly z.infer<typeof resolutionCodeSchema>[];

import { z } from 'zod';
import { conversationSchema, messageSchema } from './rest.js';
import { messageSeq } from './seq.js';

// The agent console's wire (docs/handoff.md): REST DTOs and the console WebSocket frames.

export const presenceSchema = z.enum(['online', 'away', 'offline']);
export const resolutionCodeSchema = z.enum([
  'resolved',
  'refunded',
  'replaced',
  'escalated',
  'no_response',
  'duplicate',
  'other',
]);

const skillList = z.array(z.string().trim().min(1).max(60)).max(50);

export const agentSchema = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    name: z.string(),
    skills: z.array(z.string()),
    maxConcurrent: z.number().int(),
    presence: presenceSchema,
    disabled: z.boolean(),
    activeCount: z.number().int(),
    lastSeenAt: z.string().nullable(),
  })
  .meta({ id: 'Agent' });

export const agentSummarySchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    skills: z.array(z.string()),
    presence: presenceSchema,
    activeCount: z.number().int(),
    maxConcurrent: z.number().int(),
  })
  .meta({ id: 'AgentSummary' });

export const createAgentBody = z
  .object({
    email: z.string().email().max(320),
    name: z.string().trim().min(1).max(200),
    password: z.string().min(8).max(200),
    skills: skillList.optional(),
    maxConcurrent: z.number().int().min(1).max(100).optional(),
  })
  .strict()
  .meta({ id: 'CreateAgent' });

export const updateAgentBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    skills: skillList.optional(),
    maxConcurrent: z.number().int().min(1).max(100).optional(),
    password: z.string().min(8).max(200).optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'UpdateAgent' });

export const agentLoginBody = z
  .object({
    tenant: z.string().min(1).max(64),
    email: z.string().min(1).max(320),
    password: z.string().min(1).max(200),
  })
  .strict()
  .meta({ id: 'AgentLogin' });

export const agentSessionResponse = z
  .object({ token: z.string(), expiresAt: z.string(), agent: agentSchema })
  .meta({ id: 'AgentSession' });

export const handoffSchema = z
  .object({
    id: z.string().uuid(),
    conversationId: z.string().uuid(),
    queue: z.string(),
    status: z.enum(['waiting', 'assigned', 'closed', 'returned']),
    reason: z.string(),
    requestedBy: z.enum(['bot', 'customer', 'agent', 'system']),
    route: z.enum(['human', 'assist']),
    intent: z.string().nullable(),
    intentName: z.string().nullable().optional().describe('the FAQ question or intent description'),
    agentId: z.string().nullable(),
    agentName: z.string().nullable(),
    requestedAt: z.string(),
    assignedAt: z.string().nullable(),
    firstResponseAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    resolutionCode: z.string().nullable(),
    firstResponseDueAt: z.string(),
    resolutionDueAt: z.string(),
    firstResponseBreachedAt: z.string().nullable(),
    resolutionBreachedAt: z.string().nullable(),
    position: z.number().int().nullable().describe('1 = next in line; null unless waiting'),
    etaSeconds: z
      .number()
      .nullable()
      .describe('median handle time × position ÷ slots of online agents; null when nobody of the queue is online'),
  })
  .meta({ id: 'Handoff' });

export const draftSchema = z
  .object({
    id: z.string().uuid(),
    conversationId: z.string().uuid(),
    turnId: z.string().nullable(),
    text: z.string(),
    basis: z
      .enum(['llm', 'faq', 'knowledge'])
      .nullable()
      .describe(
        "what the draft was written from: a model, the tenant's FAQ answers, its documents (null: not recorded)",
      ),
    status: z.enum(['pending', 'approved', 'edited', 'rejected']),
    finalText: z.string().nullable(),
    editDistance: z.number().int().nullable(),
    agentId: z.string().nullable(),
    decidedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Draft' });

export const queueItemSchema = z
  .object({
    conversation: conversationSchema,
    handoff: handoffSchema,
    lastMessage: messageSchema.nullable(),
    /** What the customer said last: the queue's preview. */
    lastCustomerMessage: messageSchema.nullable(),
  })
  .meta({ id: 'QueueItem' });

export const queueSummarySchema = z
  .object({
    name: z.string(),
    skills: z.array(z.string()),
    assignment: z.enum(['least_busy', 'round_robin', 'manual']),
    waiting: z.number().int(),
    agentsOnline: z.number().int(),
    slots: z.number().int(),
    medianHandleSeconds: z.number(),
    etaSeconds: z.number().nullable(),
    sla: z.object({ firstResponseSeconds: z.number().int(), resolutionSeconds: z.number().int() }),
  })
  .meta({ id: 'QueueSummary' });

export const conversationViewSchema = z
  .object({
    conversation: conversationSchema,
    handoff: handoffSchema.nullable(),
    messages: z.array(messageSchema),
    drafts: z.array(draftSchema),
    reads: z.object({ contact: z.string().nullable(), agent: z.string().nullable() }),
  })
  .meta({ id: 'ConversationView' });

export const contextPanelSchema = z
  .object({
    summary: z.object({ text: z.string(), method: z.enum(['extractive', 'llm']) }),
    turn: z
      .object({
        intent: z.string().nullable(),
        confidence: z.number(),
        route: z.string(),
        tier: z.string(),
        intentName: z.string().nullable().optional().describe('the FAQ question or intent description'),
        reasons: z.array(z.string()).describe('the trace reasons, in English for engineers'),
        why: z.string().nullable().optional().describe('why a person is needed, in the tenant locale'),
      })
      .nullable(),
    citations: z.array(
      z.object({ source: z.string(), id: z.string(), version: z.number(), title: z.string().optional() }),
    ),
    orders: z.array(z.record(z.string(), z.string())),
    ordersNote: z.string().nullable(),
    suggestedReplies: z.array(
      z.object({ source: z.string(), id: z.string(), question: z.string(), answer: z.string(), score: z.number() }),
    ),
    /** The contact's service history: earlier conversations, CSAT, proactive messages, offers (docs/personal.md). */
    history: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .meta({ id: 'ContextPanel' });

const seq = messageSeq;

export const agentMessageBody = z
  .object({
    text: z.string().max(200_000),
    clientId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Idempotency key: the same clientId again returns the first message'),
    visibility: z.enum(['public', 'internal']).optional().describe('internal = a note only agents see'),
    styleOverride: z
      .object({ reason: z.string().trim().min(2).max(500) })
      .strict()
      .optional()
      .describe('Send a message the style guide flags anyway, with the reason (audit log); not for compliance rules'),
  })
  .strict()
  .meta({ id: 'AgentMessage' });

/** The style guide's verdict on a text before it is sent (POST …/style-check). */
export const styleCheckBody = z.object({ text: z.string().max(200_000) }).strict();
const styleViolationSchema = z.object({
  rule: z.string(),
  compliance: z.boolean(),
  match: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  message: z.string(),
  suggestion: z.string(),
  fixable: z.boolean(),
  suggestedText: z.string().optional(),
});
export const styleCheckSchema = z
  .object({
    passed: z.boolean(),
    blocked: z.boolean(),
    fixed: z.string(),
    violations: z.array(styleViolationSchema),
    remaining: z.array(styleViolationSchema),
  })
  .meta({ id: 'StyleCheck' });

export const transferBody = z
  .object({
    agentId: z.string().uuid().optional(),
    queue: z.string().min(1).max(60).optional(),
    note: z.string().max(4000).optional(),
  })
  .strict()
  .refine(
    (value) => (value.agentId === undefined) !== (value.queue === undefined),
    'give exactly one of agentId and queue',
  )
  .meta({ id: 'Transfer' });

export const closeBody = z
  .object({ resolutionCode: resolutionCodeSchema, note: z.string().max(2000).optional() })
  .strict()
  .meta({ id: 'CloseConversation' });
export const readBody = z.object({ seq }).strict();
export const typingBody = z.object({ active: z.boolean() }).strict();
export const presenceBody = z.object({ presence: presenceSchema }).strict();
export const editDraftBody = z.object({ text: z.string().max(200_000) }).strict();
export const rejectDraftBody = z.object({ reason: z.string().max(1000).optional() }).strict();

/** Console WebSocket frames from the agent's browser. */
export const consoleClientEvent = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('conversation.subscribe'), conversationId: z.string().uuid(), afterSeq: seq.optional() })
    .strict(),
  z.object({ type: z.literal('conversation.unsubscribe'), conversationId: z.string().uuid() }).strict(),
  z
    .object({
      type: z.literal('message.create'),
      conversationId: z.string().uuid(),
      clientId: z.string().min(1).max(200),
      text: z.string().max(200_000),
      visibility: z.enum(['public', 'internal']).optional(),
    })
    .strict(),
  z.object({ type: z.literal('typing.update'), conversationId: z.string().uuid(), active: z.boolean() }).strict(),
  z.object({ type: z.literal('read.update'), conversationId: z.string().uuid(), seq }).strict(),
  z.object({ type: z.literal('presence.update'), presence: presenceSchema }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);
export type ConsoleClientEvent = z.infer<typeof consoleClientEvent>;

/** Widget WebSocket frames added by the hand-off (typing and read receipts from the customer). */
export const widgetHandoffClientEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('typing.update'), active: z.boolean() }).strict(),
  z.object({ type: z.literal('read.update'), seq }).strict(),
]);

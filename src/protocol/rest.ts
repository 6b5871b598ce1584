import { z } from 'zod';
import { messageSeq } from './seq.js';

// The wire: request and response shapes of the REST API. Imported by the server and the web
// front ends, never by storage code.

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details with a stable kefu error code' });

export const uuidParam = z.string().uuid();

export const messagePartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('quick_replies'), options: z.array(z.string()) }),
  z.object({
    type: z.literal('citation'),
    source: z.string(),
    title: z.string().optional(),
    version: z.number().optional(),
  }),
  z.object({ type: z.literal('handoff'), reason: z.string() }),
]);

export const messageSchema = z
  .object({
    id: z.string().uuid(),
    seq: z.string().describe('Position in the global message order; resume streams after it'),
    conversationId: z.string().uuid(),
    direction: z.enum(['incoming', 'outgoing', 'system']),
    visibility: z.enum(['public', 'internal']),
    sender: z.object({ kind: z.enum(['contact', 'agent', 'bot', 'system']), id: z.string().nullable() }),
    text: z.string(),
    parts: z.array(messagePartSchema),
    externalId: z.string().nullable(),
    turnId: z.string().uuid().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Message' });

export const conversationSchema = z
  .object({
    id: z.string().uuid(),
    displayId: z.number().int(),
    channelId: z.string().uuid(),
    contactId: z.string().uuid(),
    status: z.enum(['open', 'pending', 'resolved', 'snoozed']),
    assignee: z.object({ kind: z.enum(['agent', 'bot', 'none']), id: z.string().nullable() }),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastMessageAt: z.string(),
  })
  .meta({ id: 'Conversation' });

export const createConversationBody = z
  .object({
    channel: z
      .object({ kind: z.enum(['api', 'widget', 'ivr', 'webhook']), name: z.string().min(1).max(100).optional() })
      .strict()
      .optional(),
    contact: z
      .object({
        externalId: z.string().min(1).max(200).optional(),
        name: z.string().min(1).max(200).optional(),
        phone: z.string().min(3).max(40).optional(),
        email: z.string().email().max(320).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .meta({ id: 'CreateConversation' });

export const postMessageBody = z
  .object({
    text: z.string().max(200_000).describe('The customer message; trimmed, 1 to KEFU_MAX_MESSAGE_CHARS characters'),
    externalId: z.string().min(1).max(200).optional().describe('Idempotency key (or send the Idempotency-Key header)'),
  })
  .strict()
  .meta({ id: 'PostMessage' });

export const turnSummarySchema = z
  .object({
    id: z.string().uuid(),
    traceId: z.string().uuid(),
    route: z.enum(['auto', 'assist', 'human']),
    tier: z.string(),
    intent: z.string().nullable(),
    confidence: z.number(),
  })
  .meta({ id: 'TurnSummary' });

export const postMessageResponse = z
  .object({
    duplicate: z.boolean(),
    message: messageSchema,
    reply: messageSchema.nullable(),
    turn: turnSummarySchema.nullable(),
  })
  .meta({ id: 'PostMessageResult' });

export const traceSchema = z
  .object({
    id: z.string().uuid(),
    conversationId: z.string().uuid(),
    inboundMessageId: z.string().uuid(),
    replyMessageId: z.string().uuid().nullable(),
    route: z.enum(['auto', 'assist', 'human']),
    tier: z.string(),
    intent: z.string().nullable(),
    confidence: z.number(),
    latencyMs: z.number(),
    trace: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .meta({ id: 'TurnTrace' });

export const listMessagesQuery = z
  .object({
    after: messageSeq.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const listConversationsQuery = z
  .object({
    status: z.enum(['open', 'pending', 'resolved', 'snoozed']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict();

export const tenantSchema = z
  .object({
    id: z.string().uuid(),
    slug: z.string(),
    name: z.string(),
    locale: z.string(),
    domain: z.string(),
    status: z.enum(['active', 'suspended']),
  })
  .meta({ id: 'Tenant' });

export const widgetSessionBody = z
  .object({
    tenant: z.string().min(1).max(64).describe('Tenant slug (public)'),
    visitorId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,128}$/)
      .optional()
      .describe('Stable anonymous id kept by the widget'),
    conversationId: z.string().uuid().optional().describe('Resume this conversation if it belongs to the visitor'),
    locale: z
      .string()
      .max(35)
      .optional()
      .describe('The widget’s language (zh-CN, zh-TW, zh-HK, en): the greeting is written in it'),
    userId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('The signed-in user’s id in the business (docs/personal.md)'),
    userHash: z
      .string()
      .max(128)
      .optional()
      .describe('hex HMAC-SHA256 of userId with the tenant’s identity secret; required with userId'),
  })
  .strict()
  .meta({ id: 'WidgetSessionRequest' });

export const widgetSessionResponse = z
  .object({
    token: z.string(),
    conversationId: z.string().uuid(),
    contactId: z.string().uuid(),
    visitorId: z.string(),
    expiresAt: z.string(),
    /** What the widget shows on opening an empty conversation, in its language. */
    greeting: z.string().optional(),
  })
  .meta({ id: 'WidgetSession' });

/** WebSocket events from client to server. */
export const widgetClientEvent = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('message.create'), clientId: z.string().min(1).max(200), text: z.string().max(200_000) })
    .strict(),
  z.object({ type: z.literal('stream.resume'), afterSeq: messageSeq }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);
export type WidgetClientEvent = z.infer<typeof widgetClientEvent>;

export const costReportSchema = z
  .object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    turns: z.number().int(),
    tiers: z.array(
      z.object({
        tier: z.string(),
        turns: z.number().int(),
        share: z.number(),
        tokensIn: z.number(),
        tokensOut: z.number(),
        costYuan: z.number(),
      }),
    ),
    costYuan: z.number(),
    allLlmBaselineYuan: z.number(),
    baselineBasis: z.string(),
    savingYuan: z.number(),
    savingShare: z.number(),
  })
  .meta({ id: 'CostReport' });

export { messageSeq } from './seq.js';

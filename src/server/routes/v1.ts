import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  conversationSchema,
  createConversationBody,
  listConversationsQuery,
  listMessagesQuery,
  messageSchema,
  messageSeq,
  postMessageBody,
  postMessageResponse,
  problemSchema,
  costReportSchema,
  tenantSchema,
  traceSchema,
  uuidParam,
} from '../../protocol/index.js';
import { findTenantById } from '../../tenancy/index.js';
import { costReport, tenantPrices } from '../../reports/index.js';
import { tenantOf } from '../auth.js';
import { usageRoutes } from './usage.js';
import { followConversation } from '../conversation-stream.js';
import type { AppDeps } from '../create-app.js';
import { ErrorCodes, KefuError } from '../../errors/index.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
const conversationParams = z.object({ conversationId: uuidParam });
const security = [{ apiKey: [] }];

/**
 * The tenant REST API, every query scoped to the key's tenant. Registered inside the tenant API
 * zone (src/server/zones/tenant-api-zone.ts), which authenticates, rate-limits and audits.
 */
export async function v1Routes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/tenant', {
    config: { scopes: ['chat', 'conversations:read', 'kb:write', 'analytics:read'] },
    schema: {
      operationId: 'getTenant',
      tags: ['tenant'],
      summary: 'The tenant this key belongs to',
      security,
      response: { 200: tenantSchema, ...errors },
    },
    handler: async (request) => {
      const tenant = await findTenantById(deps.database.db, tenantOf(request));
      if (!tenant) throw new KefuError(ErrorCodes.tenantNotFound, 'tenant not found', { status: 404 });
      return {
        id: tenant.id,
        slug: tenant.slug,
        name: tenant.name,
        locale: tenant.locale,
        domain: tenant.domain,
        status: tenant.status,
      };
    },
  });

  api.post('/conversations', {
    config: { scopes: ['chat'] },
    schema: {
      operationId: 'createConversation',
      tags: ['conversations'],
      summary: 'Start a conversation',
      security,
      body: createConversationBody.nullish(),
      response: { 201: conversationSchema, ...errors },
    },
    handler: async (request, reply) => {
      const conversation = await deps.conversations.createConversation(tenantOf(request), request.body ?? {});
      return reply.code(201).send(conversation);
    },
  });

  api.get('/conversations', {
    config: { scopes: ['conversations:read'] },
    schema: {
      operationId: 'listConversations',
      tags: ['conversations'],
      summary: 'List conversations, newest first',
      security,
      querystring: listConversationsQuery,
      response: { 200: z.object({ conversations: z.array(conversationSchema) }), ...errors },
    },
    handler: async (request) => ({
      conversations: await deps.conversations.listConversations(tenantOf(request), request.query),
    }),
  });

  api.get('/conversations/:conversationId', {
    config: { scopes: ['chat', 'conversations:read'] },
    schema: {
      operationId: 'getConversation',
      tags: ['conversations'],
      summary: 'Get a conversation',
      security,
      params: conversationParams,
      response: { 200: conversationSchema, ...errors },
    },
    handler: async (request) => deps.conversations.getConversation(tenantOf(request), request.params.conversationId),
  });

  api.post('/conversations/:conversationId/messages', {
    config: { scopes: ['chat'] },
    schema: {
      operationId: 'postMessage',
      tags: ['conversations'],
      summary: 'Post a customer message and get the reply',
      description:
        'The message is committed before the turn runs; 201 means it is stored. The same `externalId` (or Idempotency-Key header) again returns the first result with 200 and `duplicate: true`.',
      security,
      params: conversationParams,
      headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }).passthrough(),
      body: postMessageBody,
      response: {
        200: postMessageResponse,
        201: postMessageResponse,
        409: problemSchema,
        422: problemSchema,
        503: problemSchema,
        ...errors,
      },
    },
    handler: async (request, reply) => {
      const externalId = request.body.externalId ?? (request.headers['idempotency-key'] as string | undefined);
      const result = await deps.conversations.postCustomerMessage(tenantOf(request), request.params.conversationId, {
        text: request.body.text,
        externalId,
        apiKeyId: request.principal?.keyId,
      });
      return reply.code(result.duplicate ? 200 : 201).send(result);
    },
  });

  api.get('/conversations/:conversationId/messages', {
    config: { scopes: ['chat', 'conversations:read'] },
    schema: {
      operationId: 'listMessages',
      tags: ['conversations'],
      summary: 'List messages in order (public ones; internal drafts need conversations:read)',
      security,
      params: conversationParams,
      querystring: listMessagesQuery,
      response: { 200: z.object({ messages: z.array(messageSchema) }), ...errors },
    },
    handler: async (request) => {
      const includeInternal = request.principal!.scopes.some(
        (scope) => scope === 'conversations:read' || scope === 'admin',
      );
      const messages = await deps.conversations.listMessages(tenantOf(request), request.params.conversationId, {
        afterSeq: request.query.after,
        limit: request.query.limit,
        includeInternal,
      });
      return { messages };
    },
  });

  api.get('/conversations/:conversationId/traces', {
    config: { scopes: ['conversations:read'] },
    schema: {
      operationId: 'listConversationTraces',
      tags: ['traces'],
      summary: 'Turn traces of a conversation',
      security,
      params: conversationParams,
      response: { 200: z.object({ traces: z.array(traceSchema) }), ...errors },
    },
    handler: async (request) => ({
      traces: await deps.conversations.listTraces(tenantOf(request), request.params.conversationId),
    }),
  });

  api.get('/traces/:traceId', {
    config: { scopes: ['chat', 'conversations:read'] },
    schema: {
      operationId: 'getTrace',
      tags: ['traces'],
      summary: 'The trace of one turn',
      security,
      params: z.object({ traceId: uuidParam }),
      response: { 200: traceSchema, ...errors },
    },
    handler: async (request) => deps.conversations.getTrace(tenantOf(request), request.params.traceId),
  });

  api.get('/reports/cost', {
    config: { scopes: ['analytics:read'] },
    schema: {
      operationId: 'getCostReport',
      tags: ['reports'],
      summary: 'Turns and cost per tier, and the saving against an all-LLM baseline',
      security,
      querystring: z
        .object({
          from: z.string().datetime({ offset: true }).optional(),
          to: z.string().datetime({ offset: true }).optional(),
        })
        .strict(),
      response: { 200: costReportSchema, ...errors },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      const prices = await tenantPrices(deps.database.db, tenantId, deps.config);
      return costReport(deps.database.db, tenantId, {
        from: request.query.from ? new Date(request.query.from) : undefined,
        to: request.query.to ? new Date(request.query.to) : undefined,
        ...prices,
      });
    },
  });

  api.get('/conversations/:conversationId/stream', {
    config: { scopes: ['chat', 'conversations:read'] },
    schema: {
      operationId: 'streamConversation',
      tags: ['conversations'],
      summary: 'Server-sent events: every message of the conversation from `after` (or Last-Event-ID) on',
      security,
      params: conversationParams,
      querystring: z.object({ after: messageSeq.optional() }).strict(),
      headers: z.object({ 'last-event-id': messageSeq.optional() }).passthrough(),
      response: { ...errors },
    },
    handler: async (request, reply) => {
      const tenantId = tenantOf(request);
      const { conversationId } = request.params;
      await deps.conversations.getConversation(tenantId, conversationId);
      const afterSeq = (request.headers['last-event-id'] as string | undefined) ?? request.query.after;
      reply.hijack();
      const raw = reply.raw;
      // The client may have left while the conversation was read: its close has passed, so
      // nothing registered below would ever be released.
      if (raw.destroyed || request.raw.destroyed) return;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': kefu stream\n\n');
      const includeInternal = request.principal!.scopes.some(
        (scope) => scope === 'conversations:read' || scope === 'admin',
      );
      const follower = followConversation(
        deps,
        { tenantId, conversationId, includeInternal },
        afterSeq,
        (message) => raw.write(`id: ${message.seq}\nevent: message.created\ndata: ${JSON.stringify(message)}\n\n`),
        // No id: deltas are provisional and not resumable; the turn's message.created carries the final text.
        (delta) => raw.write(`event: message.delta\ndata: ${JSON.stringify(delta)}\n\n`),
      );
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), 15_000);
      heartbeat.unref();
      const disposeShutdown = deps.onShutdown(() => {
        close();
        raw.end();
      });
      const close = () => {
        clearInterval(heartbeat);
        follower.stop();
        disposeShutdown();
      };
      raw.on('close', close);
    },
  });

  await usageRoutes(api, deps);
}

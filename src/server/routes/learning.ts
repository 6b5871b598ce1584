import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { listSignals, OUTCOMES, recordSignal } from '../../learning/signal-store.js';
import { problemSchema } from '../../protocol/index.js';
import { tenantOf } from '../auth.js';
import type { AppDeps } from '../create-app.js';
import { corsPreflight } from '../zones/cors-preflight.js';
import { contactOf } from '../zones/widget-zone.js';
import { requireConversation } from '../../conversations/index.js';

/**
 * Learning signals (docs/learning.md), joined to the turn trace: the widget records a customer's
 * suggestion click and thumbs on a bot reply; the tenant API records an agent's resolution tag
 * and a conversation's outcome, and lists them all. Registered inside two zones
 * (src/server/zones): `learningSignalRoutes` in /v1 (tenant key), `widgetFeedbackRoutes` in
 * /widget/v1 (contact token, cross-origin).
 */
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

const signalSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    traceId: z.string().nullable(),
    kind: z.enum(['suggestion_click', 'thumbs', 'resolution', 'outcome']),
    value: z.string(),
    actor: z.enum(['contact', 'agent', 'system']),
    actorId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    turn: z
      .object({
        route: z.string(),
        tier: z.string(),
        intent: z.string().nullable(),
        confidence: z.number(),
        text: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'LearningSignal' });

const widgetFeedbackBody = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('thumbs'), traceId: z.string().uuid(), value: z.enum(['up', 'down']) }).strict(),
    z
      .object({ kind: z.literal('suggestion_click'), traceId: z.string().uuid(), value: z.string().min(1).max(200) })
      .strict(),
  ])
  .meta({ id: 'WidgetFeedback' });

const tenantSignalBody = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('resolution'),
        conversationId: z.string().uuid(),
        traceId: z.string().uuid().optional(),
        value: z.string().min(1).max(200).describe('the FAQ id the conversation was really about, or "new"'),
        agentId: z.string().max(200).optional(),
        draftApproved: z.boolean().optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('outcome'),
        conversationId: z.string().uuid(),
        value: z.enum(OUTCOMES),
      })
      .strict(),
    z
      .object({
        kind: z.enum(['thumbs', 'suggestion_click']),
        conversationId: z.string().uuid(),
        traceId: z.string().uuid(),
        value: z.string().min(1).max(200),
      })
      .strict(),
  ])
  .meta({ id: 'LearningSignalRequest' });

/** /v1/learning/signals: inside the tenant API zone (its key auth, limits and audit). */
export async function learningSignalRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const db = deps.database.db;
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.post('/learning/signals', {
    config: { scopes: ['conversations:read'] },
    schema: {
      operationId: 'recordLearningSignal',
      tags: ['learning'],
      summary: "Record an agent's resolution tag, a conversation outcome, or a click/thumbs relayed by a channel",
      security: [{ apiKey: [] }],
      body: tenantSignalBody,
      response: { 201: signalSchema, ...errors },
    },
    handler: async (request, reply) => {
      const tenantId = tenantOf(request);
      const body = request.body;
      const stored = await recordSignal(db, tenantId, {
        conversationId: body.conversationId,
        traceId: 'traceId' in body ? (body.traceId ?? null) : null,
        kind: body.kind,
        value: body.value,
        actor: body.kind === 'resolution' ? 'agent' : body.kind === 'outcome' ? 'system' : 'contact',
        actorId: body.kind === 'resolution' ? (body.agentId ?? null) : null,
        details:
          body.kind === 'resolution' && body.draftApproved !== undefined ? { draftApproved: body.draftApproved } : {},
      });
      return reply.code(201).send(stored);
    },
  });
  api.get('/learning/signals', {
    config: { scopes: ['conversations:read', 'analytics:read'] },
    schema: {
      operationId: 'listLearningSignals',
      tags: ['learning'],
      summary: 'Learning signals, newest first, each with the turn it is about',
      security: [{ apiKey: [] }],
      querystring: z.object({
        kind: z.enum(['suggestion_click', 'thumbs', 'resolution', 'outcome']).optional(),
        conversationId: z.string().uuid().optional(),
        traceId: z.string().uuid().optional(),
        limit: z.coerce.number().int().min(1).max(1000).optional(),
      }),
      response: { 200: z.object({ signals: z.array(signalSchema) }), ...errors },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      // Another tenant's conversation is answered as a missing one (404), never as an empty list.
      if (request.query.conversationId) await requireConversation(db, tenantId, request.query.conversationId);
      return { signals: await listSignals(db, tenantId, request.query) };
    },
  });
}

/** /widget/v1/conversations/:id/feedback: inside the widget zone (contact token, cross-origin). */
export async function widgetFeedbackRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const db = deps.database.db;
  corsPreflight(app, '/conversations/:conversationId/feedback');
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.post('/conversations/:conversationId/feedback', {
    schema: {
      operationId: 'sendWidgetFeedback',
      tags: ['widget'],
      summary: 'Thumbs on a bot reply, or the suggested FAQ question the customer picked (widget contact token)',
      security: [{ widgetToken: [] }],
      params: z.object({ conversationId: z.string().uuid() }),
      body: widgetFeedbackBody,
      response: { 201: signalSchema, ...errors },
    },
    handler: async (request, reply) => {
      const claims = contactOf(request);
      const owned = await db
        .selectFrom('conversations')
        .select('id')
        .where('tenant_id', '=', claims.tenantId)
        .where('id', '=', request.params.conversationId)
        .where('contact_id', '=', claims.contactId)
        .executeTakeFirst();
      if (!owned) throw new KefuError(ErrorCodes.conversationNotFound, 'conversation not found', { status: 404 });
      const stored = await recordSignal(db, claims.tenantId, {
        conversationId: request.params.conversationId,
        traceId: request.body.traceId,
        kind: request.body.kind,
        value: request.body.value,
        actor: 'contact',
        actorId: claims.contactId,
      });
      return reply.code(201).send(stored);
    },
  });
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { problemSchema } from '../../protocol/index.js';
import { recordCsat } from '../../handoff/index.js';
import { corsPreflight } from '../zones/cors-preflight.js';
import type { AppDeps } from '../create-app.js';
import { contactOf } from '../zones/widget-zone.js';

const csatBody = z
  .object({
    score: z.number().int().min(1).max(5).describe('1 (very poor) to 5 (excellent)'),
    comment: z.string().max(500).optional(),
  })
  .strict()
  .meta({ id: 'CsatRequest' });

const csatResponse = z
  .object({
    score: z.number().int(),
    comment: z.string().nullable(),
    handoffId: z.string().uuid(),
    recordedAt: z.string(),
    duplicate: z.boolean(),
  })
  .meta({ id: 'Csat' });

/**
 * The customer's rating (CSAT, 1–5) of a conversation a person handled, from the widget. Stored
 * without a migration of its own as a `csat` row in `handoff_events` (actor `contact`, details
 * `{score, comment}`) against the conversation's latest hand-off, so it sits next to that
 * hand-off's resolution code and handle time. One rating per hand-off: a repeat answers with the
 * first (`duplicate: true`).
 */
export async function csatRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.database.db;

  corsPreflight(app, '/conversations/:conversationId/csat');

  api.post('/conversations/:conversationId/csat', {
    schema: {
      operationId: 'rateConversation',
      tags: ['widget'],
      summary: 'Rate a conversation handled by a person (widget contact token as Bearer)',
      security: [{ widgetToken: [] }],
      params: z.object({ conversationId: z.string().uuid() }),
      body: csatBody,
      response: {
        200: csatResponse,
        201: csatResponse,
        400: problemSchema,
        401: problemSchema,
        403: problemSchema,
        404: problemSchema,
        409: problemSchema,
      },
    },
    handler: async (request, reply) => {
      // The widget zone checked the token (signature, expiry, revocation) before the body was read.
      const claims = contactOf(request);
      const tenant = await db
        .selectFrom('tenants')
        .select('status')
        .where('id', '=', claims.tenantId)
        .executeTakeFirst();
      if (tenant?.status !== 'active')
        throw new KefuError(ErrorCodes.tenantSuspended, 'this service is suspended', { status: 403 });
      const { conversationId } = request.params;
      const owned = await db
        .selectFrom('conversations')
        .select('id')
        .where('tenant_id', '=', claims.tenantId)
        .where('id', '=', conversationId)
        .where('contact_id', '=', claims.contactId)
        .executeTakeFirst();
      if (!owned) throw new KefuError(ErrorCodes.conversationNotFound, 'conversation not found', { status: 404 });
      const { rating, created } = await recordCsat(db, {
        tenantId: claims.tenantId,
        conversationId,
        score: request.body.score,
        comment: request.body.comment ?? null,
      });
      return reply.code(created ? 201 : 200).send(rating);
    },
  });
}

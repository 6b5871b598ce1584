import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { problemSchema } from '../../protocol/index.js';
import { readWidgetToken } from '../../tenancy/index.js';
import type { AppDeps } from '../create-app.js';

const csatBody = z
  .object({
    score: z.number().int().min(1).max(5).describe('1 (very poor) to 5 (excellent)'),
    comment: z.string().max(500).optional(),
  })
  .strict()
  .meta({ id: 'CsatRequest' });

const csatResponse = z
  .object({ score: z.number().int(), comment: z.string().nullable(), handoffId: z.string().uuid(), recordedAt: z.string(), duplicate: z.boolean() })
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

  // The widget runs on the shop's own origin; the bearer token, not cookies, authorises it.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
  });
  app.options('/conversations/:conversationId/csat', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'authorization, content-type')
      .header('access-control-max-age', '600')
      .send(),
  );

  api.post('/conversations/:conversationId/csat', {
    schema: {
      tags: ['widget'],
      summary: 'Rate a conversation handled by a person (widget contact token as Bearer)',
      params: z.object({ conversationId: z.string().uuid() }),
      body: csatBody,
      response: { 200: csatResponse, 201: csatResponse, 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema },
    },
    handler: async (request, reply) => {
      const header = request.headers.authorization ?? '';
      const claims = header.startsWith('Bearer ') ? readWidgetToken(header.slice(7), deps.widgetSecret) : null;
      const identity = claims
        ? await db.selectFrom('contact_identities').select(['token_version']).where('tenant_id', '=', claims.tenantId).where('id', '=', claims.identityId).executeTakeFirst()
        : undefined;
      if (!claims || !identity || identity.token_version !== claims.version) {
        throw new KefuError(ErrorCodes.unauthorized, 'invalid or expired widget token', { status: 401 });
      }
      const tenant = await db.selectFrom('tenants').select('status').where('id', '=', claims.tenantId).executeTakeFirst();
      if (tenant?.status !== 'active') throw new KefuError(ErrorCodes.tenantSuspended, 'this service is suspended', { status: 403 });
      const { conversationId } = request.params;
      const owned = await db
        .selectFrom('conversations')
        .select('id')
        .where('tenant_id', '=', claims.tenantId)
        .where('id', '=', conversationId)
        .where('contact_id', '=', claims.contactId)
        .executeTakeFirst();
      if (!owned) throw new KefuError(ErrorCodes.conversationNotFound, 'conversation not found', { status: 404 });
      const handoff = await db
        .selectFrom('handoffs')
        .select(['id'])
        .where('tenant_id', '=', claims.tenantId)
        .where('conversation_id', '=', conversationId)
        .orderBy('requested_at', 'desc')
        .executeTakeFirst();
      if (!handoff) throw new KefuError(ErrorCodes.csatUnavailable, 'nothing to rate yet: no person has handled this conversation', { status: 409 });

      const existing = () =>
        db
          .selectFrom('handoff_events')
          .select(['details', 'created_at'])
          .where('tenant_id', '=', claims.tenantId)
          .where('handoff_id', '=', handoff.id)
          .where('kind', '=', 'csat')
          .orderBy('created_at')
          .executeTakeFirst();
      const answer = (row: { details: unknown; created_at: Date | string }, duplicate: boolean) => {
        const details = (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as { score: number; comment?: string | null };
        return { score: details.score, comment: details.comment ?? null, handoffId: handoff.id, recordedAt: new Date(row.created_at).toISOString(), duplicate };
      };
      const first = await existing();
      if (first) return reply.code(200).send(answer(first, true));
      const comment = request.body.comment?.trim() || null;
      await db
        .insertInto('handoff_events')
        .values({
          id: randomUUID(),
          tenant_id: claims.tenantId,
          handoff_id: handoff.id,
          conversation_id: conversationId,
          kind: 'csat',
          actor: 'contact',
          details: JSON.stringify({ score: request.body.score, comment }),
        })
        .execute();
      // Two tabs rating at once: the earliest row is the rating; the other answers as a repeat.
      const stored = (await existing())!;
      const mine = answer(stored, false);
      return reply.code(mine.score === request.body.score ? 201 : 200).send(mine.score === request.body.score ? mine : { ...mine, duplicate: true });
    },
  });
}

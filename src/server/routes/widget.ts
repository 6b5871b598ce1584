import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCodes, KefuError, isKefuError } from '../../errors/index.js';
import {
  messageSeq,
  problemSchema,
  widgetClientEvent,
  widgetSessionBody,
  widgetSessionResponse,
} from '../../protocol/index.js';
import { findTenantBySlug, issueWidgetToken, type WidgetTokenClaims } from '../../tenancy/index.js';
import { followConversation } from '../conversation-stream.js';
import { corsPreflight } from '../zones/cors-preflight.js';
import type { AppDeps } from '../create-app.js';
import { enforceMessageRate, enforceRate } from '../limits.js';
import { widgetGreeting } from './widget-greeting.js';
import { receiveFrames } from '../socket-frames.js';
import { linkWidgetToHandoff } from '../../handoff/index.js';
import { verifyWidgetUser } from '../../contacts/identity.js';
import { completeWidgetSession, mustStartFreshVisitor } from '../../contacts/widget-session.js';
import { widgetPresence } from '../../outreach/widget-presence.js';

/**
 * The customer widget's routes: a public session endpoint that issues a short-lived contact
 * token, and a WebSocket that speaks for exactly that contact's conversation. Registered inside
 * the widget zone (src/server/zones/widget-zone.ts), which checks the token.
 */
export async function widgetRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.database.db;
  const tenantIsActive = async (tenantId: string) =>
    (await db.selectFrom('tenants').select('status').where('id', '=', tenantId).executeTakeFirst())?.status ===
    'active';

  // The widget runs on the shop's own origin: sessions are public and carry no cookies, so any
  // origin may start one (the widget zone makes every answer, errors included, readable cross-origin).
  corsPreflight(app, '/sessions', { headers: 'content-type' });

  api.post('/sessions', {
    config: { public: true },
    schema: {
      operationId: 'startWidgetSession',
      tags: ['widget'],
      summary: 'Start or resume a widget session (public; returns a contact token)',
      security: [],
      body: widgetSessionBody,
      response: {
        201: widgetSessionResponse,
        400: problemSchema,
        403: problemSchema,
        404: problemSchema,
        429: problemSchema,
      },
    },
    handler: async (request, reply) => {
      const tenant = await findTenantBySlug(db, request.body.tenant);
      if (!tenant) throw new KefuError(ErrorCodes.tenantNotFound, 'tenant not found', { status: 404 });
      if (tenant.status !== 'active')
        throw new KefuError(ErrorCodes.tenantSuspended, 'this service is suspended', { status: 403 });
      // Sessions are public: each tenant's session rate is capped by its plan, like its API.
      if (deps.limits) await enforceRate(deps.limits, tenant.id, null, 'widget');
      // A signed user id (docs/personal.md): a forged signature is refused here, before anything is stored.
      const verifiedUser = await verifyWidgetUser(db, tenant.id, request.body);
      let visitorId = request.body.visitorId ?? randomBytes(16).toString('base64url');
      const channel = await db
        .selectFrom('channels')
        .select(['id', 'name'])
        .where('tenant_id', '=', tenant.id)
        .where('kind', '=', 'widget')
        .orderBy('created_at')
        .executeTakeFirst();
      let conversation = null as null | { id: string; contactId: string };
      let identity = channel
        ? await db
            .selectFrom('contact_identities')
            .select(['id', 'contact_id', 'token_version'])
            .where('tenant_id', '=', tenant.id)
            .where('channel_id', '=', channel.id)
            .where('external_id', '=', visitorId)
            .executeTakeFirst()
        : undefined;
      if (identity && (await mustStartFreshVisitor(db, tenant.id, identity.id, verifiedUser))) {
        identity = undefined;
        visitorId = randomBytes(16).toString('base64url');
      }
      if (identity && request.body.conversationId) {
        const existing = await db
          .selectFrom('conversations')
          .select(['id', 'contact_id'])
          .where('tenant_id', '=', tenant.id)
          .where('id', '=', request.body.conversationId)
          .where('contact_id', '=', identity.contact_id)
          .executeTakeFirst();
        if (existing) conversation = { id: existing.id, contactId: existing.contact_id };
      }
      const newVisitor = !identity;
      if (!conversation) {
        const created = await deps.conversations.createConversation(tenant.id, {
          channel: { kind: 'widget', ...(channel ? { name: channel.name, id: channel.id } : {}) },
          contact: { externalId: visitorId },
        });
        conversation = { id: created.id, contactId: created.contactId };
      }
      conversation.contactId = await completeWidgetSession(
        { db, bus: deps.bus },
        {
          tenantId: tenant.id,
          visitorId,
          contactId: conversation.contactId,
          conversationId: conversation.id,
          verifiedUser,
          newVisitor,
        },
      );
      const stored = await db
        .selectFrom('contact_identities')
        .select(['id', 'token_version'])
        .where('tenant_id', '=', tenant.id)
        .where('contact_id', '=', conversation.contactId)
        .where('external_id', '=', visitorId)
        .executeTakeFirstOrThrow();
      const exp = Math.floor(Date.now() / 1000) + deps.config.widget.tokenTtlSeconds;
      const claims: WidgetTokenClaims = {
        tenantId: tenant.id,
        contactId: conversation.contactId,
        identityId: stored.id,
        version: stored.token_version,
        exp,
      };
      return reply.code(201).send({
        token: issueWidgetToken(claims, deps.widgetSecret),
        conversationId: conversation.id,
        contactId: conversation.contactId,
        visitorId,
        expiresAt: new Date(exp * 1000).toISOString(),
        greeting: widgetGreeting(tenant, request.body.locale),
      });
    },
  });

  api.get(
    '/ws',
    {
      websocket: true,
      schema: {
        operationId: 'openWidgetSocket',
        tags: ['widget'],
        summary: 'WebSocket for one widget conversation (query: token, conversationId, after)',
        querystring: z
          .object({ token: z.string().max(2048), conversationId: z.string().uuid(), after: messageSeq.optional() })
          .strict(),
      },
    },
    async (socket, request) => {
      // Listen at once: frames that arrive while the token is being checked are queued, not lost.
      const frames = receiveFrames(socket, { log: request.log, kind: 'widget', onFailure: deps.onSocketFailure });
      const query = request.query as { token: string; conversationId: string; after?: string };
      const send = (payload: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
      };
      // The widget zone checked the token (?token=: browsers cannot set headers on a WebSocket).
      const claims = request.contact;
      const owned = claims
        ? await db
            .selectFrom('conversations')
            .select(['id'])
            .where('tenant_id', '=', claims.tenantId)
            .where('id', '=', query.conversationId)
            .where('contact_id', '=', claims.contactId)
            .executeTakeFirst()
        : undefined;
      if (claims && owned && !(await tenantIsActive(claims.tenantId))) {
        send({ type: 'error', code: ErrorCodes.tenantSuspended, message: 'this service is suspended' });
        socket.close(4403, 'tenant suspended');
        return;
      }
      if (!claims || !owned) {
        send({
          type: 'error',
          code: claims ? ErrorCodes.conversationNotFound : ErrorCodes.unauthorized,
          message: claims ? 'conversation not found' : 'invalid or expired widget token',
        });
        socket.close(4401, 'unauthorized');
        return;
      }
      // The client may have left while the token and the conversation were checked: its close has
      // passed, so nothing registered from here on would ever be released.
      if (socket.readyState !== socket.OPEN) return;
      const scope = { tenantId: claims.tenantId, conversationId: query.conversationId, includeInternal: false };
      const onDelta = (delta: { turnId: string; delta: string }) => send({ type: 'message.delta', ...delta });
      let follower = followConversation(
        deps,
        scope,
        query.after,
        (message) => send({ type: 'message.created', message }),
        onDelta,
      );
      const disposeShutdown = deps.onShutdown(() => socket.close(1012, 'restarting'));
      // Proactive messages go to an open widget (docs/personal.md).
      const leavePresence = widgetPresence.join(claims.tenantId, claims.contactId, query.conversationId);
      // Place in line, ETA, the agent's typing and read receipts (docs/handoff.md).
      const handoffLink = deps.handoff
        ? linkWidgetToHandoff(
            { bus: deps.bus, handoff: deps.handoff },
            { tenantId: claims.tenantId, conversationId: query.conversationId, contactId: claims.contactId },
            send,
          )
        : null;

      const handle = async (data: Buffer, isBinary: boolean): Promise<void> => {
        if (isBinary)
          return send({ type: 'error', code: ErrorCodes.unsupportedMediaType, message: 'send JSON text frames' });
        let event;
        try {
          const json: unknown = JSON.parse(data.toString('utf8'));
          if (handoffLink?.handleFrame(json)) return;
          event = widgetClientEvent.parse(json);
        } catch {
          return send({
            type: 'error',
            code: ErrorCodes.validation,
            message: 'malformed event: expected {"type":"message.create","clientId","text"}',
          });
        }
        if (event.type === 'ping') return send({ type: 'pong' });
        if (event.type === 'stream.resume') {
          follower.stop();
          follower = followConversation(
            deps,
            scope,
            event.afterSeq,
            (message) => send({ type: 'message.created', message }),
            onDelta,
          );
          return;
        }
        // A suspension holds at once for open sockets too: the tenant's status is read per message.
        if (!(await tenantIsActive(claims.tenantId))) {
          send({
            type: 'error',
            clientId: event.clientId,
            code: ErrorCodes.tenantSuspended,
            message: 'this service is suspended',
          });
          socket.close(4403, 'tenant suspended');
          return;
        }
        try {
          // Each message is a turn: it counts against the tenant's plan like any widget request, and
          // one visitor gets at most a typist's pace, so one socket cannot spend the whole tenant's rate.
          if (deps.limits) await enforceMessageRate(deps.limits, claims.tenantId, claims.contactId);
          const result = await deps.conversations.postCustomerMessage(claims.tenantId, query.conversationId, {
            text: event.text,
            externalId: `ws:${event.clientId}`,
          });
          send({
            type: 'message.ack',
            clientId: event.clientId,
            id: result.message.id,
            seq: result.message.seq,
            duplicate: result.duplicate,
          });
        } catch (error) {
          send({
            type: 'error',
            clientId: event.clientId,
            code: isKefuError(error) ? error.code : ErrorCodes.internal,
            message: isKefuError(error) ? error.message : 'internal error',
            ...(isKefuError(error) && typeof error.details?.retryAfterSeconds === 'number'
              ? { retryAfterSeconds: error.details.retryAfterSeconds }
              : {}),
          });
          if (!isKefuError(error)) request.log.error({ err: error }, 'widget message failed');
        }
      };
      frames.start(handle);
      const stopAll = () => {
        leavePresence();
        disposeShutdown();
        follower.stop();
        handoffLink?.stop();
      };
      socket.on('close', stopAll);
      socket.on('error', stopAll);
    },
  );
}

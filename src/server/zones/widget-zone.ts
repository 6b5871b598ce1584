import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import type { Db } from '../../store/database.js';
import { readWidgetToken, type WidgetTokenClaims } from '../../tenancy/index.js';
import type { ZoneDeps } from './index.js';
import { personalWidgetRoutes } from '../routes/personal.js';
import { csatRoutes } from '../routes/csat.js';
import { widgetFeedbackRoutes } from '../routes/learning.js';
import { widgetRoutes } from '../routes/widget.js';
import { bearerToken } from './bearer-token.js';
import { queryToken } from './query-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The widget contact whose token authenticated this request (routes under /widget/v1). */
    contact: WidgetTokenClaims | null;
  }
}

/** The authenticated widget contact of a request in the widget zone. */
export function contactOf(request: FastifyRequest): WidgetTokenClaims {
  if (!request.contact)
    throw new KefuError(ErrorCodes.unauthorized, 'invalid or expired widget token', { status: 401 });
  return request.contact;
}

/**
 * onRequest of the widget zone: a widget contact token, signed by this installation and not
 * revoked (its version equals the contact identity's). HTTP routes take it as a bearer header and
 * refuse without it; the socket takes it as `?token=` and, refused, closes in-band with 4401.
 * Routes with `config.public` (session start, CORS preflights) take none.
 */
export function widgetAuth(db: Db, secret: string) {
  return async function authenticateContact(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.routeOptions.config.public) return;
    const token = request.ws ? queryToken(request) : bearerToken(request);
    const claims = token ? readWidgetToken(token, secret) : null;
    const identity = claims
      ? await db
          .selectFrom('contact_identities')
          .select(['token_version'])
          .where('tenant_id', '=', claims.tenantId)
          .where('id', '=', claims.identityId)
          .executeTakeFirst()
      : undefined;
    const valid = claims && identity && identity.token_version === claims.version ? claims : null;
    request.contact = valid;
    if (valid || request.ws) return;
    reply.header('www-authenticate', 'Bearer realm="kefu-widget"');
    throw new KefuError(ErrorCodes.unauthorized, 'invalid or expired widget token', { status: 401 });
  };
}

/**
 * The customer widget's zone (/widget/v1, widget contact tokens). It runs on the shop's own
 * origin and carries no cookies, so every answer, errors included, is readable cross-origin.
 * Session start is public (it issues the token); everything else passes `widgetAuth`.
 */
export async function widgetZone(zone: FastifyInstance, deps: ZoneDeps): Promise<void> {
  zone.decorateRequest('contact', null);
  zone.addHook('onSend', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
  });
  zone.addHook('onRequest', widgetAuth(deps.database.db, deps.widgetSecret));
  await zone.register(async (scope) => widgetRoutes(scope, deps));
  await zone.register(async (scope) => csatRoutes(scope, deps));
  await zone.register(async (scope) => widgetFeedbackRoutes(scope, deps));
  await zone.register(async (scope) => personalWidgetRoutes(scope, deps));
}

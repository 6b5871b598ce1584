import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';
import { hasScope, verifyApiKey, type ApiKeyPrincipal, type Scope } from '../tenancy/index.js';
import { bearerToken } from './zones/bearer-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant API key that authenticated this request (routes under /v1). */
    principal: ApiKeyPrincipal | null;
  }
  interface FastifyContextConfig {
    /** Scopes any one of which lets a key call this route. */
    scopes?: readonly Scope[];
  }
}

/**
 * onRequest for the tenant API zone (/v1): a bearer tenant key with one of the route's scopes.
 * It runs before the body is read and validated, so a caller without a key learns nothing about
 * a route's schema and cannot make the server read a large body.
 */
export function apiKeyAuth(db: Db) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = bearerToken(request);
    if (!token) {
      reply.header('www-authenticate', 'Bearer realm="kefu"');
      throw new KefuError(ErrorCodes.unauthorized, 'missing or malformed bearer API key', { status: 401 });
    }
    const check = await verifyApiKey(db, token);
    if (!check.ok && check.reason === 'tenant_suspended') {
      // Only a valid, unexpired, unrevoked key learns that its tenant is suspended.
      throw new KefuError(ErrorCodes.tenantSuspended, 'this tenant is suspended; contact your service provider', {
        status: 403,
      });
    }
    if (!check.ok) {
      request.log.info({ reason: check.reason }, 'API key rejected');
      reply.header('www-authenticate', 'Bearer realm="kefu", error="invalid_token"');
      throw new KefuError(ErrorCodes.unauthorized, 'invalid, expired or revoked API key', { status: 401 });
    }
    // Fail closed: a route that declares no scope is for admin keys only.
    const declared = request.routeOptions.config.scopes ?? [];
    const needed: readonly Scope[] = declared.length > 0 ? declared : ['admin'];
    if (!needed.some((scope) => hasScope(check.principal.scopes, scope))) {
      throw new KefuError(
        ErrorCodes.forbiddenScope,
        `this key lacks the scope for this route (needs one of: ${needed.join(', ')})`,
        { status: 403 },
      );
    }
    request.principal = check.principal;
  };
}

export function tenantOf(request: FastifyRequest): string {
  if (!request.principal) throw new KefuError(ErrorCodes.unauthorized, 'not authenticated', { status: 401 });
  return request.principal.tenantId;
}

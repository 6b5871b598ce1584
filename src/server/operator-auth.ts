import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { verifyOperatorKey, type OperatorPrincipal } from '../operator/index.js';
import type { Db } from '../store/database.js';
import { recordAudit, type AuditEntry } from '../tenancy/index.js';
import { bearerToken } from './zones/bearer-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The operator key that authenticated this request (routes under /operator/v1). */
    operator: OperatorPrincipal | null;
  }
}

/**
 * onRequest for the operator zone (/operator/v1): a bearer operator key (`kefu_op_…`). Tenant keys never pass (their
 * prefix differs and they live in another table), and operator keys never pass /v1.
 */
export function operatorAuth(db: Db, bootstrapKey: string | undefined) {
  return async function authenticateOperator(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = bearerToken(request);
    const check = token ? await verifyOperatorKey(db, token, bootstrapKey) : null;
    if (!check?.ok) {
      if (check) request.log.info({ reason: check.reason }, 'operator key rejected');
      reply.header('www-authenticate', 'Bearer realm="kefu-operator"');
      throw new KefuError(ErrorCodes.unauthorized, 'missing, invalid or revoked operator key', { status: 401 });
    }
    request.operator = check.principal;
  };
}

/**
 * Who did it and from where, for the audit log: the operator key, tenant key or agent session
 * behind the request (`operator:<id>`, `key:<id>`, `agent:<id>`), its IP, user agent and request id.
 */
export function auditSource(
  request: FastifyRequest,
): Pick<AuditEntry, 'actor' | 'sourceIp' | 'userAgent' | 'requestId'> {
  // The agent principal is decorated by the agent zone (src/server/zones/agent-zone.ts); read it structurally.
  const agent = (request as { agent?: { agentId?: string } | null }).agent;
  const actor = request.operator
    ? `operator:${request.operator.keyId}`
    : request.principal
      ? `key:${request.principal.keyId}`
      : agent?.agentId
        ? `agent:${agent.agentId}`
        : 'anonymous';
  const userAgent = request.headers['user-agent'];
  return {
    actor,
    sourceIp: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
    requestId: request.id,
  };
}

/**
 * Audit hook of the tenant API zone (/v1): every successful change made by an admin-level
 * route (one whose scopes include `admin` or `kb:write`) is written to the audit log with who and
 * from where. Routes that record a richer entry themselves set `config.audited = true`.
 * Register it on `onSend` so the entry exists before the client sees its 2xx; it also works on
 * `onResponse` (it takes two arguments and resolves to nothing, which leaves an onSend payload as is).
 */
export function adminAuditHook(db: Db) {
  return async function auditAdminAction(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!request.principal || reply.statusCode >= 400) return;
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
    const config = request.routeOptions.config as { scopes?: readonly string[]; audited?: boolean };
    if (config.audited) return;
    const scopes = config.scopes ?? ['admin'];
    if (!scopes.some((scope) => scope === 'admin' || scope === 'kb:write')) return;
    try {
      await recordAudit(db, {
        tenantId: request.principal.tenantId,
        ...auditSource(request),
        action: `http.${request.method.toLowerCase()}`,
        target: request.routeOptions.url ?? null,
        details: { path: request.url.split('?')[0], status: reply.statusCode },
      });
    } catch (error) {
      request.log.error({ err: error }, 'writing the audit entry failed');
    }
  };
}

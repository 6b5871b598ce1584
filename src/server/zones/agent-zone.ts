import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { checkAgentToken, verifyAgentToken, type AgentPrincipal, type HandoffService } from '../../handoff/index.js';
import type { ZoneDeps } from './index.js';
import { personalAgentRoutes } from '../routes/personal.js';
import { agentRoutes } from '../routes/agent.js';
import { analyticsRoutes } from '../routes/analytics.js';
import { trainerRoutes } from '../routes/trainer.js';
import { bearerToken } from './bearer-token.js';
import { queryToken } from './query-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The agent session that authenticated this request (routes under /v1/agent). */
    agent: AgentPrincipal | null;
  }
}

/** The authenticated agent of a request in the agent zone. */
export function agentOf(request: FastifyRequest): AgentPrincipal {
  if (!request.agent) throw new KefuError(ErrorCodes.unauthorized, 'not authenticated', { status: 401 });
  return request.agent;
}

/**
 * The agent console's zone (/v1/agent, agent session tokens `kefu_at_…`). Every route but login
 * needs a session, checked in onRequest before the body is read; a request that passes also
 * counts as the agent's presence heartbeat. The console socket carries its token as `?token=`
 * (browsers cannot set headers on a WebSocket): the hook reads it, and the socket, once open,
 * tells a refused client why in a frame and closes with 4401, which a browser can read.
 */
export async function agentZone(zone: FastifyInstance, deps: ZoneDeps & { handoff: HandoffService }): Promise<void> {
  const db = deps.database.db;
  zone.decorateRequest('agent', null);
  zone.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.config.public) return;
    if (request.ws) {
      const token = queryToken(request);
      request.agent = token ? await verifyAgentToken(db, token) : null;
      return;
    }
    const token = bearerToken(request);
    const check = token ? await checkAgentToken(db, token) : null;
    if (check && !check.ok && check.reason === 'tenant_suspended')
      throw new KefuError(ErrorCodes.tenantSuspended, 'this service is suspended; contact your service provider', {
        status: 403,
      });
    if (!check?.ok) {
      reply.header('www-authenticate', 'Bearer realm="kefu-agent"');
      throw new KefuError(ErrorCodes.unauthorized, 'missing, invalid or expired agent session', { status: 401 });
    }
    const principal = check.principal;
    request.agent = principal;
    await deps.handoff.presence.touch(principal);
  });
  await zone.register(async (scope) => agentRoutes(scope, deps));
  await zone.register(async (scope) => trainerRoutes(scope, deps));
  await zone.register(async (scope) => analyticsRoutes(scope, deps));
  await zone.register(async (scope) => personalAgentRoutes(scope, deps));
}

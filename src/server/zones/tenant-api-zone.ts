import type { FastifyInstance } from 'fastify';
import { apiKeyAuth } from '../auth.js';
import type { ZoneDeps } from './index.js';
import { personalTenantRoutes } from '../routes/personal.js';
import { earlyRateLimitHook, rateLimitHook } from '../limits.js';
import { adminAuditHook } from '../operator-auth.js';
import { agentAdminRoutes } from '../routes/agent.js';
import { knowledgeRoutes } from '../routes/knowledge.js';
import { learningSignalRoutes } from '../routes/learning.js';
import { phrasingRoutes } from '../routes/phrasings.js';
import { v1Routes } from '../routes/v1.js';
import { trainerAdminRoutes } from '../routes/trainer.js';
import { styleAdminRoutes } from '../../guard/style/style-routes.js';

/**
 * The tenant API zone (/v1, tenant API keys): conversations, traces, reports, usage and bills,
 * knowledge files and agent accounts. Its hooks are registered here once, for every route in it:
 *
 * - onRequest: a recently seen key takes its rate tokens first (a flood is refused before any
 *   database lookup), then the key and the route's scopes are checked, then the tenant's and the
 *   key's rates. All of it runs before the body is read or validated.
 * - onSend: successful changes made by admin-level routes are written to the audit log.
 */
export async function tenantApiZone(zone: FastifyInstance, deps: ZoneDeps): Promise<void> {
  const db = deps.database.db;
  zone.decorateRequest('principal', null);
  if (deps.limits) zone.addHook('onRequest', earlyRateLimitHook(deps.limits));
  zone.addHook('onRequest', apiKeyAuth(db));
  if (deps.limits) zone.addHook('onRequest', rateLimitHook(deps.limits));
  zone.addHook('onSend', adminAuditHook(db));

  await zone.register(async (scope) => v1Routes(scope, deps));
  await zone.register(async (scope) => styleAdminRoutes(scope, deps));
  await zone.register(async (scope) => learningSignalRoutes(scope, deps));
  await zone.register(async (scope) => personalTenantRoutes(scope, deps));
  // Its own scope: there every body is a file's raw bytes.
  await zone.register(async (scope) => knowledgeRoutes(scope, deps));
  await zone.register(async (scope) => phrasingRoutes(scope, deps));
  const handoff = deps.handoff;
  if (handoff) await zone.register(async (scope) => agentAdminRoutes(scope, { ...deps, handoff }));
  if (handoff) await zone.register(async (scope) => trainerAdminRoutes(scope, deps));
}

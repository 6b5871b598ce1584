import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../create-app.js';
import { operatorAuth } from '../operator-auth.js';
import { operatorRoutes } from '../routes/operator.js';

/**
 * The operator zone (/operator/v1, operator keys `kefu_op_…`): plans, tenants, their keys, usage,
 * bills and the audit log. The key is checked in onRequest, before the body is read; the routes
 * write their own audit entries in the transaction of each change.
 */
export async function operatorZone(zone: FastifyInstance, deps: AppDeps): Promise<void> {
  zone.decorateRequest('operator', null);
  zone.addHook('onRequest', operatorAuth(deps.database.db, deps.config.operator.bootstrapKey));
  await zone.register(async (scope) => operatorRoutes(scope, deps));
}

import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../create-app.js';
import type { PersonalServices } from '../routes/personal.js';

/** What the zones' routes need: the app's dependencies and the services started for them. */
export type ZoneDeps = AppDeps & { personal: PersonalServices };
import { agentZone } from './agent-zone.js';
import { operatorZone } from './operator-zone.js';
import { tenantApiZone } from './tenant-api-zone.js';
import { widgetZone } from './widget-zone.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route takes no credential in its zone (logins, session starts, CORS preflights). */
    public?: boolean;
  }
}

export { agentOf } from './agent-zone.js';
export { bearerToken } from './bearer-token.js';
export { contactOf, widgetAuth } from './widget-zone.js';

/**
 * One encapsulated plugin per trust zone, each registering its authentication (in onRequest, so
 * nothing is parsed for a caller without a credential), limits and audit once for its routes.
 * Siblings, never nested: a zone's hooks cannot leak into another's routes.
 */
export async function registerZones(app: FastifyInstance, deps: ZoneDeps): Promise<void> {
  await app.register(async (zone) => tenantApiZone(zone, deps), { prefix: '/v1' });
  const handoff = deps.handoff;
  if (handoff) await app.register(async (zone) => agentZone(zone, { ...deps, handoff }), { prefix: '/v1/agent' });
  await app.register(async (zone) => widgetZone(zone, deps), { prefix: '/widget/v1' });
  await app.register(async (zone) => operatorZone(zone, deps), { prefix: '/operator/v1' });
}

import type { FastifyInstance } from 'fastify';
import { listTenants } from '../../tenancy/index.js';
import type { AppDeps } from '../create-app.js';
import { renderDemoPage } from './demo-page.js';

export async function demoRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    const tenants = (await listTenants(deps.database.db)).filter((tenant) => tenant.status === 'active');
    return reply.type('text/html; charset=utf-8').send(renderDemoPage(tenants));
  });
}

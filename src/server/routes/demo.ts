import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { listTenants } from '../../tenancy/index.js';
import type { AppDeps } from '../create-app.js';
import { demoLanguage, renderDemoPage } from './demo-page.js';
import { webDistDirectory } from './static.js';

export async function demoRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const tenants = (await listTenants(deps.database.db)).filter((tenant) => tenant.status === 'active');
    const origin = deps.config.server.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
    const html = renderDemoPage({
      tenants,
      selected: typeof query.tenant === 'string' ? query.tenant : undefined,
      lang: demoLanguage(typeof query.lang === 'string' ? query.lang : undefined, request.headers['accept-language']),
      origin,
      assetsBuilt: existsSync(path.join(webDistDirectory, 'widget', 'widget.js')),
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
}

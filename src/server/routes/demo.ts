import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { listTenants } from '../../tenancy/index.js';
import type { AppDeps } from '../create-app.js';
import { demoLanguage, renderDemoPage, renderLandingPage } from './demo-page.js';
import { webDistDirectory } from './static.js';

export async function demoRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    // Only the demo tenants loaded at start: the page is public, and a real tenant's name is not
    // for strangers. Without demo tenants (KEFU_DEMO=false) it is a plain landing page.
    const demoSlugs = new Set(deps.demoTenants ?? []);
    const lang = demoLanguage(
      typeof query.lang === 'string' ? query.lang : undefined,
      request.headers['accept-language'],
    );
    if (demoSlugs.size === 0)
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(renderLandingPage(lang));
    const tenants = (await listTenants(deps.database.db)).filter(
      (tenant) => tenant.status === 'active' && demoSlugs.has(tenant.slug),
    );
    const origin = deps.config.server.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
    const html = renderDemoPage({
      tenants,
      selected: typeof query.tenant === 'string' ? query.tenant : undefined,
      lang,
      origin,
      assetsBuilt: existsSync(path.join(webDistDirectory, 'widget', 'widget.js')),
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
}

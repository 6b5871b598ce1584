import type { FastifyInstance } from 'fastify';

/**
 * Answers the browser's CORS preflight for a widget route: the widget runs on the shop's own
 * origin and authorises with a bearer token, never cookies. The preflight itself takes no
 * credential (`config.public`); the widget zone adds Access-Control-Allow-Origin to every answer.
 */
export function corsPreflight(
  scope: FastifyInstance,
  url: string,
  options: { methods?: string; headers?: string } = {},
): void {
  scope.options(url, { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', options.methods ?? 'POST')
      .header('access-control-allow-headers', options.headers ?? 'authorization, content-type')
      .header('access-control-max-age', '600')
      .send(),
  );
}

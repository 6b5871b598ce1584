import type { FastifyRequest } from 'fastify';

/**
 * The `?token=` of a WebSocket upgrade (browsers cannot set an Authorization header on one), read
 * before the query is validated: a repeated or over-long parameter counts as no token.
 */
export function queryToken(request: FastifyRequest): string | null {
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' && token.length > 0 && token.length <= 2048 ? token : null;
}

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/test-database.js';
import type { Database } from '../store/database.js';
import { createApiKey, createTenant } from '../tenancy/index.js';
import { apiKeyAuth } from './auth.js';
import { errorToProblem, sendProblem } from './problem.js';

let database: Database & { dispose(): Promise<void> };
let app: FastifyInstance;
const keys: Record<string, string> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  const tenant = await createTenant(database.db, { slug: 'scope-test', name: '範圍測試 Scope test' });
  for (const scope of ['chat', 'conversations:read', 'kb:write', 'analytics:read', 'admin']) {
    keys[scope] = (await createApiKey(database.db, tenant.id, { name: scope, scopes: [scope] })).key;
  }
  app = Fastify();
  app.setErrorHandler((error, request, reply) => sendProblem(reply, errorToProblem(error, request)));
  app.decorateRequest('principal', null);
  app.addHook('preHandler', apiKeyAuth(database.db));
  app.get('/declared', { config: { scopes: ['analytics:read'] } }, async () => ({ ok: true }));
  app.get('/undeclared', async () => ({ ok: true }));
  await app.ready();
}, 60_000);
afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

const call = (url: string, key: string) => app.inject({ url, headers: { authorization: `Bearer ${key}` } });

describe('tenant key scopes', () => {
  it('lets a key with the declared scope (or admin) in and refuses every other scope with 403 problem+json', async () => {
    for (const [scope, key] of Object.entries(keys)) {
      const response = await call('/declared', key);
      const allowed = scope === 'analytics:read' || scope === 'admin';
      expect(response.statusCode, scope).toBe(allowed ? 200 : 403);
      if (!allowed) {
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(response.json().code).toBe('CS_FORBIDDEN_SCOPE');
      }
    }
  });

  it('fails closed: a route that declares no scope is for admin keys only', async () => {
    for (const [scope, key] of Object.entries(keys)) {
      expect((await call('/undeclared', key)).statusCode, scope).toBe(scope === 'admin' ? 200 : 403);
    }
  });
});

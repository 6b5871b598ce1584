import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../support/test-kefu.js';

/**
 * Threat: a caller without a credential learns a route's schema from its validation errors, or
 * makes the server read (and hold) a large body before it is refused. Each zone authenticates in
 * onRequest, before the body is parsed and before anything is validated.
 */
let kefu: TestKefu;
let base: string;

beforeAll(async () => {
  kefu = await createTestKefu();
  await kefu.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(kefu.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => kefu?.dispose());

function expectBareUnauthorized(response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(response.statusCode, response.body).toBe(401);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(body.code).toBe('CS_UNAUTHORIZED');
  // Nothing about the route's schema: no validation details, no field names.
  expect(body.errors).toBeUndefined();
  expect(response.body).not.toMatch(/schema|params|querystring|period|conversationId/);
}

describe('authentication before validation', () => {
  it('answers 401, not 400 with schema details, for GET /v1/billing/<36 characters> without a key', async () => {
    expectBareUnauthorized(await kefu.app.inject({ url: `/v1/billing/${'账'.repeat(36)}` }));
    expectBareUnauthorized(await kefu.app.inject({ url: `/v1/billing/${'x'.repeat(36)}?format=xml` }));
  });

  it('answers 401, not 400, for GET /v1/conversations/x without a key (and with a key of another zone)', async () => {
    expectBareUnauthorized(await kefu.app.inject({ url: '/v1/conversations/x' }));
    expectBareUnauthorized(
      await kefu.app.inject({ url: '/v1/conversations/x', headers: { authorization: 'Bearer kefu_at_不是钥匙' } }),
    );
    // The same request with a key gets the schema's answer: validation still runs, after authentication.
    const authorised = await kefu.app.inject({
      url: '/v1/conversations/x',
      headers: { authorization: `Bearer ${kefu.keyOf('shop-zh')}` },
    });
    expect(authorised.statusCode).toBe(400);
  });

  it('refuses an invalid body without a credential with 401 in every zone', async () => {
    const cases = [
      { method: 'POST', url: '/v1/conversations/x/messages', payload: { 文本: 1 } },
      { method: 'POST', url: '/v1/agent/conversations/x/messages', payload: { text: 5 } },
      { method: 'POST', url: '/widget/v1/conversations/x/csat', payload: { score: 'five' } },
      { method: 'POST', url: '/operator/v1/tenants', payload: { slug: '不合法' } },
    ] as const;
    for (const call of cases) expectBareUnauthorized(await kefu.app.inject(call));
  });

  it('refuses an unauthenticated 19 MB upload with 401 before the client has finished sending it', async () => {
    const total = 19 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const result = await new Promise<{ status: number; sentWhenAnswered: number; body: string }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const request = httpRequest(`${base}/v1/knowledge/files?name=${encodeURIComponent('退货政策.pdf')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/pdf', 'content-length': String(total) },
      });
      request.on('response', (response) => {
        answered = true;
        const sentWhenAnswered = sent;
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (text: string) => (body += text));
        response.on('end', () => {
          request.destroy();
          resolve({ status: response.statusCode ?? 0, sentWhenAnswered, body });
        });
      });
      request.on('error', (error) => {
        if (!answered) reject(error);
      });
      // Send the first megabyte, then hold back: the old code waited for all 19 MB before its 401.
      const pump = () => {
        while (!answered && sent < 1024 * 1024) {
          sent += chunk.length;
          if (!request.write(chunk)) return void request.once('drain', pump);
        }
      };
      pump();
      setTimeout(() => {
        if (!answered)
          reject(new Error(`no answer after sending ${sent} of ${total} bytes: the server waits for the whole body`));
      }, 10_000).unref();
    });
    expect(result.status).toBe(401);
    expect(result.sentWhenAnswered).toBeLessThan(total);
    expect(JSON.parse(result.body).code).toBe('CS_UNAUTHORIZED');
  });
});

describe('the OpenAPI document', () => {
  it("passes Redocly's recommended rules with no errors, and every operation has an operationId and declared security", async () => {
    const source = (await kefu.app.inject({ url: '/openapi.json' })).body;
    const document = JSON.parse(source) as { servers?: unknown[]; paths: Record<string, Record<string, any>> };
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source, absoluteRef: 'openapi.json', config });
    const errors = problems.filter((problem) => problem.severity === 'error');
    expect(
      errors.map((problem) => `${problem.ruleId}: ${problem.message} ${problem.location[0]?.pointer ?? ''}`),
    ).toEqual([]);
    const warnings = problems.filter((problem) => problem.severity === 'warn');
    console.info(`OpenAPI lint: ${errors.length} errors, ${warnings.length} warnings`);
    expect(warnings.filter((problem) => problem.ruleId === 'operation-operationId')).toEqual([]);

    expect(document.servers?.length).toBeGreaterThan(0);
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const name = `${method.toUpperCase()} ${path}`;
        expect(operation.operationId, name).toMatch(/^[a-z][A-Za-z0-9]*$/);
        expect(ids.has(operation.operationId), `${name}: operationId ${operation.operationId} is used twice`).toBe(
          false,
        );
        ids.add(operation.operationId);
        expect(Array.isArray(operation.security), `${name} declares its security`).toBe(true);
        const statuses = Object.keys(operation.responses ?? {});
        if (operation.security.length > 0) expect(statuses, `${name} documents its 401`).toContain('401');
      }
    }
  });
});

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from './support/test-kefu.js';

/**
 * Property: no input to any route of the OpenAPI document gets a 5xx. Paths, query strings,
 * headers and bodies are random (with real ids and keys mixed in so requests get past auth).
 */
let kefu: TestKefu;
let operations: Array<{ method: string; path: string }>;
let realIds: string[];
let keys: string[];

beforeAll(async () => {
  kefu = await createTestKefu();
  const document = (await kefu.app.inject({ url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map((method) => ({ method: method.toUpperCase(), path })),
  );
  const shopKey = kefu.keyOf('shop-zh');
  const conversation = (
    await kefu.app.inject({
      method: 'POST',
      url: '/v1/conversations',
      headers: { authorization: `Bearer ${shopKey}` },
      payload: {},
    })
  ).json();
  const turn = (
    await kefu.app.inject({
      method: 'POST',
      url: `/v1/conversations/${conversation.id}/messages`,
      headers: { authorization: `Bearer ${shopKey}` },
      payload: { text: '怎么退货' },
    })
  ).json();
  realIds = [conversation.id, turn.turn.traceId, turn.message.id];
  keys = [shopKey, kefu.keyOf('bank-zh')];
});
afterAll(async () => kefu?.dispose());

const segment = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('0', '-1', '%00', '..', '%E4%BD%A0', 'null', "' or 1=1 --", '9'.repeat(30)),
);
const jsonValue = fc.jsonValue({ maxDepth: 4 });
const body = fc.oneof(
  jsonValue.map((value) => ({ payload: JSON.stringify(value), type: 'application/json' })),
  fc
    .record({
      text: fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })),
      externalId: fc.option(fc.string({ maxLength: 250 }), { nil: undefined }),
    })
    .map((value) => ({ payload: JSON.stringify(value), type: 'application/json' })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ payload: Buffer.from(bytes), type: 'application/json' })),
  fc.string({ maxLength: 100 }).map((text) => ({ payload: text, type: 'text/plain' })),
  fc.constant({ payload: '', type: 'application/octet-stream' }),
);
const query = fc.dictionary(
  fc.constantFrom('after', 'limit', 'status', 'before', 'token', 'conversationId', 'x'),
  fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String)),
  { maxKeys: 4 },
);

describe('OpenAPI fuzz', () => {
  it('never answers 5xx', async () => {
    const statuses = new Map<number, number>();
    const covered = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(segment, { minLength: 3, maxLength: 3 }),
        fc.nat(),
        fc.oneof(fc.constant('valid'), fc.constant('none'), fc.string({ maxLength: 60 })),
        body,
        query,
        fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
        async (operationIndex, segments, idIndex, auth, requestBody, queryValues, idempotencyKey) => {
          const operation = operations[operationIndex % operations.length]!;
          let position = 0;
          const url = operation.path.replace(/\{[^}]+\}/g, () => {
            const value =
              position % 2 === 0 && idIndex % 3 !== 0
                ? realIds[idIndex % realIds.length]!
                : segments[position % segments.length]!;
            position += 1;
            return encodeURIComponent(value);
          });
          const headers: Record<string, string> = {};
          if (auth === 'valid') headers.authorization = `Bearer ${keys[idIndex % keys.length]}`;
          else if (auth !== 'none') headers.authorization = auth;
          if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
          const withBody = operation.method !== 'GET' && operation.method !== 'DELETE';
          if (withBody) headers['content-type'] = requestBody.type;
          const response = await kefu.app.inject({
            method: operation.method as 'GET',
            url,
            query: queryValues,
            headers,
            ...(withBody ? { payload: requestBody.payload } : {}),
          });
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
          if (response.statusCode < 300) covered.add(`${operation.method} ${operation.path}`);
          if (url.endsWith('/stream') && response.statusCode === 200) return; // a live stream, closed by inject
          expect(response.statusCode, `${operation.method} ${url} → ${response.body.slice(0, 300)}`).toBeLessThan(500);
          if (response.statusCode >= 400)
            expect(response.headers['content-type']).toContain('application/problem+json');
        },
      ),
      { numRuns: 600, seed: 20261125 },
    );
    // Not vacuous: plenty of requests got past auth and validation to the handlers.
    const succeeded = [...statuses].filter(([status]) => status < 300).reduce((sum, [, count]) => sum + count, 0);
    expect(succeeded).toBeGreaterThan(30);
    expect(covered.size).toBeGreaterThanOrEqual(6);
  }, 120_000);
});

import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApp, registeredRoutes } from '../../src/server/create-app.js';
import { ShutdownRegistry } from '../../src/server/shutdown-registry.js';
import { createTestKefu, type TestKefu } from '../support/test-kefu.js';

/**
 * Threat: tenant B reads, changes or learns about tenant A's data through any route.
 *
 * The routes come from /openapi.json, so a route added tomorrow is covered (or fails this test)
 * without anyone editing it. Each route is called with tenant B's credential (an `admin` key, so
 * a scope is never the reason for a refusal; B's agent token on agent routes) on tenant A's real
 * resource ids, and again on random ids: both must answer 404 or 403 with byte-identical bodies
 * (ids put in the URL are masked first), and no answer to B may contain A's ids, slug, name or
 * message text. Routes without ids must not leak A either. Operator routes must refuse a tenant
 * key. A route that is none of these must be listed in PUBLIC with a reason.
 */

/** Routes that take no tenant credential, with why that is safe. Each is still leak-checked. */
const PUBLIC: Record<string, string> = {
  'GET /healthz': 'liveness: a constant answer, no tenant data',
  'GET /readyz': 'readiness: database up or down, no tenant data',
  'GET /metrics': 'Prometheus counters aggregated over all tenants (no tenant labels); bind it to an internal network',
  'POST /widget/v1/sessions':
    "the widget's public session endpoint (tenant slugs are public); resuming another tenant's conversation is tested below",
  'POST /v1/agent/sessions':
    'agent login: one 401 for wrong tenant, email or password (tested with the hand-off routes)',
};

/**
 * Routes the OpenAPI document does not show (sockets, pages, tooling, CORS preflights) that take
 * no credential, with why that is safe. Hidden routes inside a zone need no entry: they are
 * swept like every other route of their zone.
 */
const HIDDEN_PUBLIC: Record<string, string> = {
  'GET /': 'the demo shop page: static HTML, demo tenants only',
  'GET /openapi.json': 'the API description, the same for everyone',
  'GET /widget.js': 'the widget script, the same for every shop',
  'GET /console': 'the agent console page; its API calls need an agent session',
  'GET /console/assets/*': "the console's static assets",
  'GET /demo/images/{file}': "the demo page's product pictures, SVG files from the repository",
  'OPTIONS /widget/v1/sessions': 'CORS preflight of the public session endpoint (a browser sends no credential)',
  'OPTIONS /widget/v1/conversations/{conversationId}/csat': 'CORS preflight (a browser sends no credential)',
  'OPTIONS /widget/v1/conversations/{conversationId}/feedback': 'CORS preflight (a browser sends no credential)',
};
/** Swagger UI: a page over the public document. */
const isSwaggerUi = (url: string) => url === '/docs' || url.startsWith('/docs/');

/**
 * Each zone by its prefix, longest first: a route under a prefix answers 401 problem+json to a
 * caller without that zone's credential, before its body is read or its input validated.
 */
const ZONES: Array<{ prefix: string; zone: string }> = [
  { prefix: '/v1/agent/', zone: 'agent' },
  { prefix: '/v1/', zone: 'tenant' },
  { prefix: '/widget/v1/', zone: 'widget' },
  { prefix: '/operator/v1/', zone: 'operator' },
];
/** Outside every zone: the loopback-only CLI socket, authenticated by its first frame (tested below). */
const LOCAL_CONTROL = 'GET /local/v1/cli';

/** Parameter values that are not resource ids (the same value is used in both calls). */
const NON_ID_PARAMS: Record<string, () => string> = {
  period: () => new Date().toISOString().slice(0, 7),
};

/** Ids the client makes up (idempotency keys): fresh random values, masked like resource ids. */
const CLIENT_GENERATED = new Set(['externalId', 'clientId', 'visitorId']);

/** GET routes whose A-side call cannot prove the id is real, with why. */
const UNPROVABLE: Record<string, string> = {
  'GET /v1/conversations/{conversationId}/stream':
    "server-sent events: the answer never ends, so it is not awaited with A's key",
};

type Credential = { kind: 'tenant' | 'agent' | 'widget'; header: string };

interface Operation {
  method: string;
  path: string;
  name: string;
  operation: any;
}

let kefu: TestKefu;
let doc: any;
const A = { slug: 'bank-zh', id: '', key: '', agentToken: null as string | null, widgetToken: '' };
const B = { slug: 'shop-zh', id: '', key: '', agentToken: null as string | null, widgetToken: '' };
/** Known ids of tenant A by parameter name; others are looked up in the table of the same name. */
const aIds: Record<string, string> = {};
/** Everything of A that must never appear in an answer to B. */
const aSecrets = new Set<string>();
/** What the test had to guess, reported at the end. */
const notes: string[] = [];
const MARKER = 'A租戶機密-订单7731-secret';

function resolveRef(schema: any): any {
  let current = schema;
  while (current && current.$ref) {
    const name = String(current.$ref).replace('#/components/schemas/', '');
    current = doc.components?.schemas?.[name];
  }
  return current;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (character) => `_${character.toLowerCase()}`);
}

/** A real id of tenant A for a parameter named `name` (`draftId` → table drafts), or null. */
async function lookupId(name: string): Promise<string | null> {
  if (aIds[name]) return aIds[name]!;
  const stem = snake(name.replace(/Id$/, ''));
  for (const table of [`${stem}s`, `${stem}es`, stem, `knowledge_${stem}s`, `${stem.replace(/y$/, 'ies')}`]) {
    try {
      const row = await sql<{
        id: string;
      }>`select id::text as id from ${sql.table(table)} where tenant_id = ${A.id} limit 1`.execute(kefu.database.db);
      if (row.rows[0]) {
        aIds[name] = row.rows[0].id;
        aSecrets.add(row.rows[0].id);
        notes.push(`param ${name}: tenant A's id from table ${table}`);
        return row.rows[0].id;
      }
    } catch {
      // no such table (or no tenant_id column): try the next name
    }
  }
  return null;
}

/** Fills ids for one call: tenant A's real ids, or fresh random ones; remembers what went where. */
class Filler {
  readonly used = new Map<string, string>();
  readonly missing: string[] = [];
  constructor(readonly mode: 'a' | 'random') {}

  async id(name: string): Promise<string> {
    const existing = this.used.get(name);
    if (existing) return existing;
    let value: string;
    if (NON_ID_PARAMS[name]) value = NON_ID_PARAMS[name]!();
    else if (this.mode === 'random' || CLIENT_GENERATED.has(name)) value = randomUUID();
    else {
      const real = await lookupId(name);
      if (!real) this.missing.push(name);
      value = real ?? randomUUID();
    }
    this.used.set(name, value);
    return value;
  }

  /** Masks the values this call put into the request, so echoes of them compare equal. */
  mask(text: string): string {
    let masked = text;
    for (const [name, value] of this.used) if (!NON_ID_PARAMS[name]) masked = masked.split(value).join(`<${name}>`);
    return masked;
  }

  isIdBearing(): boolean {
    return [...this.used.keys()].some((name) => !NON_ID_PARAMS[name]);
  }

  /** A value that satisfies a JSON schema, with ids (fields named *Id or format uuid) filled. */
  async sample(input: any, name: string): Promise<unknown> {
    const schema = resolveRef(input);
    if (!schema) return undefined;
    if (schema.const !== undefined) return schema.const;
    if (Array.isArray(schema.enum)) return schema.enum[0];
    const options = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(options))
      return this.sample(options.find((option: any) => resolveRef(option)?.type !== 'null') ?? options[0], name);
    if (Array.isArray(schema.allOf)) return this.sample(schema.allOf[0], name);
    const type = Array.isArray(schema.type) ? schema.type.find((entry: string) => entry !== 'null') : schema.type;
    if (type === 'object' || (!type && schema.properties)) {
      const result: Record<string, unknown> = {};
      const properties = schema.properties ?? {};
      for (const key of Object.keys(properties)) {
        const required = (schema.required ?? []).includes(key);
        if (required || /Id$/.test(key)) result[key] = await this.sample(properties[key], key);
      }
      // A body of optional fields only (a PATCH) gets its first field, so the call means something.
      const first = Object.keys(properties)[0];
      if (Object.keys(result).length === 0 && first && name === 'body')
        result[first] = await this.sample(properties[first], first);
      return result;
    }
    if (type === 'array') {
      const count = Math.max(schema.minItems ?? 0, 0);
      const items = [];
      for (let index = 0; index < count; index++) items.push(await this.sample(schema.items, name));
      return items;
    }
    if (type === 'integer' || type === 'number') {
      if (typeof schema.minimum === 'number') return Math.max(schema.minimum, 1);
      if (typeof schema.exclusiveMinimum === 'number') return schema.exclusiveMinimum + 1;
      return 1;
    }
    if (type === 'boolean') return false;
    if (type === 'string' || !type) {
      if (schema.format === 'uuid' || /Id$/.test(name)) return this.id(name);
      if (schema.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      if (schema.format === 'uri' || schema.format === 'url' || /url$/i.test(name))
        return 'https://example.com/kefu-isolation-hook';
      if (schema.format === 'email') return 'isolation@example.com';
      if (name === 'tenant') return B.slug;
      const candidates = [
        name === 'text' ? 'B 的消息 hello' : 'sample',
        '1',
        'sample-1',
        'a',
        'AAAAAAAA',
        '2026-11',
        'zh-CN',
      ];
      const fit = (text: string) => {
        let value = text;
        if (typeof schema.minLength === 'number') while (value.length < schema.minLength) value += value.slice(-1);
        if (typeof schema.maxLength === 'number') value = value.slice(0, schema.maxLength);
        return value;
      };
      const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : null;
      return candidates.map(fit).find((value) => !pattern || pattern.test(value)) ?? fit(candidates[0]!);
    }
    return undefined;
  }
}

function operations(): Operation[] {
  const result: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, operation] of Object.entries<any>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      result.push({ method: method.toUpperCase(), path, name: `${method.toUpperCase()} ${path}`, operation });
    }
  }
  // Deletions last, so they cannot take away what other routes are called with.
  return result.sort((left, right) => Number(left.method === 'DELETE') - Number(right.method === 'DELETE'));
}

function credentialFor(operation: Operation, tenant: typeof A): Credential | 'operator' | 'public' | null {
  const schemes: string[] = (operation.operation.security ?? []).flatMap((entry: Record<string, unknown>) =>
    Object.keys(entry),
  );
  if (PUBLIC[operation.name]) return 'public';
  if (operation.path.startsWith('/operator/') || schemes.includes('operatorKey')) return 'operator';
  if (operation.path.startsWith('/v1/agent/') || schemes.some((scheme) => /agent/i.test(scheme))) {
    return tenant.agentToken ? { kind: 'agent', header: `Bearer ${tenant.agentToken}` } : null;
  }
  if (operation.path.startsWith('/widget/')) return { kind: 'widget', header: `Bearer ${tenant.widgetToken}` };
  if (operation.path.startsWith('/v1/') || schemes.includes('apiKey'))
    return { kind: 'tenant', header: `Bearer ${tenant.key}` };
  return null;
}

async function buildRequest(operation: Operation, filler: Filler) {
  let url = operation.path;
  const query = new URLSearchParams();
  for (const parameter of operation.operation.parameters ?? []) {
    if (parameter.in === 'path')
      url = url.replace(
        `{${parameter.name}}`,
        encodeURIComponent(String(await filler.sample(parameter.schema ?? { type: 'string' }, parameter.name))),
      );
    // Required query parameters, and any that names a resource (`?conversationId=`), are filled.
    else if (parameter.in === 'query' && (parameter.required || /Id$/.test(parameter.name)))
      query.set(parameter.name, String(await filler.sample(parameter.schema, parameter.name)));
  }
  const bodySchema = operation.operation.requestBody?.content?.['application/json']?.schema;
  const payload = bodySchema ? await filler.sample(bodySchema, 'body') : undefined;
  return { url: query.size ? `${url}?${query.toString()}` : url, payload };
}

/** Response headers that could carry an id or a name (checked for leaks with the body). */
const REVEALING_HEADERS = ['location', 'content-location', 'content-disposition', 'link', 'www-authenticate'];

function visibleText(response: { body: string; headers: Record<string, unknown> }): string {
  const headers = REVEALING_HEADERS.map((name) => response.headers[name]).filter((value) => value !== undefined);
  return headers.length ? `${response.body}\n${JSON.stringify(headers)}` : response.body;
}

/** The secrets of A found in an answer to B (after masking what the request itself carried). */
function leaks(body: string, filler?: Filler, sentUrl?: string): string[] {
  let visible = filler ? filler.mask(body) : body;
  if (sentUrl) visible = visible.split(sentUrl.split('?')[0]!).join('<url>');
  return [...aSecrets].filter((secret) => visible.includes(secret));
}

function assertNoLeak(operation: Operation, body: string, filler?: Filler, sentUrl?: string) {
  const found = leaks(body, filler, sentUrl);
  expect(found, `${operation.name} leaks ${found.join(', ')} of tenant A: ${body.slice(0, 300)}`).toEqual([]);
}

/** A fingerprint of every row of tenant A in every table with a tenant_id: inserts, updates and deletes all change it. */
async function rowsOfA(): Promise<Record<string, string>> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.columns
    where column_name = 'tenant_id' and table_schema = current_schema() order by table_name`.execute(kefu.database.db);
  const fingerprints: Record<string, string> = {};
  for (const { table_name: table } of tables.rows) {
    if (table === 'audit_log') continue; // written by A's own actions only, and by nothing of B
    const row = await sql<{ rows: string; digest: string | null }>`
      select count(*)::text as rows, md5(string_agg(t::text, '|' order by t::text)) as digest
      from ${sql.table(table)} t where tenant_id = ${A.id}`.execute(kefu.database.db);
    fingerprints[table] = `${row.rows[0]!.rows}:${row.rows[0]!.digest ?? '-'}`;
  }
  return fingerprints;
}

async function agentLogin(slug: string): Promise<string | null> {
  const login = doc.paths['/v1/agent/sessions']?.post;
  if (!login) return null;
  const password = await kefu.database.db
    .selectFrom('system_settings')
    .select('value')
    .where('key', '=', `demo_agent_password:${slug}`)
    .executeTakeFirst();
  expect(password, `the demo agent of ${slug} has a password in system_settings`).toBeDefined();
  const response = await kefu.app.inject({
    method: 'POST',
    url: '/v1/agent/sessions',
    payload: { tenant: slug, email: `agent@${slug}.demo`, password: password!.value },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().token as string;
}

beforeAll(async () => {
  // The hand-off timers (SLA breaches, reclaims) stay quiet, so only the calls under test write.
  kefu = await createTestKefu({ KEFU_HANDOFF_CHECK_INTERVAL_MS: '3600000' });
  doc = (await kefu.app.inject({ url: '/openapi.json' })).json();
  for (const tenant of [A, B]) {
    tenant.key = kefu.keyOf(tenant.slug);
    tenant.id = (
      await kefu.database.db
        .selectFrom('tenants')
        .select('id')
        .where('slug', '=', tenant.slug)
        .executeTakeFirstOrThrow()
    ).id;
  }
  const auth = { authorization: `Bearer ${A.key}` };
  // Real resources of tenant A: a conversation with messages and a trace (one handed to a person),
  // a widget conversation, and whatever its pack brought (FAQ, documents, intents, channels …).
  const conversation = (
    await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth, payload: {} })
  ).json();
  const posted = (
    await kefu.app.inject({
      method: 'POST',
      url: `/v1/conversations/${conversation.id}/messages`,
      headers: auth,
      payload: { text: `${MARKER} 年费怎么收？` },
    })
  ).json();
  // A sensitive FAQ in bank-zh is answered as a draft for a person to approve (a drafts row).
  const second = (
    await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth, payload: {} })
  ).json();
  const drafted = (
    await kefu.app.inject({
      method: 'POST',
      url: `/v1/conversations/${second.id}/messages`,
      headers: auth,
      payload: { text: '信用卡逾期会影响征信吗？' },
    })
  ).json();
  expect(drafted.turn?.route, JSON.stringify(drafted)).toBe('assist');
  const handedOver = (
    await kefu.app.inject({
      method: 'POST',
      url: `/v1/conversations/${conversation.id}/messages`,
      headers: auth,
      payload: { text: '我要转人工' },
    })
  ).json();
  expect(posted.turn?.traceId, JSON.stringify(posted)).toBeTruthy();
  const widget = (
    await kefu.app.inject({ method: 'POST', url: '/widget/v1/sessions', payload: { tenant: A.slug } })
  ).json();
  Object.assign(aIds, {
    conversationId: conversation.id,
    traceId: posted.turn.traceId,
    messageId: posted.message.id,
    contactId: conversation.contactId,
    tenantId: A.id,
  });
  const tenantRow = await kefu.database.db
    .selectFrom('tenants')
    .select(['name'])
    .where('id', '=', A.id)
    .executeTakeFirstOrThrow();
  for (const secret of [
    A.id,
    A.slug,
    tenantRow.name,
    MARKER,
    conversation.id,
    second.id,
    conversation.contactId,
    posted.message.id,
    posted.reply?.id,
    posted.turn.traceId,
    handedOver.turn?.traceId,
    widget.conversationId,
    widget.contactId,
    A.key,
  ]) {
    if (secret) aSecrets.add(String(secret));
  }
  A.widgetToken = widget.token;
  B.widgetToken = (
    await kefu.app.inject({ method: 'POST', url: '/widget/v1/sessions', payload: { tenant: B.slug } })
  ).json().token;
  // Both demo agents are trainers too, so the trainer's and analytics routes are tried past their scope check.
  for (const tenant of [A, B]) {
    const agent = await kefu.database.db
      .selectFrom('agents')
      .select('id')
      .where('tenant_id', '=', tenant.id)
      .where('email', '=', `agent@${tenant.slug}.demo`)
      .executeTakeFirstOrThrow();
    const granted = await kefu.app.inject({
      method: 'PUT',
      url: `/v1/agents/${agent.id}/trainer`,
      headers: { authorization: `Bearer ${tenant.key}` },
      payload: { allowed: true },
    });
    expect(granted.statusCode, granted.body).toBeLessThan(300);
  }
  A.agentToken = await agentLogin(A.slug);
  B.agentToken = await agentLogin(B.slug);
}, 240_000);
afterAll(async () => {
  if (notes.length) console.info(`isolation test notes:\n  ${notes.join('\n  ')}`);
  await kefu?.dispose();
});

describe('tenant isolation over every route in the OpenAPI document', () => {
  it('has a self-contained OpenAPI document: every $ref resolves (the request bodies below are built from it)', () => {
    const refs = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.add(value);
          else walk(value);
        }
      }
    };
    walk(doc.paths);
    expect(refs.size).toBeGreaterThan(0);
    for (const ref of refs) expect(resolveRef({ $ref: ref }), ref).toBeTruthy();
  });

  it('finds the routes it must cover', () => {
    const names = operations().map((operation) => operation.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /v1/conversations/{conversationId}',
        'GET /v1/traces/{traceId}',
        'POST /operator/v1/tenants',
      ]),
    );
    expect(names.length).toBeGreaterThan(20);
  });

  it(
    "answers tenant B on tenant A's resources exactly as on missing ones, and leaks nothing of A",
    { timeout: 300_000 },
    async () => {
      const before = await rowsOfA();
      const failures: string[] = [];
      const proofs: Array<{ operation: Operation; request: { url: string; payload: unknown } }> = [];
      let exercised = 0;
      for (const operation of operations()) {
        const credential = credentialFor(operation, B);
        if (credential === null) {
          failures.push(
            `${operation.name}: neither exercised nor listed as public (add its credential to credentialFor or a reason to PUBLIC)`,
          );
          continue;
        }
        if (credential === 'public') {
          const filler = new Filler('a');
          const request = await buildRequest(operation, filler);
          const response = await kefu.app.inject({
            method: operation.method as 'GET',
            url: request.url,
            headers: { authorization: `Bearer ${B.key}` },
            ...(request.payload === undefined ? {} : { payload: request.payload as object }),
          });
          expect(response.statusCode, `${operation.name} ${response.body}`).toBeLessThan(500);
          if (operation.name !== 'POST /widget/v1/sessions') {
            const found = leaks(visibleText(response), filler, request.url);
            if (found.length) failures.push(`${operation.name}: leaks ${found.join(', ')}`);
          }
          continue;
        }
        if (credential === 'operator') {
          // Filled with A's slug where a tenant is named: a tenant key still gets nothing.
          const filler = new Filler('a');
          const request = await buildRequest(operation, filler);
          const url = request.url.replace(/\/tenants\/[^/?]+/, `/tenants/${A.slug}`);
          const response = await kefu.app.inject({
            method: operation.method as 'GET',
            url,
            headers: { authorization: `Bearer ${B.key}` },
            ...(request.payload === undefined ? {} : { payload: request.payload as object }),
          });
          if (![401, 403].includes(response.statusCode))
            failures.push(`${operation.name}: a tenant key got ${response.statusCode}`);
          const found = leaks(visibleText(response), undefined, url);
          if (found.length) failures.push(`${operation.name}: leaks ${found.join(', ')}`);
          exercised++;
          continue;
        }
        const headers = { authorization: credential.header };
        const onA = new Filler('a');
        const requestA = await buildRequest(operation, onA);
        const responseA = await kefu.app.inject({
          method: operation.method as 'GET',
          url: requestA.url,
          headers,
          ...(requestA.payload === undefined ? {} : { payload: requestA.payload as object }),
        });
        exercised++;
        if (responseA.statusCode >= 500)
          failures.push(`${operation.name}: ${responseA.statusCode} ${responseA.body.slice(0, 200)}`);
        const found = leaks(visibleText(responseA), onA);
        if (found.length)
          failures.push(`${operation.name}: leaks ${found.join(', ')} of tenant A: ${responseA.body.slice(0, 200)}`);
        if (!onA.isIdBearing()) continue;
        if (onA.missing.length > 0)
          notes.push(`${operation.name}: no tenant A row for ${onA.missing.join(', ')}; a random uuid was used`);
        if (![403, 404].includes(responseA.statusCode)) {
          failures.push(
            `${operation.name}: tenant B on tenant A's ids got ${responseA.statusCode}: ${responseA.body.slice(0, 300)} (sent ${JSON.stringify(requestA.payload)})`,
          );
          continue;
        }
        const onRandom = new Filler('random');
        const requestRandom = await buildRequest(operation, onRandom);
        const responseRandom = await kefu.app.inject({
          method: operation.method as 'GET',
          url: requestRandom.url,
          headers,
          ...(requestRandom.payload === undefined ? {} : { payload: requestRandom.payload as object }),
        });
        if (responseRandom.statusCode !== responseA.statusCode) {
          failures.push(
            `${operation.name}: ${responseA.statusCode} on A's ids but ${responseRandom.statusCode} on missing ones`,
          );
        } else if (onA.mask(responseA.body) !== onRandom.mask(responseRandom.body)) {
          failures.push(
            `${operation.name}: the body differs between A's ids and missing ones:\n    ${onA.mask(responseA.body)}\n    ${onRandom.mask(responseRandom.body)}`,
          );
        } else if (responseA.headers['content-type'] !== responseRandom.headers['content-type']) {
          failures.push(`${operation.name}: the content type differs between A's ids and missing ones`);
        }
        if (operation.method === 'GET' && onA.missing.length === 0) proofs.push({ operation, request: requestA });
      }
      expect(failures, failures.join('\n')).toEqual([]);
      expect(exercised).toBeGreaterThan(10);
      notes.push(
        `${exercised} routes exercised with tenant B's credentials; ${proofs.length} GET routes re-checked with tenant A's own`,
      );

      // B's calls changed nothing that belongs to A: no row added, changed or removed.
      expect(await rowsOfA()).toEqual(before);

      // The ids were real: tenant A itself reaches the same resources.
      const unproven: string[] = [];
      for (const { operation, request } of proofs) {
        if (UNPROVABLE[operation.name]) continue;
        const credential = credentialFor(operation, A) as Credential;
        const response = await kefu.app.inject({
          method: 'GET',
          url: request.url,
          headers: { authorization: credential.header },
        });
        if (response.statusCode >= 300)
          unproven.push(`${operation.name}: tenant A itself got ${response.statusCode} ${response.body.slice(0, 200)}`);
      }
      expect(unproven, unproven.join('\n')).toEqual([]);
      expect(proofs.length).toBeGreaterThan(3);
    },
  );

  it('lists every agent route as exercised only when tenant B has an agent token', () => {
    const agentRoutes = operations().filter(
      (operation) => operation.path.startsWith('/v1/agent/') && !PUBLIC[operation.name],
    );
    if (agentRoutes.length > 0)
      expect(B.agentToken, "agent routes exist, so tenant B's demo agent must be able to log in").toBeTruthy();
  });

  it("does not let tenant B's widget visitor resume tenant A's conversation", async () => {
    const response = await kefu.app.inject({
      method: 'POST',
      url: '/widget/v1/sessions',
      payload: { tenant: B.slug, conversationId: aIds.conversationId },
    });
    expect(response.statusCode).toBe(201);
    const session = response.json();
    expect(session.conversationId).not.toBe(aIds.conversationId);
    assertNoLeak(
      { method: 'POST', path: '/widget/v1/sessions', name: 'POST /widget/v1/sessions', operation: {} },
      response.body,
    );
  });

  it("closes tenant B's widget socket on tenant A's conversation exactly as on a missing one", async () => {
    const session = (
      await kefu.app.inject({ method: 'POST', url: '/widget/v1/sessions', payload: { tenant: B.slug } })
    ).json();
    const frames: Record<string, { frames: string[]; code: number }> = {};
    for (const [label, conversationId] of [
      ['a', aIds.conversationId!],
      ['random', randomUUID()],
    ] as const) {
      const socket = await kefu.app.injectWS(
        `/widget/v1/ws?token=${encodeURIComponent(session.token)}&conversationId=${conversationId}`,
      );
      const received: string[] = [];
      const code = await new Promise<number>((resolve) => {
        socket.on('message', (data: Buffer) => received.push(data.toString()));
        socket.on('close', (closeCode: number) => resolve(closeCode));
      });
      frames[label] = { frames: received, code };
    }
    expect(frames.a!.code).toBe(4401);
    expect(frames.a).toEqual(frames.random);
    for (const frame of frames.a!.frames) for (const secret of aSecrets) expect(frame).not.toContain(secret);
  });
});

describe('every door refuses a caller without its credential', () => {
  let full: Awaited<ReturnType<typeof createApp>>;
  let fullPort = 0;
  const controlToken = `local-${randomUUID()}`;
  const ran: string[][] = [];

  beforeAll(async () => {
    // The same app with the CLI control socket, which only `kefu serve` on the embedded database adds.
    full = await createApp({
      config: kefu.config,
      database: kefu.database,
      bus: kefu.bus,
      jobs: kefu.jobs,
      conversations: kefu.conversations,
      widgetSecret: randomUUID(),
      handoff: kefu.handoff,
      limits: kefu.metering.limits,
      usageWebhooks: kefu.metering.webhooks,
      onShutdown: (() => {
        const registry = new ShutdownRegistry();
        return (callback: () => void) => registry.add(callback);
      })(),
      localControl: {
        token: () => controlToken,
        run: async (args, io) => {
          ran.push(args);
          io.stdout('运行了\n');
          return 0;
        },
      },
    });
    await full.listen({ host: '127.0.0.1', port: 0 });
    fullPort = (full.server.address() as AddressInfo).port;
  });
  afterAll(async () => full?.close());

  const openApiName = (method: string, url: string) => `${method} ${url.replace(/:(\w+)/g, '{$1}')}`;

  it('classifies every registered route, hidden ones included', () => {
    const names = registeredRoutes(full).map((route) => openApiName(route.method, route.url));
    expect(names).toContain(LOCAL_CONTROL);
    expect(names).toContain('GET /widget/v1/ws');
    expect(names).toContain('GET /v1/agent/ws');
    // The in-process kefu under test has the same routes, less the CLI socket.
    const served = registeredRoutes(kefu.app).map((route) => openApiName(route.method, route.url));
    expect(new Set(names)).toEqual(new Set([...served, LOCAL_CONTROL]));
    const unclassified = registeredRoutes(full).filter((route) => {
      const name = openApiName(route.method, route.url);
      if (PUBLIC[name] || HIDDEN_PUBLIC[name] || name === LOCAL_CONTROL || isSwaggerUi(route.url)) return false;
      return !ZONES.some((zone) => route.url.startsWith(zone.prefix));
    });
    expect(
      unclassified.map((route) => `${route.method} ${route.url}`),
      'add the route to a zone, PUBLIC or HIDDEN_PUBLIC with a reason',
    ).toEqual([]);
  });

  it("answers 401 problem+json without schema details to every zone route called without its credential or with another zone's", async () => {
    const failures: string[] = [];
    let swept = 0;
    for (const route of registeredRoutes(full)) {
      const name = openApiName(route.method, route.url);
      if (PUBLIC[name] || HIDDEN_PUBLIC[name] || name === LOCAL_CONTROL || isSwaggerUi(route.url)) continue;
      const zone = ZONES.find((entry) => route.url.startsWith(entry.prefix))!.zone;
      // Parameters and bodies that would fail validation: authentication must answer first.
      const url = route.url.replace(/:(\w+)/g, 'x').replace('*', 'x');
      const payload = ['POST', 'PUT', 'PATCH'].includes(route.method) ? { 未知字段: 1 } : undefined;
      const foreign =
        zone === 'tenant'
          ? `Bearer ${B.widgetToken}`
          : zone === 'agent' || zone === 'widget'
            ? `Bearer ${B.key}`
            : `Bearer ${B.agentToken}`;
      for (const authorization of [undefined, foreign]) {
        const response = await full.inject({
          method: route.method as 'GET',
          url,
          headers: authorization ? { authorization } : {},
          ...(payload ? { payload } : {}),
        });
        swept++;
        const label = `${route.method} ${route.url} (${zone} zone, ${authorization ? "another zone's credential" : 'no credential'})`;
        if (response.statusCode !== 401) {
          failures.push(`${label}: ${response.statusCode} ${response.body.slice(0, 200)}`);
          continue;
        }
        if (!String(response.headers['content-type']).startsWith('application/problem+json'))
          failures.push(`${label}: not problem+json`);
        const body = response.json() as { code?: string; errors?: unknown };
        if (body.code !== 'CS_UNAUTHORIZED' || body.errors !== undefined)
          failures.push(`${label}: ${response.body.slice(0, 200)}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(swept).toBeGreaterThan(100);
  });

  it('runs the CLI socket only for a loopback client that sends the control token first', async () => {
    const session = async (token: string) =>
      new Promise<{ code: number; frames: string[] }>((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${fullPort}/local/v1/cli`);
        const frames: string[] = [];
        socket.on('open', () => socket.send(JSON.stringify({ type: 'run', token, args: ['status'], cwd: '/' })));
        socket.on('message', (data: Buffer) => frames.push(data.toString()));
        socket.on('close', (code: number) => resolve({ code, frames }));
        socket.on('error', reject);
      });
    const refused = await session('不是令牌');
    expect(refused.code).toBe(4401);
    expect(refused.frames).toEqual([]);
    expect(ran).toEqual([]);
    const accepted = await session(controlToken);
    expect(accepted.code).toBe(1000);
    expect(ran).toEqual([['status']]);
    expect(accepted.frames.map((frame) => JSON.parse(frame))).toEqual([
      { type: 'stdout', data: '运行了\n' },
      { type: 'exit', code: 0 },
    ]);
  });
});

import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import secureJsonParse from 'secure-json-parse';
import { createHash, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { EventBus } from '../bus/index.js';
import type { KefuConfig } from '../config/index.js';
import type { ConversationService } from '../conversations/index.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { JobQueue } from '../jobs/index.js';
import type { Database } from '../store/database.js';
import { retryAfterHeader, type RequestLimits } from './limits.js';
import type { UsageWebhooks } from '../metering/index.js';
import { createMetrics, type Metrics } from './metrics.js';
import { localControlRoutes, type LocalControl } from './routes/local-control.js';
import { errorToProblem, problem, sendProblem } from './problem.js';
import { demoRoutes } from './routes/demo.js';
import { staticRoutes } from './routes/static.js';
import { registerZones } from './zones/index.js';
import { startPersonalServices } from './routes/personal.js';
import { voiceZone } from './routes/voice.js';
import { findUnstorableText, MESSAGE_TEXT_FIELDS } from './unstorable-text.js';
import { bearerToken } from './zones/bearer-token.js';
import type { HandoffService } from '../handoff/index.js';
import type { ChatModel } from '../llm/index.js';

/** What the HTTP layer needs; built by the composition root (src/server/kefu.ts) or a test. */
export interface AppDeps {
  config: KefuConfig;
  database: Database;
  bus: EventBus;
  jobs: JobQueue;
  conversations: ConversationService;
  widgetSecret: string;
  /** Queues, agents and the console API (src/handoff); without it /v1/agent is not served. */
  handoff?: HandoffService;
  /** Per-tenant and per-key request rates (src/server/limits.ts); none = unlimited. */
  limits?: RequestLimits;
  /** Tenants' usage webhooks, for the /v1/usage/webhook routes. */
  usageWebhooks?: UsageWebhooks;
  /**
   * Registers a callback run when the server shuts down (closes streams and sockets). Returns its
   * disposer: a stream or socket that closes first calls it, so nothing of it stays behind.
   */
  onShutdown: (callback: () => void) => () => void;
  metrics?: Metrics;
  /** The configured LLM (trainer suggestions, docs/learning.md); none = those routes answer CS_LLM_NOT_CONFIGURED. */
  llm?: { model: ChatModel; timeoutMs: number };
  /** CLI commands run for a CLI on this machine while this server owns the embedded database. */
  localControl?: LocalControl;
  /** Called when a socket frame fails unexpectedly and its connection is closed (createApp counts it in /metrics). */
  onSocketFailure?: (kind: string) => void;
  /** Slugs of the demo tenants loaded at start: the only tenants the public demo page (/) shows. */
  demoTenants?: readonly string[];
  /** A pino logger (structured JSON logs with request ids), or nothing for silence. */
  logger?: FastifyBaseLogger;
  version?: string;
}

/** A route as registered, hidden from the OpenAPI document or not (for tests that must see every door). */
export interface RegisteredRoute {
  method: string;
  url: string;
  hidden: boolean;
  websocket: boolean;
}

const routeTables = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route of an app built by createApp, including the hidden ones (WebSockets, pages, the CLI socket). */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return routeTables.get(app) ?? [];
}

/**
 * Builds the Fastify app with nothing listening (STYLE.md §4): call `app.listen()` to serve,
 * or `app.inject()` in tests.
 */
export async function createApp(given: AppDeps): Promise<FastifyInstance> {
  const metrics = given.metrics ?? createMetrics();
  const deps: AppDeps = {
    ...given,
    onSocketFailure: (kind) => {
      metrics.socketFailures.inc({ socket: kind });
      given.onSocketFailure?.(kind);
    },
  };
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.config.server.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    forceCloseConnections: true,
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
  });
  const routes: RegisteredRoute[] = [];
  routeTables.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      // HEAD routes are the GET routes' twins, with the same hooks.
      if (method === 'HEAD') continue;
      routes.push({
        method,
        url: route.url,
        hidden: Boolean((route.schema as { hide?: boolean } | undefined)?.hide) || Boolean(route.websocket),
        websocket: Boolean(route.websocket),
      });
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // JSON bodies must be valid UTF-8 and free of prototype-poisoning keys.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(/^application\/(.+\+)?json$/, { parseAs: 'buffer' }, (_request, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length === 0) return done(new KefuError(ErrorCodes.malformedJson, 'the JSON body is empty'), undefined);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return done(new KefuError(ErrorCodes.invalidUtf8, 'the body is not valid UTF-8'), undefined);
    }
    try {
      done(null, secureJsonParse.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      done(new KefuError(ErrorCodes.malformedJson, `malformed JSON: ${(error as Error).message}`), undefined);
    }
  });

  // NUL or an unpaired surrogate in any field but message text: 400, before any handler runs.
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [
      ['body', request.body],
      ['query', request.query],
      ['params', request.params],
    ] as const) {
      const field = findUnstorableText(value, part === 'body' ? { exemptTopLevel: MESSAGE_TEXT_FIELDS } : {});
      if (field !== null)
        throw new KefuError(ErrorCodes.invalidText, `${part} field "${field}" holds a NUL or an unpaired surrogate`, {
          status: 400,
          details: { field: `${part}.${field}` },
        });
    }
  });

  app.setErrorHandler((error, request, reply) => sendProblem(reply, errorToProblem(error, request)));
  app.addHook('onError', retryAfterHeader);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problem(404, ErrorCodes.routeNotFound, `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  deps.bus.subscribe((event, origin) => {
    // Count this node's turns only: with the Redis bus every node sees every node's events.
    if (event.type === 'turn.completed' && origin.local) metrics.turns.inc({ route: event.route, tier: 'any' });
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'kefu API',
        version: deps.version ?? '0.1.0',
        description:
          'kefu 客服: conversations, messages and turn traces. Errors are RFC 9457 problem+json with a stable `code`.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      // Where this installation is reached from outside, else relative to the document itself.
      servers: [{ url: deps.config.server.publicUrl ?? '/' }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'Tenant API key (kefu_sk_…)' },
          agentSession: {
            type: 'http',
            scheme: 'bearer',
            description: 'Agent console session (kefu_at_…) from POST /v1/agent/sessions, for /v1/agent only',
          },
          operatorKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'Operator (reseller) key (kefu_op_…), for /operator/v1 only',
          },
          widgetToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'Widget contact token from POST /widget/v1/sessions, for /widget/v1 only',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    // Without it the schemas named with .meta({ id }) are $ref'd but missing from components.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyWebsocket, { options: { maxPayload: 256 * 1024 } });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const operations = (operationId: string, summary: string) => ({
    operationId,
    tags: ['operations'],
    summary,
    security: [],
  });
  app.get('/healthz', { schema: operations('getHealth', 'Liveness') }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { schema: operations('getReadiness', 'Readiness: the database answers') },
    async (_request, reply) => {
      // Bounded (2 s): a probe must learn the database is gone, not wait for the pool's connect timeout.
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          sql`select 1`.execute(deps.database.db),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('no answer within 2 s')), 2_000);
          }),
        ]);
        return { status: 'ready', database: deps.database.kind };
      } catch {
        return sendProblem(
          reply,
          problem(503, ErrorCodes.databaseUnavailable, 'database unavailable', { retryAfterSeconds: 2 }),
        );
      } finally {
        clearTimeout(timer);
      }
    },
  );
  // Opt-in (KEFU_METRICS=public or KEFU_METRICS_TOKEN): metrics describe every tenant's traffic.
  const { metrics: metricsAccess, metricsToken } = deps.config.server;
  app.get('/metrics', { schema: operations('getMetrics', 'Prometheus metrics (opt-in)') }, async (request, reply) => {
    if (metricsToken !== undefined) {
      if (!sameSecret(bearerToken(request) ?? '', metricsToken)) {
        reply.header('www-authenticate', 'Bearer realm="kefu-metrics"');
        return sendProblem(reply, problem(401, ErrorCodes.unauthorized, 'metrics need their bearer token'));
      }
    } else if (metricsAccess !== 'public') {
      return sendProblem(reply, problem(404, ErrorCodes.notFound, 'metrics are not enabled on this server'));
    }
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  // Contacts, proactive events and offers (docs/personal.md): its services, whose routes are in the zones.
  const personal = await startPersonalServices(app, deps);
  // The trust zones: tenant API (/v1), agent console (/v1/agent), widget (/widget/v1), operator (/operator/v1).
  await registerZones(app, { ...deps, personal });
  // The voice channel: platform webhooks (their own signatures) and its admin API (docs/voice.md).
  await app.register(async (zone) => voiceZone(zone, deps), { prefix: '/v1/voice' });
  if (deps.localControl) {
    const control = deps.localControl;
    await app.register(async (scope) => localControlRoutes(scope, control));
  }
  await app.register(async (scope) => demoRoutes(scope, deps));
  await app.register(async (scope) => staticRoutes(scope));
  return app;
}

/** Compares two secrets in constant time (through their digests, so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

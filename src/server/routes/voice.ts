import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import secureJsonParse from 'secure-json-parse';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { problemSchema } from '../../protocol/index.js';
import {
  basicAuthorization,
  checkReplay,
  cloudCallback,
  cloudSignature,
  ctiEvent,
  ENDED_SEQ,
  genericVoiceEvent,
  kefuSignature,
  normalizePhone,
  parseCloud,
  parseFreeswitch,
  parseGeneric,
  parseTwilio,
  pruneNonces,
  renderCloud,
  renderHttapi,
  renderTwiml,
  safeEqual,
  verifyTwilioSignature,
  VoiceService,
  type VoiceEvent,
  type VoiceNumber,
  type VoiceProvider,
} from '../../voice/index.js';
import { apiKeyAuth, tenantOf } from '../auth.js';
import type { AppDeps } from '../create-app.js';

type VoiceAuth = 'twilio' | 'basic' | 'cloud' | 'kefu';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A voice platform's webhook: authenticated by that platform's signature, not an API key. */
    voiceAuth?: VoiceAuth;
  }
  interface FastifyRequest {
    /** The body exactly as received, for signatures over it (voice webhooks only). */
    voiceRawBody: string;
  }
}

/** The header each kind of webhook must carry before its body is read. */
const SIGNATURE_HEADER: Record<VoiceAuth, string> = {
  twilio: 'x-twilio-signature',
  basic: 'authorization',
  cloud: 'x-signature',
  kefu: 'x-kefu-signature',
};

const seqQuery = z
  .object({
    seq: z.coerce.number().int().min(0).max(ENDED_SEQ).optional(),
    hold: z.enum(['1', 'true']).optional(),
  })
  .strict();

const numberBody = z
  .object({
    provider: z.enum(['twilio', 'freeswitch', 'cloud', 'generic']),
    secret: z.string().min(16).max(256),
    language: z.enum(['zh-CN', 'zh-HK', 'en']).default('zh-CN'),
    transferTarget: z
      .string()
      .max(300)
      .regex(
        /^(?:sips?:[^\s]+|queue:[^\s]+|skill:[^\s]+|\+?[\d\s-]{3,32})$/,
        'a SIP URI, queue:name, skill:name or a phone number',
      )
      .nullable()
      .default(null),
    minConfidence: z.number().min(0).max(1).default(0.5),
    ctiUrl: z.string().url().max(500).nullable().default(null),
  })
  .strict();

const numberView = z.object({
  number: z.string(),
  provider: z.string(),
  language: z.string(),
  transferTarget: z.string().nullable(),
  minConfidence: z.number(),
  ctiUrl: z.string().nullable(),
  createdAt: z.string(),
});

/**
 * The voice channel (docs/voice.md), under /v1/voice as its own zone: platform webhooks
 * authenticated by each platform's signature (checked in onRequest for presence, then against the
 * number's secret once the body names the number), and the admin API for numbers, agents' lines
 * and callbacks, authenticated by tenant API keys.
 */
export async function voiceZone(zone: FastifyInstance, deps: AppDeps): Promise<void> {
  const db = deps.database.db;
  const voice = new VoiceService({
    db,
    bus: deps.bus,
    conversations: deps.conversations,
    handoff: deps.handoff,
    onError: (error, what) => zone.log.warn({ err: error }, what),
  });
  const sweeper = setInterval(() => {
    voice
      .sweepIdleCalls()
      .then(() => pruneNonces(db))
      .catch((error: unknown) => zone.log.warn({ err: error }, 'voice sweep failed'));
  }, 60_000);
  sweeper.unref();
  zone.addHook('onClose', async () => clearInterval(sweeper));

  const authenticateKey = apiKeyAuth(db);
  zone.decorateRequest('principal', null);
  zone.decorateRequest('voiceRawBody', '');
  zone.addHook('onRequest', async (request, reply) => {
    const kind = request.routeOptions.config.voiceAuth;
    if (!kind) return authenticateKey(request, reply);
    const header = request.headers[SIGNATURE_HEADER[kind]];
    if (typeof header !== 'string' || header.length === 0 || (kind === 'basic' && !/^Basic /i.test(header))) {
      throw new KefuError(ErrorCodes.unauthorized, `missing ${SIGNATURE_HEADER[kind]} header`, { status: 401 });
    }
  });

  // Bodies are kept as received: the signatures are over the exact bytes.
  zone.removeAllContentTypeParsers();
  zone.addContentTypeParser(/^application\/(.+\+)?json$/, { parseAs: 'string' }, (request, body, done) => {
    request.voiceRawBody = body as string;
    if ((body as string).length === 0) return done(new KefuError(ErrorCodes.malformedJson, 'the JSON body is empty'));
    try {
      done(
        null,
        secureJsonParse.parse(body as string, undefined, { protoAction: 'error', constructorAction: 'error' }),
      );
    } catch {
      done(new KefuError(ErrorCodes.malformedJson, 'malformed JSON'), undefined);
    }
  });
  zone.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    request.voiceRawBody = body as string;
    const params: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(body as string)) params[key] = value;
    done(null, params);
  });

  const api = zone.withTypeProvider<ZodTypeProvider>();

  /** The number that owns the call, for this provider; 404 otherwise (the platform plays its fallback). */
  const numberFor = async (raw: string, provider: VoiceProvider): Promise<VoiceNumber> => {
    const number = await voice.findNumber(raw);
    if (!number || number.provider !== provider)
      throw new KefuError(ErrorCodes.voiceNumberUnknown, 'no tenant owns this number for this platform', {
        status: 404,
      });
    return number;
  };
  const forged = (what: string) =>
    new KefuError(ErrorCodes.voiceSignatureInvalid, `the ${what} does not match this number's secret`, {
      status: 401,
    });
  const publicUrl = (request: FastifyRequest) => {
    const configured = deps.config.server.publicUrl?.replace(/\/$/, '');
    const base = configured ?? `${request.protocol}://${request.host}`;
    return `${base}${request.url}`;
  };
  const callbackBase = (request: FastifyRequest) => publicUrl(request).split('?')[0]!;
  const callbacks = (request: FastifyRequest) => {
    const base = callbackBase(request);
    return (seq: number, hold?: boolean) => `${base}?seq=${seq}${hold ? '&hold=1' : ''}`;
  };
  const formOf = (request: FastifyRequest): Record<string, string> => {
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new KefuError(ErrorCodes.voiceEventInvalid, 'expected form parameters', { status: 400 });
    return Object.fromEntries(
      Object.entries(body as Record<string, unknown>).map(([key, value]) => [key, String(value).slice(0, 4000)]),
    );
  };
  const requireCall = (event: VoiceEvent) => {
    if (!event.callId) throw new KefuError(ErrorCodes.voiceEventInvalid, 'the request names no call', { status: 400 });
  };

  api.post('/twilio', {
    config: { voiceAuth: 'twilio' },
    schema: { hide: true, querystring: seqQuery },
    handler: async (request, reply) => {
      const params = formOf(request);
      const { number, event } = parseTwilio(params, { seq: request.query.seq, hold: request.query.hold !== undefined });
      requireCall(event);
      const owner = await numberFor(number, 'twilio');
      const signature = request.headers['x-twilio-signature'] as string;
      if (!verifyTwilioSignature(owner.secret, publicUrl(request), params, signature))
        throw forged('X-Twilio-Signature');
      const response = await voice.handle(owner, event);
      return reply.type('text/xml; charset=utf-8').send(renderTwiml(response.actions, callbacks(request)));
    },
  });

  api.post('/freeswitch', {
    config: { voiceAuth: 'basic' },
    schema: { hide: true, querystring: seqQuery },
    handler: async (request, reply) => {
      const params = formOf(request);
      const { number, event } = parseFreeswitch(params, {
        seq: request.query.seq,
        hold: request.query.hold !== undefined,
      });
      requireCall(event);
      const owner = await numberFor(number, 'freeswitch');
      const given = request.headers.authorization as string;
      const user =
        Buffer.from(given.replace(/^Basic\s+/i, ''), 'base64')
          .toString('utf8')
          .split(':')[0] ?? '';
      if (!safeEqual(given, basicAuthorization(user, owner.secret))) throw forged('basic authorization');
      const response = await voice.handle(owner, event);
      return reply
        .type('text/xml; charset=utf-8')
        .send(renderHttapi(response.actions, callbacks(request), event.callId));
    },
  });

  api.post('/cloud', {
    config: { voiceAuth: 'cloud' },
    schema: { hide: true },
    handler: async (request, reply) => {
      const body = parseBody(cloudCallback, request.body);
      const { number, event } = parseCloud(body);
      const owner = await numberFor(number, 'cloud');
      const timestamp = header(request, 'x-timestamp');
      const nonce = header(request, 'x-nonce');
      const expected = cloudSignature(owner.secret, timestamp ?? '', nonce ?? '', request.voiceRawBody);
      if (!safeEqual(expected, header(request, 'x-signature') ?? '')) throw forged('X-Signature');
      await checkReplay(db, owner.tenantId, timestamp, nonce);
      const response = await voice.handle(owner, event);
      return reply.send(renderCloud(response.actions));
    },
  });

  const verifyKefu = async (request: FastifyRequest, owner: VoiceNumber) => {
    const timestamp = header(request, 'x-kefu-timestamp');
    const nonce = header(request, 'x-kefu-nonce');
    const expected = kefuSignature(owner.secret, timestamp ?? '', nonce ?? '', request.voiceRawBody);
    if (!safeEqual(expected, header(request, 'x-kefu-signature') ?? '')) throw forged('X-Kefu-Signature');
    await checkReplay(db, owner.tenantId, timestamp, nonce);
  };

  api.post('/events', {
    config: { voiceAuth: 'kefu' },
    schema: { hide: true },
    handler: async (request, reply) => {
      const { number, event } = parseGeneric(parseBody(genericVoiceEvent, request.body));
      const owner = await numberFor(number, 'generic');
      await verifyKefu(request, owner);
      const response = await voice.handle(owner, event);
      return reply.send({ actions: response.actions, outcome: response.outcome });
    },
  });

  api.post('/cti', {
    config: { voiceAuth: 'kefu' },
    schema: { hide: true },
    handler: async (request, reply) => {
      const body = parseBody(ctiEvent, request.body);
      const direction = body.direction === 'out' ? 'outbound' : 'inbound';
      const owner = await numberFor(direction === 'inbound' ? body.to : body.from, 'generic');
      await verifyKefu(request, owner);
      const user = [body.user ?? []].flat().join(', ');
      const response = await voice.handle(owner, {
        provider: 'generic',
        callId: `cti:${body.callId}`,
        seq: body.event === 'newCall' ? 0 : body.event === 'answer' ? 1 : ENDED_SEQ,
        kind: body.event === 'newCall' ? 'call.started' : body.event === 'answer' ? 'call.answered' : 'call.ended',
        from: body.from,
        to: body.to,
        direction,
        ...(body.cause ? { reason: body.cause } : {}),
        cti: { ...(body.queue ? { queue: body.queue } : {}), ...(user ? { user } : {}) },
      });
      return reply.send({ outcome: response.outcome, conversationId: response.conversationId });
    },
  });

  // The admin API: which numbers a tenant owns, on which platform, and agents' phone lines.
  const admin = (operationId: string, summary: string) => ({
    operationId,
    tags: ['voice'],
    summary,
    security: [{ apiKey: [] }],
  });
  const toView = (row: {
    number: string;
    provider: string;
    language: string;
    transfer_target: string | null;
    min_confidence: number;
    cti_url: string | null;
    created_at: Date;
  }) => ({
    number: row.number,
    provider: row.provider,
    language: row.language,
    transferTarget: row.transfer_target,
    minConfidence: row.min_confidence,
    ctiUrl: row.cti_url,
    createdAt: row.created_at.toISOString(),
  });
  const numberParam = z.object({ number: z.string().min(3).max(64) }).strict();
  const cleanNumber = (raw: string) => {
    const number = normalizePhone(raw);
    if (number.length < 3)
      throw new KefuError(ErrorCodes.validation, 'the number must contain at least three digits', { status: 400 });
    return number;
  };

  api.get('/numbers', {
    schema: {
      ...admin('listVoiceNumbers', "The tenant's phone numbers and their platforms (secrets are never shown)"),
      response: { 200: z.object({ numbers: z.array(numberView) }), 401: problemSchema, 403: problemSchema },
    },
    handler: async (request) => {
      const rows = await db
        .selectFrom('voice_numbers')
        .selectAll()
        .where('tenant_id', '=', tenantOf(request))
        .orderBy('number')
        .execute();
      return { numbers: rows.map(toView) };
    },
  });

  api.put('/numbers/:number', {
    schema: {
      ...admin('putVoiceNumber', 'Claim a phone number for this tenant, or change its platform and settings'),
      params: numberParam,
      body: numberBody,
      response: { 200: numberView, 400: problemSchema, 401: problemSchema, 403: problemSchema, 409: problemSchema },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      const number = cleanNumber(request.params.number);
      const body = request.body;
      const values = {
        provider: body.provider,
        secret: body.secret,
        language: body.language,
        transfer_target: body.transferTarget,
        min_confidence: body.minConfidence,
        cti_url: body.ctiUrl,
        updated_at: new Date(),
      };
      const row = await db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('voice_numbers')
          .select(['id', 'tenant_id'])
          .where('number', '=', number)
          .forUpdate()
          .executeTakeFirst();
        if (existing && existing.tenant_id !== tenantId)
          throw new KefuError(ErrorCodes.voiceNumberTaken, 'this number belongs to another tenant', { status: 409 });
        if (existing)
          return trx
            .updateTable('voice_numbers')
            .set(values)
            .where('id', '=', existing.id)
            .where('tenant_id', '=', tenantId)
            .returningAll()
            .executeTakeFirstOrThrow();
        return trx
          .insertInto('voice_numbers')
          .values({ id: crypto.randomUUID(), tenant_id: tenantId, number, ...values })
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      voice.forgetNumbers();
      return toView(row);
    },
  });

  api.delete('/numbers/:number', {
    schema: {
      ...admin('deleteVoiceNumber', 'Release a phone number (its calls stay in the history)'),
      params: numberParam,
      response: { 204: z.null(), 401: problemSchema, 403: problemSchema, 404: problemSchema },
    },
    handler: async (request, reply) => {
      const deleted = await db
        .deleteFrom('voice_numbers')
        .where('tenant_id', '=', tenantOf(request))
        .where('number', '=', cleanNumber(request.params.number))
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0)
        throw new KefuError(ErrorCodes.voiceNumberUnknown, 'this tenant has no such number', { status: 404 });
      voice.forgetNumbers();
      return reply.code(204).send(null);
    },
  });

  api.put('/agent-lines/:agentId', {
    schema: {
      ...admin(
        'putVoiceAgentLine',
        'Set the phone line (SIP URI or number) a call is transferred to when this agent accepts it',
      ),
      params: z.object({ agentId: z.string().uuid() }).strict(),
      body: z
        .object({
          line: z
            .string()
            .max(300)
            .regex(/^(?:sips?:[^\s]+|\+?[\d\s-]{3,32})$/, 'a SIP URI or a phone number'),
        })
        .strict(),
      response: {
        200: z.object({ agentId: z.string(), line: z.string() }),
        400: problemSchema,
        401: problemSchema,
        403: problemSchema,
        404: problemSchema,
      },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      const agent = await db
        .selectFrom('agents')
        .select(['id'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', request.params.agentId)
        .executeTakeFirst();
      if (!agent) throw new KefuError(ErrorCodes.agentNotFound, 'agent not found', { status: 404 });
      await db
        .insertInto('voice_agent_lines')
        .values({ tenant_id: tenantId, agent_id: agent.id, line: request.body.line })
        .onConflict((conflict) =>
          conflict.columns(['tenant_id', 'agent_id']).doUpdateSet({ line: request.body.line, updated_at: new Date() }),
        )
        .execute();
      return { agentId: agent.id, line: request.body.line };
    },
  });

  api.get('/callbacks', {
    schema: {
      ...admin('listVoiceCallbacks', 'Callbacks promised to callers who waited past the SLA or hung up in line'),
      querystring: z.object({ status: z.enum(['open', 'done']).default('open') }).strict(),
      response: {
        200: z.object({
          callbacks: z.array(
            z.object({
              id: z.string(),
              phone: z.string(),
              queue: z.string(),
              status: z.string(),
              conversationId: z.string().nullable(),
              createdAt: z.string(),
            }),
          ),
        }),
        400: problemSchema,
        401: problemSchema,
        403: problemSchema,
      },
    },
    handler: async (request) => {
      const rows = await db
        .selectFrom('voice_callbacks')
        .selectAll()
        .where('tenant_id', '=', tenantOf(request))
        .where('status', '=', request.query.status)
        .orderBy('created_at')
        .limit(500)
        .execute();
      return {
        callbacks: rows.map((row) => ({
          id: row.id,
          phone: row.phone,
          queue: row.queue,
          status: row.status,
          conversationId: row.conversation_id,
          createdAt: row.created_at.toISOString(),
        })),
      };
    },
  });

  api.post('/callbacks/:callbackId/done', {
    schema: {
      ...admin('completeVoiceCallback', 'Mark a callback as done'),
      params: z.object({ callbackId: z.string().uuid() }).strict(),
      response: { 204: z.null(), 401: problemSchema, 403: problemSchema, 404: problemSchema },
    },
    handler: async (request, reply) => {
      const updated = await db
        .updateTable('voice_callbacks')
        .set({ status: 'done' })
        .where('tenant_id', '=', tenantOf(request))
        .where('id', '=', request.params.callbackId)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0)
        throw new KefuError(ErrorCodes.notFound, 'callback not found', { status: 404 });
      return reply.code(204).send(null);
    },
  });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Validates a webhook body after its signature header was seen; 400 problem+json with the paths. */
function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new KefuError(ErrorCodes.voiceEventInvalid, 'the voice event is malformed', {
      status: 400,
      details: {
        errors: parsed.error.issues
          .slice(0, 10)
          .map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      },
    });
  }
  return parsed.data;
}

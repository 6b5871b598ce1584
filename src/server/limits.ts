import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { EventBus } from '../bus/index.js';
import type { KefuConfig } from '../config/index.js';
import { ErrorCodes, KefuError, isKefuError } from '../errors/index.js';
import { PlanCache, QuotaTracker, UsageWebhooks } from '../metering/index.js';
import { createInProcessRateLimiter, createRedisRateLimiter, type RateLimiter } from '../ratelimit/index.js';
import { closeRedis, connectRedis, createRedisConnection } from '../redis/index.js';
import type { Db } from '../store/database.js';
import { hashApiKey } from '../tenancy/index.js';
import { problem } from './problem.js';
import { bearerToken } from './zones/bearer-token.js';

/** What the request path needs to enforce per-tenant and per-key rates (built in src/server/kefu.ts). */
export interface RequestLimits {
  limiter: RateLimiter;
  plans: PlanCache;
  /** Keys that authenticated recently (by hash), so a flood can be refused before its database lookup. */
  recentKeys?: RecentKeys;
  /** A limiter that fails (Redis down) lets the request through and reports here. */
  onLimiterError?: (error: unknown) => void;
}

export interface Metering {
  limits: RequestLimits;
  quotas: QuotaTracker;
  webhooks: UsageWebhooks;
  close(): Promise<void>;
}

/**
 * The composition of metering: plans cached per tenant (dropped on `tenant.updated`), token
 * buckets in Redis when REDIS_URL is set (else in-process), monthly quotas whose 80 %/100 %
 * crossings become usage webhooks, and a timer that retries deliveries and sends daily summaries.
 */
export async function createMetering(options: {
  config: KefuConfig;
  db: Db;
  bus: EventBus;
  onError?: (error: unknown, context: string) => void;
  webhooks?: { allowPrivateNetwork?: boolean; backoffMs?: readonly number[] };
}): Promise<Metering> {
  const { config, db, bus } = options;
  const report = (context: string) => (error: unknown) => options.onError?.(error, context);
  const plans = new PlanCache(db);
  const webhooks = new UsageWebhooks(db, { ...(options.webhooks ?? {}), onError: report('usage webhook') });
  const quotas = new QuotaTracker(db, plans, { onThreshold: (event) => webhooks.quotaThreshold(event) });
  // Redis first: when it cannot be reached, nothing has been subscribed or started to leak.
  let limiter: RateLimiter;
  if (config.redisUrl) {
    const connection = createRedisConnection(
      config.redisUrl,
      { role: 'ratelimit', maxRetriesPerRequest: 1 },
      report('redis rate limiter'),
    );
    await connectRedis(connection);
    const redisLimiter = createRedisRateLimiter(connection, { prefix: config.redisPrefix });
    limiter = { ...redisLimiter, close: () => closeRedis(connection) };
  } else {
    limiter = createInProcessRateLimiter();
  }
  const unsubscribe = bus.subscribe((event) => {
    if (event.type === 'tenant.updated') {
      plans.invalidate(event.tenantId);
      quotas.forget(event.tenantId);
    }
  });
  const timer = setInterval(() => {
    webhooks.deliverDue().catch(report('usage webhook retries'));
    webhooks.sendDailySummaries().catch(report('daily usage summaries'));
  }, 60_000);
  timer.unref();
  return {
    limits: { limiter, plans, recentKeys: new RecentKeys(), onLimiterError: report('rate limiter') },
    quotas,
    webhooks,
    async close() {
      clearInterval(timer);
      unsubscribe();
      await webhooks.idle();
      await limiter.close();
    },
  };
}

/**
 * Takes one token from the tenant's bucket (the plan's `requestsPerSecond`/`burst`) and, when the
 * plan sets `keyRequestsPerSecond`, from the key's bucket first. Refusal is a 429 CS_RATE_LIMITED
 * with Retry-After. The plan comes from a cache, so this adds no database round trip.
 */
export async function enforceRate(
  limits: RequestLimits,
  tenantId: string,
  keyId: string | null,
  bucket = 'api',
): Promise<void> {
  const refusal = await checkRate(limits, tenantId, keyId, bucket);
  if (refusal) throw rateLimited(refusal.who, refusal.retryAfterMs);
}

/** One visitor's pace on the widget: a burst of 10 messages, then one a second (a fast typist). */
export const WIDGET_CONTACT_RATE = { ratePerSecond: 1, burst: 10 } as const;

/**
 * A customer message over the widget socket: one request of the tenant's widget traffic (its plan's
 * rate), and at most WIDGET_CONTACT_RATE for the contact. Throws 429 CS_RATE_LIMITED like REST.
 */
export async function enforceMessageRate(limits: RequestLimits, tenantId: string, contactId: string): Promise<void> {
  let contact;
  try {
    contact = await limits.limiter.take(`widget-contact:${contactId}`, WIDGET_CONTACT_RATE);
  } catch (error) {
    limits.onLimiterError?.(error);
    contact = { allowed: true, remaining: 0, retryAfterMs: 0 };
  }
  if (!contact.allowed) throw rateLimited('this conversation', contact.retryAfterMs);
  await enforceRate(limits, tenantId, null, 'widget');
}

/** Takes the tokens; returns why and for how long the request is refused, or null when it may pass. */
async function checkRate(
  limits: RequestLimits,
  tenantId: string,
  keyId: string | null,
  bucket: string,
): Promise<{ who: string; retryAfterMs: number } | null> {
  const plan = await limits.plans.get(tenantId);
  const { requestsPerSecond, burst, keyRequestsPerSecond } = plan.limits;
  const take = async (key: string, ratePerSecond: number, capacity: number) => {
    try {
      return await limits.limiter.take(key, { ratePerSecond, burst: capacity });
    } catch (error) {
      // Fail open: an unreachable Redis must not take the API down with it.
      limits.onLimiterError?.(error);
      return { allowed: true, remaining: 0, retryAfterMs: 0 };
    }
  };
  if (keyId !== null && keyRequestsPerSecond !== null) {
    // The key's burst scales with its share of the tenant's rate (at least one request).
    const keyBurst = Math.max(1, Math.round((burst * keyRequestsPerSecond) / requestsPerSecond));
    const decision = await take(`key:${keyId}`, keyRequestsPerSecond, keyBurst);
    if (!decision.allowed) return { who: 'this API key', retryAfterMs: decision.retryAfterMs };
  }
  const decision = await take(`${bucket}:${tenantId}`, requestsPerSecond, burst);
  return decision.allowed ? null : { who: 'this tenant', retryAfterMs: decision.retryAfterMs };
}

function retryAfterSecondsOf(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

function rateLimited(who: string, retryAfterMs: number): KefuError {
  const retryAfterSeconds = retryAfterSecondsOf(retryAfterMs);
  return new KefuError(ErrorCodes.rateLimited, `too many requests for ${who}; retry after ${retryAfterSeconds} s`, {
    status: 429,
    details: { retryAfterSeconds },
  });
}

/**
 * Key hashes that authenticated in the last `ttlMs`, mapped to their tenant and key id. Used only
 * to refuse early (a request still goes through full authentication when its bucket has tokens),
 * so a revoked key is never let in by it.
 */
export class RecentKeys {
  readonly #entries = new Map<string, { tenantId: string; keyId: string; at: number }>();
  constructor(
    private readonly ttlMs = 30_000,
    private readonly max = 10_000,
  ) {}
  get(hash: string, now = Date.now()): { tenantId: string; keyId: string } | undefined {
    const entry = this.#entries.get(hash);
    if (!entry || now - entry.at > this.ttlMs) return undefined;
    return entry;
  }
  remember(hash: string, tenantId: string, keyId: string, now = Date.now()): void {
    const entry = this.#entries.get(hash);
    if (entry && now - entry.at < this.ttlMs / 2) return;
    this.#entries.delete(hash);
    this.#entries.set(hash, { tenantId, keyId, at: now });
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

const rateTaken = new WeakSet<FastifyRequest>();

function bearerHash(request: FastifyRequest): string | null {
  const token = bearerToken(request);
  return token ? hashApiKey(token) : null;
}

/** How long a refusal on the flood path is held back (see earlyRateLimitHook). */
const TARPIT_MS = 1_000;

/**
 * onRequest for /v1: a key that authenticated recently takes its tokens before the body is parsed
 * and before the database lookup of authentication, so a tenant flooding far above its rate is
 * refused at the cost of a hash and a bucket, not a query its neighbours wait behind. The refusal
 * is written directly (no exception, no error handler) and held back 1 s: a client that honours
 * Retry-After (whole seconds, at least 1) was going to wait anyway, and a flooder's own connections
 * pace it (one refusal per connection per second) instead of costing its neighbours CPU.
 */
export function earlyRateLimitHook(limits: RequestLimits) {
  return async function limitRateEarly(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> {
    if (!limits.recentKeys) return undefined;
    const hash = bearerHash(request);
    const known = hash ? limits.recentKeys.get(hash) : undefined;
    if (!known) return undefined;
    const refusal = await checkRate(limits, known.tenantId, known.keyId, 'api');
    if (!refusal) {
      rateTaken.add(request);
      return undefined;
    }
    const retryAfterSeconds = retryAfterSecondsOf(refusal.retryAfterMs);
    await new Promise((resolve) => setTimeout(resolve, TARPIT_MS));
    const body = problem(
      429,
      ErrorCodes.rateLimited,
      `too many requests for ${refusal.who}; retry after ${retryAfterSeconds} s`,
      {
        instance: request.url.split('?')[0],
        retryAfterSeconds,
      },
    );
    return reply
      .code(429)
      .header('retry-after', String(retryAfterSeconds))
      .type('application/problem+json; charset=utf-8')
      .send(JSON.stringify(body));
  };
}

/** onRequest for /v1, registered after authentication: rates per tenant and per key. */
export function rateLimitHook(limits: RequestLimits) {
  return async function limitRate(request: FastifyRequest): Promise<void> {
    const principal = request.principal;
    if (!principal) return;
    if (limits.recentKeys) {
      const hash = bearerHash(request);
      if (hash) limits.recentKeys.remember(hash, principal.tenantId, principal.keyId);
    }
    if (rateTaken.has(request)) return;
    await enforceRate(limits, principal.tenantId, principal.keyId);
  };
}

/**
 * onError hook: a kefu error that says when to come back (`retryAfterSeconds`: rate limits,
 * quotas) gets a Retry-After header on its problem+json answer.
 */
export async function retryAfterHeader(
  _request: FastifyRequest,
  reply: FastifyReply,
  error: FastifyError,
): Promise<void> {
  if (!isKefuError(error)) return;
  const seconds = error.details?.retryAfterSeconds;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0)
    reply.header('retry-after', String(Math.ceil(seconds)));
}

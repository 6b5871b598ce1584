import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { billingCsv, billingStatement, usageSummary } from '../../metering/index.js';
import {
  TENANT_DOMAINS,
  changeTenantPlan,
  createOperatorKey,
  createPlan,
  createTenantFromPlan,
  deletePlan,
  deleteTenant,
  listOperatorKeys,
  listOperatorTenants,
  listPlans,
  requireOperatorTenant,
  requirePlan,
  revokeOperatorKey,
  setTenantStatus,
  updatePlan,
  type OperatorTenant,
  type StoredPlan,
} from '../../operator/index.js';
import { planFeaturesSchema, planLimitsSchema, planPricesSchema } from '../../plans/index.js';
import { problemSchema } from '../../protocol/index.js';
import type { Db } from '../../store/database.js';
import {
  Scopes,
  auditCsv,
  createApiKey,
  listApiKeys,
  queryAudit,
  recordAudit,
  revokeApiKey,
  rotateApiKey,
  type ApiKeySummary,
  type AuditEntry,
} from '../../tenancy/index.js';
import type { AppDeps } from '../create-app.js';
import { auditSource } from '../operator-auth.js';

const security = [{ operatorKey: [] }];
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
const iso = (date: Date | null) => (date ? date.toISOString() : null);

const slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'use 1-64 lower-case letters, digits and inner hyphens');
const reference = z.string().min(1).max(64).describe('id or slug');
const tenantParams = z.object({ tenant: reference });
const keyParams = z.object({ tenant: reference, keyId: z.string().uuid() });
const dateTime = z.string().datetime({ offset: true });
const scopeList = z.array(z.enum(Scopes)).min(1).max(Scopes.length);

/** The same fields without their defaults, for partial updates merged into what is stored. */
function withoutDefaults<T extends z.ZodObject>(schema: T) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [
      key,
      (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType)).optional(),
    ]),
  );
  return z.object(shape).strict();
}

const planSchema = z
  .object({
    id: z.string().uuid(),
    slug: z.string(),
    name: z.string(),
    limits: planLimitsSchema,
    prices: planPricesSchema,
    features: z.array(z.string()),
    tenants: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Plan' });

const operatorTenantSchema = z
  .object({
    id: z.string().uuid(),
    slug: z.string(),
    name: z.string(),
    locale: z.string(),
    domain: z.string(),
    status: z.enum(['active', 'suspended']),
    plan: z.object({ id: z.string().uuid(), slug: z.string(), name: z.string() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'OperatorTenant' });

const apiKeySummarySchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable().describe('In the future while a rotated key is in its grace period'),
    rotatedAt: z.string().nullable(),
    replacedBy: z.string().uuid().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'ApiKeySummary', description: 'A tenant API key without its secret (kefu keeps only a hash)' });

const createdKeySchema = z
  .object({
    id: z.string().uuid(),
    key: z.string().describe('Shown only this once'),
    prefix: z.string(),
    scopes: z.array(z.string()),
    expiresAt: z.string().nullable(),
  })
  .meta({ id: 'CreatedApiKey' });

const newKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    scopes: scopeList.optional(),
    expiresAt: dateTime.optional().describe('ISO time; default: never'),
  })
  .strict();

const auditEntrySchema = z
  .object({
    id: z.string().uuid(),
    tenantId: z.string().uuid().nullable(),
    actor: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    sourceIp: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'AuditEntry' });

const auditFilter = z
  .object({
    tenant: reference.optional(),
    actor: z.string().min(1).max(200).optional().describe('e.g. operator:<key id>, key:<tenant key id>, cli:<user>'),
    action: z.string().min(1).max(100).optional().describe('an action, or a prefix ending in * (api_key.*)'),
    from: dateTime.optional(),
    to: dateTime.optional().describe('exclusive'),
  })
  .strict();

function planDto(plan: StoredPlan) {
  return { ...plan, createdAt: plan.createdAt.toISOString(), updatedAt: plan.updatedAt.toISOString() };
}

function tenantDto(tenant: OperatorTenant) {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    locale: tenant.locale,
    domain: tenant.domain,
    status: tenant.status,
    plan: tenant.plan,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}

function keyDto(key: ApiKeySummary) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    expiresAt: iso(key.expiresAt),
    lastUsedAt: iso(key.lastUsedAt),
    revokedAt: iso(key.revokedAt),
    rotatedAt: iso(key.rotatedAt),
    replacedBy: key.replacedBy,
    createdAt: key.createdAt.toISOString(),
  };
}

function futureDate(value: string | undefined, path: string): Date | null {
  if (value === undefined) return null;
  const date = new Date(value);
  if (date.getTime() <= Date.now()) {
    throw new KefuError(ErrorCodes.validation, 'the request does not match the schema', {
      details: { errors: [{ path, message: 'must be in the future' }] },
    });
  }
  return date;
}

/**
 * The operator (reseller) plane: plans, tenants from a plan, their keys, usage across tenants,
 * bills, and the audit log. Operator keys only (`kefu_op_…`); every change is audited with who
 * and from where, in the same transaction as the change. Registered inside the operator zone
 * (src/server/zones/operator-zone.ts), which checks the key before anything is parsed.
 */
export async function operatorRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.database.db;

  /** Runs `work` and its audit entry in one transaction. */
  const audited = async <T>(
    request: FastifyRequest,
    work: (trx: Db) => Promise<{ result: T; audit: Omit<AuditEntry, 'actor'> }>,
  ): Promise<T> =>
    db.transaction().execute(async (trx) => {
      const { result, audit } = await work(trx);
      await recordAudit(trx, { ...audit, ...auditSource(request) });
      return result;
    });

  // ── plans ────────────────────────────────────────────────────────────────────────────────
  api.post('/plans', {
    schema: {
      operationId: 'createPlan',
      tags: ['operator'],
      summary: 'Create a plan: limits, price sheet (integer micros), features',
      security,
      body: z
        .object({
          slug,
          name: z.string().trim().min(1).max(200),
          limits: planLimitsSchema.optional(),
          prices: planPricesSchema.optional(),
          features: planFeaturesSchema.optional(),
        })
        .strict(),
      response: { 201: planSchema, 409: problemSchema, ...errors },
    },
    handler: async (request, reply) => {
      const plan = await audited(request, async (trx) => {
        const created = await createPlan(trx, request.body);
        return {
          result: created,
          audit: {
            tenantId: null,
            action: 'plan.create',
            target: created.id,
            details: { slug: created.slug, limits: created.limits, prices: created.prices, features: created.features },
          },
        };
      });
      return reply.code(201).send(planDto(plan));
    },
  });

  api.get('/plans', {
    schema: {
      operationId: 'listPlans',
      tags: ['operator'],
      summary: 'List plans with how many tenants each has',
      security,
      response: { 200: z.object({ plans: z.array(planSchema) }), ...errors },
    },
    handler: async () => ({ plans: (await listPlans(db)).map(planDto) }),
  });

  api.get('/plans/:plan', {
    schema: {
      operationId: 'getPlan',
      tags: ['operator'],
      summary: 'A plan (by id or slug)',
      security,
      params: z.object({ plan: reference }),
      response: { 200: planSchema, ...errors },
    },
    handler: async (request) => planDto(await requirePlan(db, request.params.plan)),
  });

  api.patch('/plans/:plan', {
    schema: {
      operationId: 'updatePlan',
      tags: ['operator'],
      summary: 'Change a plan: limits and prices are merged key by key into the stored ones, features replaced',
      security,
      params: z.object({ plan: reference }),
      body: z
        .object({
          name: z.string().trim().min(1).max(200).optional(),
          limits: withoutDefaults(planLimitsSchema).optional(),
          prices: withoutDefaults(planPricesSchema).optional(),
          features: planFeaturesSchema.optional(),
        })
        .strict(),
      response: { 200: planSchema, ...errors },
    },
    handler: async (request) => {
      const plan = await audited(request, async (trx) => {
        const { before, after } = await updatePlan(trx, request.params.plan, request.body);
        return {
          result: after,
          audit: {
            tenantId: null,
            action: 'plan.update',
            target: after.id,
            details: {
              slug: after.slug,
              before: { name: before.name, limits: before.limits, prices: before.prices, features: before.features },
              change: request.body,
            },
          },
        };
      });
      return planDto(plan);
    },
  });

  api.delete('/plans/:plan', {
    schema: {
      operationId: 'deletePlan',
      tags: ['operator'],
      summary: 'Delete a plan no tenant is on (409 CS_PLAN_IN_USE otherwise)',
      security,
      params: z.object({ plan: reference }),
      response: { 204: z.null().describe('deleted'), 409: problemSchema, ...errors },
    },
    handler: async (request, reply) => {
      await audited(request, async (trx) => {
        const deleted = await deletePlan(trx, request.params.plan);
        return {
          result: null,
          audit: {
            tenantId: null,
            action: 'plan.delete',
            target: deleted.id,
            details: { slug: deleted.slug, name: deleted.name, limits: deleted.limits, prices: deleted.prices },
          },
        };
      });
      return reply.code(204).send(null);
    },
  });

  // ── tenants ──────────────────────────────────────────────────────────────────────────────
  api.post('/tenants', {
    schema: {
      operationId: 'createTenant',
      tags: ['operator'],
      summary: 'Onboard a business in one call: a tenant on a plan, with its first API key (shown once)',
      security,
      body: z
        .object({
          slug,
          name: z.string().trim().min(1).max(200),
          locale: z
            .string()
            .regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/)
            .default('zh-CN'),
          domain: z.enum(TENANT_DOMAINS).default('general'),
          plan: reference.optional().describe('plan id or slug; none = the built-in default plan'),
          key: newKeyBody.optional().describe('the first key; default name "owner", scopes ["admin"], no expiry'),
        })
        .strict(),
      response: {
        201: z.object({ tenant: operatorTenantSchema, apiKey: createdKeySchema }),
        409: problemSchema,
        ...errors,
      },
    },
    handler: async (request, reply) => {
      const body = request.body;
      const expiresAt = futureDate(body.key?.expiresAt, 'body/key/expiresAt');
      const created = await audited(request, async (trx) => {
        const result = await createTenantFromPlan(trx, {
          ...body,
          key: { name: body.key?.name, scopes: body.key?.scopes, expiresAt },
        });
        return {
          result,
          audit: {
            tenantId: result.tenant.id,
            action: 'tenant.create',
            target: result.tenant.id,
            details: {
              slug: result.tenant.slug,
              plan: result.tenant.plan?.slug ?? null,
              firstKey: { id: result.apiKey.id, prefix: result.apiKey.prefix, scopes: result.apiKey.scopes },
            },
          },
        };
      });
      return reply.code(201).send({
        tenant: tenantDto(created.tenant),
        apiKey: {
          id: created.apiKey.id,
          key: created.apiKey.key,
          prefix: created.apiKey.prefix,
          scopes: created.apiKey.scopes,
          expiresAt: iso(created.apiKey.expiresAt),
        },
      });
    },
  });

  api.get('/tenants', {
    schema: {
      operationId: 'listTenants',
      tags: ['operator'],
      summary: 'List tenants with their plan and status (by slug; page with `after`)',
      security,
      querystring: z
        .object({
          status: z.enum(['active', 'suspended']).optional(),
          plan: reference.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          after: z.string().max(64).optional(),
        })
        .strict(),
      response: {
        200: z.object({ tenants: z.array(operatorTenantSchema), nextAfter: z.string().nullable() }),
        ...errors,
      },
    },
    handler: async (request) => {
      const page = await listOperatorTenants(db, request.query);
      return { tenants: page.tenants.map(tenantDto), nextAfter: page.nextAfter };
    },
  });

  api.get('/tenants/:tenant', {
    schema: {
      operationId: 'getOperatorTenant',
      tags: ['operator'],
      summary: 'A tenant (by id or slug)',
      security,
      params: tenantParams,
      response: { 200: operatorTenantSchema, ...errors },
    },
    handler: async (request) => tenantDto(await requireOperatorTenant(db, request.params.tenant)),
  });

  for (const [action, status] of [
    ['suspend', 'suspended'],
    ['resume', 'active'],
  ] as const) {
    api.post(`/tenants/:tenant/${action}`, {
      schema: {
        operationId: action === 'suspend' ? 'suspendTenant' : 'resumeTenant',
        tags: ['operator'],
        summary:
          action === 'suspend'
            ? 'Suspend a tenant: from the next request on, every /v1 route and widget session answers 403 CS_TENANT_SUSPENDED'
            : 'Resume a suspended tenant',
        security,
        params: tenantParams,
        body: z
          .object({ reason: z.string().max(500).optional() })
          .strict()
          .nullish(),
        response: { 200: operatorTenantSchema, ...errors },
      },
      handler: async (request) => {
        const tenant = await audited(request, async (trx) => {
          const found = await requireOperatorTenant(trx, request.params.tenant);
          const changed = await setTenantStatus(trx, found.id, status);
          return {
            result: { ...found, status },
            audit: {
              tenantId: found.id,
              action: `tenant.${action}`,
              target: found.id,
              details: { slug: found.slug, changed, reason: request.body?.reason ?? null },
            },
          };
        });
        return tenantDto(tenant);
      },
    });
  }

  api.put('/tenants/:tenant/plan', {
    schema: {
      operationId: 'changeTenantPlan',
      tags: ['operator'],
      summary: 'Move a tenant to another plan (null = the built-in default plan)',
      security,
      params: tenantParams,
      body: z.object({ plan: reference.nullable() }).strict(),
      response: { 200: operatorTenantSchema, ...errors },
    },
    handler: async (request) => {
      const tenant = await audited(request, async (trx) => {
        const found = await requireOperatorTenant(trx, request.params.tenant);
        const plan = await changeTenantPlan(trx, found.id, request.body.plan);
        return {
          result: found,
          audit: {
            tenantId: found.id,
            action: 'tenant.plan_change',
            target: found.id,
            details: { slug: found.slug, from: found.plan?.slug ?? null, to: plan?.slug ?? null },
          },
        };
      });
      // Plan caches (rate limits, quotas) drop the tenant's entry on this event.
      await deps.bus.publish({ type: 'tenant.updated', tenantId: tenant.id });
      return tenantDto(await requireOperatorTenant(db, tenant.id));
    },
  });

  api.delete('/tenants/:tenant', {
    schema: {
      operationId: 'deleteTenant',
      tags: ['operator'],
      summary: 'Delete a tenant and everything it owns; confirm with ?confirm=<its slug>',
      security,
      params: tenantParams,
      querystring: z.object({ confirm: z.string().max(64).optional() }).strict(),
      response: { 204: z.null().describe('deleted'), ...errors },
    },
    handler: async (request, reply) => {
      await audited(request, async (trx) => {
        const found = await requireOperatorTenant(trx, request.params.tenant);
        if (request.query.confirm !== found.slug) {
          throw new KefuError(
            ErrorCodes.confirmationRequired,
            'deleting a tenant removes all its data: repeat its slug in ?confirm=<slug>',
          );
        }
        await deleteTenant(trx, found.id);
        return {
          result: null,
          audit: {
            tenantId: found.id,
            action: 'tenant.delete',
            target: found.id,
            details: { slug: found.slug, name: found.name, plan: found.plan?.slug ?? null },
          },
        };
      });
      return reply.code(204).send(null);
    },
  });

  // ── tenant API keys ──────────────────────────────────────────────────────────────────────
  api.post('/tenants/:tenant/keys', {
    schema: {
      operationId: 'createTenantKey',
      tags: ['operator'],
      summary: 'Create an API key for a tenant (shown once)',
      security,
      params: tenantParams,
      body: newKeyBody,
      response: { 201: createdKeySchema, ...errors },
    },
    handler: async (request, reply) => {
      const expiresAt = futureDate(request.body.expiresAt, 'body/expiresAt');
      const created = await audited(request, async (trx) => {
        const tenant = await requireOperatorTenant(trx, request.params.tenant);
        const key = await createApiKey(trx, tenant.id, {
          name: request.body.name ?? 'operator',
          scopes: request.body.scopes ?? ['chat'],
          expiresAt,
        });
        return {
          result: key,
          audit: {
            tenantId: tenant.id,
            action: 'api_key.create',
            target: key.id,
            details: { prefix: key.prefix, scopes: key.scopes, expiresAt: iso(key.expiresAt) },
          },
        };
      });
      return reply.code(201).send({
        id: created.id,
        key: created.key,
        prefix: created.prefix,
        scopes: created.scopes,
        expiresAt: iso(created.expiresAt),
      });
    },
  });

  api.get('/tenants/:tenant/keys', {
    schema: {
      operationId: 'listTenantKeys',
      tags: ['operator'],
      summary: "A tenant's API keys: prefix, scopes, last use, revocation (never the secret)",
      security,
      params: tenantParams,
      response: { 200: z.object({ keys: z.array(apiKeySummarySchema) }), ...errors },
    },
    handler: async (request) => {
      const tenant = await requireOperatorTenant(db, request.params.tenant);
      return { keys: (await listApiKeys(db, tenant.id)).map(keyDto) };
    },
  });

  api.post('/tenants/:tenant/keys/:keyId/rotate', {
    schema: {
      operationId: 'rotateTenantKey',
      tags: ['operator'],
      summary:
        'Rotate a key: a new key (shown once) with the same name and scopes; the old one is revoked now or after graceSeconds',
      security,
      params: keyParams,
      body: z
        .object({
          graceSeconds: z
            .number()
            .int()
            .min(0)
            .max(30 * 86_400)
            .default(0),
          expiresAt: dateTime.nullable().optional(),
        })
        .strict()
        .nullish(),
      response: {
        200: z.object({ key: createdKeySchema, previous: apiKeySummarySchema }),
        409: problemSchema,
        ...errors,
      },
    },
    handler: async (request) => {
      const body = request.body ?? { graceSeconds: 0 };
      const expiresAt =
        body.expiresAt === undefined
          ? undefined
          : body.expiresAt === null
            ? null
            : futureDate(body.expiresAt, 'body/expiresAt');
      const rotated = await audited(request, async (trx) => {
        const tenant = await requireOperatorTenant(trx, request.params.tenant);
        const result = await rotateApiKey(trx, tenant.id, request.params.keyId, {
          graceSeconds: body.graceSeconds,
          ...(expiresAt === undefined ? {} : { expiresAt }),
        });
        return {
          result,
          audit: {
            tenantId: tenant.id,
            action: 'api_key.rotate',
            target: request.params.keyId,
            details: { replacedBy: result.created.id, prefix: result.created.prefix, graceSeconds: body.graceSeconds },
          },
        };
      });
      const { created, previous } = rotated;
      return {
        key: {
          id: created.id,
          key: created.key,
          prefix: created.prefix,
          scopes: created.scopes,
          expiresAt: iso(created.expiresAt),
        },
        previous: keyDto(previous),
      };
    },
  });

  api.post('/tenants/:tenant/keys/:keyId/revoke', {
    schema: {
      operationId: 'revokeTenantKey',
      tags: ['operator'],
      summary: 'Revoke a key now (on every node: keys are checked against the database on every request)',
      security,
      params: keyParams,
      response: { 200: apiKeySummarySchema, ...errors },
    },
    handler: async (request) => {
      const key = await audited(request, async (trx) => {
        const tenant = await requireOperatorTenant(trx, request.params.tenant);
        const changed = await revokeApiKey(trx, tenant.id, request.params.keyId);
        const found = (await listApiKeys(trx, tenant.id)).find((entry) => entry.id === request.params.keyId);
        if (!found) throw new KefuError(ErrorCodes.apiKeyNotFound, 'API key not found', { status: 404 });
        return {
          result: found,
          audit: {
            tenantId: tenant.id,
            action: 'api_key.revoke',
            target: found.id,
            details: { prefix: found.prefix, changed },
          },
        };
      });
      return keyDto(key);
    },
  });

  // ── usage and bills ──────────────────────────────────────────────────────────────────────
  api.get('/usage', {
    schema: {
      operationId: 'getOperatorUsage',
      tags: ['operator'],
      summary: 'Usage per tenant in [from, to) from the usage ledger (default: this calendar month, UTC)',
      security,
      querystring: z
        .object({ tenant: reference.optional(), from: dateTime.optional(), to: dateTime.optional() })
        .strict(),
      response: {
        200: z.object({ from: z.string(), to: z.string(), tenants: z.array(z.record(z.string(), z.unknown())) }),
        ...errors,
      },
    },
    handler: async (request) => {
      const now = new Date();
      const from = request.query.from
        ? new Date(request.query.from)
        : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
      const to = request.query.to
        ? new Date(request.query.to)
        : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
      if (to.getTime() <= from.getTime()) throw new KefuError(ErrorCodes.validation, '`to` must be after `from`');
      const tenant = request.query.tenant ? await requireOperatorTenant(db, request.query.tenant) : null;
      const summaries = await usageSummary(db, { ...(tenant ? { tenantId: tenant.id } : {}), from, to });
      const ids = summaries.map((summary) => summary.tenantId);
      const rows =
        ids.length > 0 ? await db.selectFrom('tenants').select(['id', 'slug']).where('id', 'in', ids).execute() : [];
      const slugs = new Map(rows.map((row) => [row.id, row.slug]));
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        tenants: summaries.map((summary) => ({ slug: slugs.get(summary.tenantId) ?? null, ...summary })),
      };
    },
  });

  api.get('/tenants/:tenant/bill', {
    schema: {
      operationId: 'getTenantBill',
      tags: ['operator'],
      summary: "A tenant's bill for a calendar month (UTC), as JSON or CSV (format=csv or Accept: text/csv)",
      security,
      params: tenantParams,
      querystring: z
        .object({
          period: z
            .string()
            .regex(/^\d{4}-\d{2}$/)
            .describe('YYYY-MM'),
          format: z.enum(['json', 'csv']).optional(),
        })
        .strict(),
      response: { 200: z.any().describe('BillingStatement (JSON) or its CSV'), ...errors },
    },
    handler: async (request, reply) => {
      const tenant = await requireOperatorTenant(db, request.params.tenant);
      const statement = await billingStatement(db, tenant.id, request.query.period);
      const wantsCsv =
        request.query.format === 'csv' ||
        (request.query.format === undefined && /\btext\/csv\b/.test(request.headers.accept ?? ''));
      if (wantsCsv) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${tenant.slug}-${statement.period}.csv"`)
          .send(billingCsv(statement));
      }
      return reply.type('application/json; charset=utf-8').send(JSON.stringify({ slug: tenant.slug, ...statement }));
    },
  });

  // ── audit log ────────────────────────────────────────────────────────────────────────────
  const resolveAuditFilter = async (query: z.infer<typeof auditFilter>) => {
    const tenant = query.tenant ? await requireOperatorTenant(db, query.tenant).catch(() => null) : null;
    // A deleted tenant's entries are still findable by its id.
    const tenantId = query.tenant
      ? (tenant?.id ?? (/^[0-9a-f-]{36}$/i.test(query.tenant) ? query.tenant : '00000000-0000-0000-0000-000000000000'))
      : undefined;
    return {
      ...(tenantId ? { tenantId } : {}),
      ...(query.actor ? { actor: query.actor } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.from ? { from: new Date(query.from) } : {}),
      ...(query.to ? { to: new Date(query.to) } : {}),
    };
  };
  const auditDto = (entry: Awaited<ReturnType<typeof queryAudit>>['entries'][number]) => ({
    ...entry,
    createdAt: entry.createdAt.toISOString(),
  });

  api.get('/audit', {
    schema: {
      operationId: 'listAuditEntries',
      tags: ['operator'],
      summary: 'The audit log of operator and admin actions, newest first (filters; page with `cursor`)',
      security,
      querystring: auditFilter
        .extend({
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: z.string().max(200).optional(),
        })
        .strict(),
      response: { 200: z.object({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() }), ...errors },
    },
    handler: async (request) => {
      const page = await queryAudit(db, {
        ...(await resolveAuditFilter(request.query)),
        limit: request.query.limit,
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
      });
      return { entries: page.entries.map(auditDto), nextCursor: page.nextCursor };
    },
  });

  api.get('/audit/export', {
    schema: {
      operationId: 'exportAuditLog',
      tags: ['operator'],
      summary: 'Export the (filtered) audit log as CSV or JSON, up to 100,000 entries, newest first',
      security,
      querystring: auditFilter.extend({ format: z.enum(['json', 'csv']).default('json') }).strict(),
      response: { 200: z.any().describe('JSON {entries} or CSV'), ...errors },
    },
    handler: async (request, reply) => {
      const filter = await resolveAuditFilter(request.query);
      const entries = [];
      let cursor: string | undefined;
      do {
        const page = await queryAudit(db, { ...filter, limit: 1000, ...(cursor ? { cursor } : {}) });
        entries.push(...page.entries);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && entries.length < 100_000);
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="kefu-audit.csv"')
          .send(auditCsv(entries));
      }
      return reply.type('application/json; charset=utf-8').send(JSON.stringify({ entries: entries.map(auditDto) }));
    },
  });

  // ── operator keys ────────────────────────────────────────────────────────────────────────
  api.post('/operator-keys', {
    schema: {
      operationId: 'createOperatorKey',
      tags: ['operator'],
      summary: 'Create another operator key (shown once)',
      security,
      body: z.object({ name: z.string().trim().min(1).max(100) }).strict(),
      response: {
        201: z.object({ id: z.string().uuid(), name: z.string(), prefix: z.string(), key: z.string() }),
        ...errors,
      },
    },
    handler: async (request, reply) => {
      const created = await audited(request, async (trx) => {
        const key = await createOperatorKey(trx, request.body.name);
        return {
          result: key,
          audit: {
            tenantId: null,
            action: 'operator_key.create',
            target: key.id,
            details: { name: key.name, prefix: key.prefix },
          },
        };
      });
      return reply.code(201).send(created);
    },
  });

  api.get('/operator-keys', {
    schema: {
      operationId: 'listOperatorKeys',
      tags: ['operator'],
      summary: 'Operator keys (never the secret)',
      security,
      response: {
        200: z.object({
          keys: z.array(
            z.object({
              id: z.string().uuid(),
              name: z.string(),
              prefix: z.string(),
              lastUsedAt: z.string().nullable(),
              revokedAt: z.string().nullable(),
              createdAt: z.string(),
            }),
          ),
        }),
        ...errors,
      },
    },
    handler: async () => ({
      keys: (await listOperatorKeys(db)).map((key) => ({
        ...key,
        lastUsedAt: iso(key.lastUsedAt),
        revokedAt: iso(key.revokedAt),
        createdAt: key.createdAt.toISOString(),
      })),
    }),
  });

  api.post('/operator-keys/:keyId/revoke', {
    schema: {
      operationId: 'revokeOperatorKey',
      tags: ['operator'],
      summary: 'Revoke an operator key now',
      security,
      params: z.object({ keyId: z.string().uuid() }),
      response: { 204: z.null(), ...errors },
    },
    handler: async (request, reply) => {
      await audited(request, async (trx) => {
        const changed = await revokeOperatorKey(trx, request.params.keyId);
        if (!changed) throw new KefuError(ErrorCodes.notFound, 'no such active operator key', { status: 404 });
        return { result: null, audit: { tenantId: null, action: 'operator_key.revoke', target: request.params.keyId } };
      });
      return reply.code(204).send(null);
    },
  });
}

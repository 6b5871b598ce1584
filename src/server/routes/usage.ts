import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { Meters, billingCsv, billingStatement, monthOf, usageSummary } from '../../metering/index.js';
import { problemSchema } from '../../protocol/index.js';
import { tenantOf } from '../auth.js';
import type { AppDeps } from '../create-app.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 429: problemSchema };
const security = [{ apiKey: [] }];
const meterTotals = z.object(
  Object.fromEntries(Meters.map((meter) => [meter, z.number().int()])) as Record<(typeof Meters)[number], z.ZodNumber>,
);

export const usageSummarySchema = z.object({
  tenantId: z.string(),
  from: z.string(),
  to: z.string(),
  meters: meterTotals,
  messages: z.number().int(),
  turns: z.number().int(),
  llmTokensIn: z.number().int(),
  llmTokensOut: z.number().int(),
  connectorCalls: z.number().int(),
  storageBytes: z.number().int(),
  ledgerRows: z.number().int(),
});

export const billingStatementSchema = z.object({
  tenantId: z.string(),
  period: z.string(),
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  plan: z.object({ id: z.string().nullable(), slug: z.string(), name: z.string() }),
  lines: z.array(
    z.object({
      meter: z.string(),
      description: z.string(),
      quantity: z.number().int(),
      unit: z.string(),
      unitPriceMicros: z.number().int(),
      pricedPer: z.number().int(),
      amountMicros: z.number().int(),
    }),
  ),
  totalMicros: z.number().int(),
  ledger: z.object({ rows: z.number().int(), quantities: meterTotals, storageBytesAtEnd: z.number().int() }),
  generatedAt: z.string(),
});

const deliverySchema = z.object({
  id: z.string(),
  eventType: z.string(),
  eventKey: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
});

const MAX_RANGE_MS = 366 * 86_400_000;

/** Tenant-facing usage, bills and usage webhooks (docs/metering.md). Registered inside /v1 (key auth, rate limits). */
export async function usageRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.database.db;

  api.get('/usage', {
    config: { scopes: ['analytics:read'] },
    schema: {
      operationId: 'getUsage',
      tags: ['usage'],
      summary: 'Usage from the ledger in [from, to) (default: this calendar month, UTC)',
      security,
      querystring: z
        .object({
          from: z.string().datetime({ offset: true }).optional(),
          to: z.string().datetime({ offset: true }).optional(),
        })
        .strict(),
      response: { 200: usageSummarySchema, ...errors },
    },
    handler: async (request) => {
      const month = monthOf(new Date());
      const from = request.query.from ? new Date(request.query.from) : month.from;
      const to = request.query.to ? new Date(request.query.to) : month.to;
      if (!(from < to)) throw new KefuError(ErrorCodes.validation, '`from` must be before `to`', { status: 400 });
      if (to.getTime() - from.getTime() > MAX_RANGE_MS)
        throw new KefuError(ErrorCodes.validation, 'the range may span at most 366 days', { status: 400 });
      const [summary] = await usageSummary(db, { tenantId: tenantOf(request), from, to });
      return summary!;
    },
  });

  api.get('/billing/:period', {
    config: { scopes: ['analytics:read'] },
    schema: {
      operationId: 'getBill',
      tags: ['usage'],
      summary: 'The bill of a calendar month (YYYY-MM): JSON, or CSV with ?format=csv or Accept: text/csv',
      security,
      params: z.object({ period: z.string().max(20) }),
      querystring: z.object({ format: z.enum(['json', 'csv']).optional() }).strict(),
      response: { 200: billingStatementSchema, ...errors },
    },
    handler: async (request, reply) => {
      const statement = await billingStatement(db, tenantOf(request), request.params.period);
      const wantsCsv =
        request.query.format === 'csv' ||
        (request.query.format === undefined && /\btext\/csv\b/.test(request.headers.accept ?? ''));
      if (wantsCsv) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="kefu-bill-${statement.period}.csv"`)
          .serializer((payload: unknown) => payload as string)
          .send(billingCsv(statement) as never);
      }
      return statement;
    },
  });

  const webhooks = deps.usageWebhooks;
  if (!webhooks) return;

  api.put('/usage/webhook', {
    config: { scopes: ['admin'] },
    schema: {
      operationId: 'setUsageWebhook',
      tags: ['usage'],
      summary:
        'Set the usage webhook (quota 80 %/100 %, daily summary); returns a new Standard Webhooks secret, shown once',
      security,
      body: z.object({ url: z.string().min(1).max(2000) }).strict(),
      response: { 200: z.object({ url: z.string(), secret: z.string() }), ...errors },
    },
    handler: async (request) => webhooks.configure(tenantOf(request), request.body.url),
  });

  api.get('/usage/webhook', {
    config: { scopes: ['admin'] },
    schema: {
      operationId: 'getUsageWebhook',
      tags: ['usage'],
      summary: 'The usage webhook (without its secret)',
      security,
      response: {
        200: z.object({ url: z.string(), enabled: z.boolean(), createdAt: z.string(), updatedAt: z.string() }),
        ...errors,
      },
    },
    handler: async (request) => {
      const hook = await webhooks.get(tenantOf(request));
      if (!hook) throw new KefuError(ErrorCodes.webhookNotFound, 'no usage webhook is configured', { status: 404 });
      return hook;
    },
  });

  api.delete('/usage/webhook', {
    config: { scopes: ['admin'] },
    schema: {
      operationId: 'deleteUsageWebhook',
      tags: ['usage'],
      summary: 'Remove the usage webhook',
      security,
      response: { 204: z.null(), ...errors },
    },
    handler: async (request, reply) => {
      if (!(await webhooks.remove(tenantOf(request))))
        throw new KefuError(ErrorCodes.webhookNotFound, 'no usage webhook is configured', { status: 404 });
      return reply.code(204).send(null);
    },
  });

  api.get('/usage/webhook/deliveries', {
    config: { scopes: ['admin'] },
    schema: {
      operationId: 'listUsageWebhookDeliveries',
      tags: ['usage'],
      summary: 'The delivery log of usage webhooks, newest first',
      security,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict(),
      response: { 200: z.object({ deliveries: z.array(deliverySchema) }), ...errors },
    },
    handler: async (request) => ({ deliveries: await webhooks.deliveries(tenantOf(request), request.query.limit) }),
  });
}

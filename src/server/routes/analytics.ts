import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { agentCanReadPii, maskPii } from '../../guard/pii/index.js';
import { agentIsTrainer } from '../../learning/trainer-service.js';
import { problemSchema } from '../../protocol/index.js';
import {
  analyticsClusters,
  analyticsPhrasings,
  analyticsRange,
  analyticsTrends,
  clustersTable,
  csvLines,
  dailyTable,
  jsonLines,
  phrasingsTable,
  volumeTable,
  type ExportTable,
} from '../../reports/analytics.js';
import { readTenantSettings } from '../../tenancy/tenant-settings.js';
import type { AppDeps } from '../create-app.js';
import { agentOf } from '../zones/agent-zone.js';

/**
 * The analytics API behind the console's analytics screen (docs/learning.md, "Analytics"), in the
 * agent zone (/v1/agent/analytics, agent session tokens), for agents with the `trainer` scope like
 * the trainer's console (CS_TRAINER_SCOPE_REQUIRED otherwise). Every answer is one tenant's, in its
 * time zone. `?format=csv|jsonl` streams the data of a chart instead of the JSON answer: CSV with a
 * UTF-8 BOM and a header row (Excel opens Chinese correctly), JSONL one object a line.
 */
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema };
const security = [{ agentSession: [] }];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const rangeQuery = {
  from: z
    .string()
    .regex(DAY, 'a date, YYYY-MM-DD')
    .optional()
    .describe('first day (the tenant’s time zone); default 29 days before `to`'),
  to: z.string().regex(DAY, 'a date, YYYY-MM-DD').optional().describe('last day, included; default today'),
  format: z.enum(['json', 'csv', 'jsonl']).optional().describe('json (default), or a streamed csv / jsonl export'),
};

const rate = z.number().nullable();
const dayFields = {
  conversations: z.number().int(),
  turns: z.number().int(),
  contained: z.number().int(),
  containment: rate,
  handedOver: z.number().int(),
  handoverRate: rate,
  resolutions: z.number().int(),
  csatAverage: rate,
  csatRatings: z.number().int(),
  costYuan: z.number(),
  costPerResolution: rate,
  styleConsistency: rate,
  styleMessages: z.number().int(),
};
const trendsSchema = z
  .object({
    timezone: z.string(),
    from: z.string(),
    to: z.string(),
    intents: z.array(z.object({ id: z.string(), name: z.string(), turns: z.number().int() })),
    days: z.array(
      z.object({
        day: z.string(),
        ...dayFields,
        volume: z.record(z.string(), z.number().int()),
        otherVolume: z.number().int(),
        unrecognisedVolume: z.number().int(),
      }),
    ),
    totals: z.object(dayFields),
  })
  .meta({ id: 'AnalyticsTrends' });

const clustersSchema = z
  .object({
    timezone: z.string(),
    from: z.string(),
    to: z.string(),
    messages: z.number().int(),
    noise: z.number().int(),
    clusters: z.array(
      z.object({
        index: z.number().int(),
        size: z.number().int(),
        phrasings: z.number().int(),
        share: z.number(),
        proposedQuestion: z.string(),
        representatives: z.array(z.object({ text: z.string(), count: z.number().int() })),
        reasons: z.object({ unanswered: z.number().int(), fallback: z.number().int(), handed_over: z.number().int() }),
        traceIds: z.array(z.string()),
        lastSeen: z.string(),
      }),
    ),
  })
  .meta({ id: 'AnalyticsClusters' });

const phrasingsSchema = z
  .object({
    timezone: z.string(),
    from: z.string(),
    to: z.string(),
    entries: z.array(
      z.object({
        kind: z.enum(['faq', 'intent']),
        id: z.string(),
        name: z.string(),
        phrasings: z.number().int(),
        messages: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'AnalyticsPhrasings' });

/** Streams a table as CSV or JSONL, as an attachment named after it and its range. */
function sendTable(
  reply: FastifyReply,
  table: ExportTable,
  format: 'csv' | 'jsonl',
  range: { from: string; to: string },
) {
  const filename = `kefu-${table.name}-${range.from}-${range.to}.${format}`;
  reply
    .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store');
  const lines = format === 'csv' ? csvLines(table.columns, table.rows()) : jsonLines(table.rows());
  return reply.send(Readable.from(lines) as never);
}

export async function analyticsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const db = deps.database.db;
  // After the zone's own onRequest (authentication): the trainer scope, before any query is run.
  app.addHook('onRequest', async (request) => {
    if (request.ws || request.routeOptions.config.public) return;
    const { tenantId, agentId } = agentOf(request);
    if (!(await agentIsTrainer(db, tenantId, agentId)))
      throw new KefuError(ErrorCodes.trainerScopeRequired, 'this agent lacks the trainer scope', { status: 403 });
  });
  const api = app.withTypeProvider<ZodTypeProvider>();
  const rangeOf = async (tenantId: string, query: { from?: string; to?: string }) =>
    analyticsRange(query, (await readTenantSettings(db, tenantId)).timezone);

  api.get('/analytics/trends', {
    schema: {
      operationId: 'analyticsTrends',
      tags: ['analytics'],
      summary:
        'Trends per day in the tenant’s time zone: volume per top intent, containment, hand-over rate, CSAT, cost per resolution, style consistency',
      security,
      querystring: z
        .object({
          ...rangeQuery,
          top: z.coerce.number().int().min(1).max(50).optional().describe('how many intents by name (default 8)'),
          chart: z
            .enum(['daily', 'volume'])
            .optional()
            .describe('for csv/jsonl: daily (one row a day, every line chart) or volume (one row per day and intent)'),
        })
        .strict(),
      response: { 200: trendsSchema, ...errors },
    },
    handler: async (request, reply) => {
      const { tenantId } = agentOf(request);
      const range = await rangeOf(tenantId, request.query);
      const trends = await analyticsTrends(db, tenantId, range, { top: request.query.top });
      const format = request.query.format ?? 'json';
      if (format === 'json') return trends;
      const table = request.query.chart === 'volume' ? volumeTable(trends) : dailyTable(trends);
      return sendTable(reply, table, format, range);
    },
  });

  api.get('/analytics/clusters', {
    schema: {
      operationId: 'analyticsClusters',
      tags: ['analytics'],
      summary:
        'Phrasing clusters of unanswered, fallback and handed-over customer messages, largest first, each with representative phrasings and a proposed FAQ question (personal data masked unless pii:read)',
      security,
      querystring: z.object({ ...rangeQuery, limit: z.coerce.number().int().min(1).max(500).optional() }).strict(),
      response: { 200: clustersSchema, ...errors },
    },
    handler: async (request, reply) => {
      const { tenantId, agentId } = agentOf(request);
      const range = await rangeOf(tenantId, request.query);
      const unmasked = await agentCanReadPii(db, tenantId, agentId);
      const clusters = await analyticsClusters(db, tenantId, range, {
        limit: request.query.limit,
        ...(unmasked ? {} : { mask: (text: string) => maskPii(text).masked }),
      });
      const format = request.query.format ?? 'json';
      if (format === 'json') return clusters;
      return sendTable(reply, clustersTable(clusters), format, range);
    },
  });

  api.get('/analytics/phrasings', {
    schema: {
      operationId: 'analyticsPhrasings',
      tags: ['analytics'],
      summary: 'For each FAQ entry and intent, the number of distinct customer phrasings seen for it',
      security,
      querystring: z.object(rangeQuery).strict(),
      response: { 200: phrasingsSchema, ...errors },
    },
    handler: async (request, reply) => {
      const { tenantId } = agentOf(request);
      const range = await rangeOf(tenantId, request.query);
      const phrasings = await analyticsPhrasings(db, tenantId, range);
      const format = request.query.format ?? 'json';
      if (format === 'json') return phrasings;
      return sendTable(reply, phrasingsTable(phrasings), format, range);
    },
  });
}

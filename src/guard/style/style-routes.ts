import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { problemSchema } from '../../protocol/index.js';
import { tenantOf } from '../../server/auth.js';
import type { Db } from '../../store/database.js';
import { readTenantSettings } from '../../tenancy/tenant-settings.js';
import { consistencyByDay } from './style-checks.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366;

const consistencyQuery = z
  .object({
    from: z
      .string()
      .regex(DAY, 'a date, YYYY-MM-DD')
      .optional()
      .describe('first day (the tenant’s time zone); default 30 days ago'),
    to: z.string().regex(DAY, 'a date, YYYY-MM-DD').optional().describe('last day, included; default today'),
  })
  .strict();

const counts = z.object({ messages: z.number().int(), passed: z.number().int() });
const consistencyResponse = z
  .object({
    timezone: z.string(),
    from: z.string(),
    to: z.string(),
    messages: z.number().int(),
    passed: z.number().int(),
    consistency: z.number().nullable(),
    days: z.array(
      z.object({
        day: z.string(),
        messages: z.number().int(),
        passed: z.number().int(),
        consistency: z.number(),
        byKind: z.record(z.string(), counts),
        byOutcome: z.record(z.string(), z.number().int()),
        byRule: z.record(z.string(), z.number().int()),
      }),
    ),
  })
  .meta({ id: 'StyleConsistency' });

/** The calendar day `date` is on in `timezone`. */
function dayIn(date: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}

/** Midnight of a calendar day in a time zone, as an instant (time zones without fractional offsets at midnight). */
function startOfDay(day: string, timezone: string): Date {
  const utc = new Date(`${day}T00:00:00Z`);
  const shown = new Date(utc.toLocaleString('en-US', { timeZone: timezone }));
  const offset = shown.getTime() - new Date(utc.toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
  return new Date(utc.getTime() - offset);
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/**
 * The brand-voice consistency score for admins: per day, the share of outgoing messages (bot,
 * LLM, playbook, agent) that passed the style guide without change. Tenant API zone, admin scope.
 */
export async function styleAdminRoutes(app: FastifyInstance, deps: { database: { db: Db } }): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.database.db;
  api.get('/style/consistency', {
    config: { scopes: ['admin'] },
    schema: {
      operationId: 'getStyleConsistency',
      tags: ['style'],
      summary: 'Brand-voice consistency per day: the share of outgoing messages that passed the style guide unchanged',
      security: [{ apiKey: [] }],
      querystring: consistencyQuery,
      response: { 200: consistencyResponse, 400: problemSchema, 401: problemSchema, 403: problemSchema },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      const { timezone } = await readTenantSettings(db, tenantId);
      const today = dayIn(new Date(), timezone);
      const to = request.query.to ?? today;
      const fallbackFrom = new Date(`${to}T00:00:00Z`);
      fallbackFrom.setUTCDate(fallbackFrom.getUTCDate() - 29);
      const from = request.query.from ?? fallbackFrom.toISOString().slice(0, 10);
      const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
      if (!Number.isFinite(span) || span < 0 || span >= MAX_DAYS)
        throw new KefuError(
          ErrorCodes.validation,
          `from must be a day on or before to, at most ${MAX_DAYS} days apart`,
          {
            status: 400,
          },
        );
      const days = await consistencyByDay(db, tenantId, {
        from: startOfDay(from, timezone),
        to: startOfDay(nextDay(to), timezone),
        timezone,
      });
      const messages = days.reduce((sum, day) => sum + day.messages, 0);
      const passed = days.reduce((sum, day) => sum + day.passed, 0);
      return {
        timezone,
        from,
        to,
        messages,
        passed,
        consistency: messages === 0 ? null : Math.round((passed / messages) * 10_000) / 10_000,
        days,
      };
    },
  });
}

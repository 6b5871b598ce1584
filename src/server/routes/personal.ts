import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createContact,
  listContacts,
  listMerges,
  mergeContacts,
  refreshTemplateView,
  requireProfile,
  resolveContact,
  updateContact,
} from '../../contacts/contact-store.js';
import { serviceHistory } from '../../contacts/service-history.js';
import { ensureIdentitySecret } from '../../contacts/identity.js';
import {
  ImportMappingError,
  csvRecords,
  exportContactsCsv,
  importContacts,
  xlsxRecords,
  type ImportRowError,
} from '../../contacts/import-contacts.js';
import { parseMapOptions } from '../../contacts/import-mapping.js';
import {
  ContactSyncService,
  recordSyncDelivery,
  removeSyncSecret,
  rotateSyncSecret,
  verifySyncDelivery,
} from '../../contacts/sync.js';
import { contactInputSchema } from '../../contacts/profile.js';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { emptyFunnel, funnelsToCsvRows } from '../../offers/funnel.js';
import { resolveLocale } from '../../i18n/index.js';
import { OfferService } from '../../offers/offer-service.js';
import { OutreachService, SMS_JOB } from '../../outreach/outreach-service.js';
import { widgetPresence } from '../../outreach/widget-presence.js';
import { problemSchema } from '../../protocol/index.js';
import { tenantOf } from '../auth.js';
import type { AppDeps } from '../create-app.js';
import { contactOf } from '../zones/widget-zone.js';

/** A typed result sent through a loose response schema. */
const loose = (value: object) => value as Record<string, unknown>;

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema };
const security = [{ apiKey: [] }];
const readScopes = ['conversations:read', 'analytics:read'] as const;
const idParams = z.object({ contactId: z.string().max(100) });

const contactRefSchema = z.union([
  z.object({ id: z.string().max(100) }).strict(),
  z.object({ externalId: z.string().min(1).max(200), source: z.string().max(32).optional() }).strict(),
  z.object({ phone: z.string().min(3).max(40) }).strict(),
  z.object({ email: z.string().min(3).max(254) }).strict(),
]);

const contactSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    phones: z.array(z.string()),
    emails: z.array(z.string()),
    externalIds: z.array(z.object({ source: z.string(), id: z.string() })),
    tier: z.string().nullable(),
    tags: z.array(z.string()),
    attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    consent: z.record(z.string(), z.boolean()),
    timeZone: z.string().nullable(),
    locale: z.string().nullable(),
    version: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Contact' });

const eventBody = z
  .object({
    type: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'like order.delayed'),
    contact: contactRefSchema.optional(),
    audience: z
      .object({
        tag: z.string().max(60).optional(),
        tier: z.string().max(40).optional(),
        attributes: z.record(z.string().max(64), z.union([z.string().max(200), z.number(), z.boolean()])).optional(),
      })
      .strict()
      .optional(),
    payload: z.record(z.string().max(64), z.unknown()).default({}),
    id: z.string().min(1).max(200).optional(),
    expiresAt: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

/** The offer engine and outreach, started once per app and shared by the routes of three zones. */
export interface PersonalServices {
  offers: OfferService;
  outreach: OutreachService;
  contactSync: ContactSyncService;
}

/**
 * Personal service (docs/personal.md): starts the offer engine (a bus subscriber), the template
 * refresh, SMS delivery and scheduled campaigns for the app's lifetime. Its routes live in the
 * zones (src/server/zones): contacts and their import/export, the identity secret, proactive
 * events, campaigns, conversions and the offer report under /v1; offer clicks and opt-out under
 * /widget/v1; the console's funnel report under /v1/agent.
 */
export async function startPersonalServices(app: FastifyInstance, deps: AppDeps): Promise<PersonalServices> {
  const db = deps.database.db;
  const offers = new OfferService({ db, bus: deps.bus });
  const outreach = new OutreachService({
    db,
    bus: deps.bus,
    presence: widgetPresence,
    allowPrivateNetwork: deps.config.metering.webhookAllowPrivateNetwork,
    jobs: deps.jobs,
  });
  deps.jobs.register<{ tenantId: string; deliveryId: string }>(SMS_JOB, async (job, context) => {
    await outreach.sendSms(job, { attempt: context.attempt });
  });
  const stopOffers = offers.start();
  // A new conversation makes a customer "returning": what templates read is refreshed. A contact
  // created with the conversation has no profile yet, so there is nothing to refresh.
  const stopRefresh = deps.bus.subscribe((event, origin) => {
    if (event.type !== 'conversation.created' || !origin.local || event.newContact) return;
    const contactId = event.contactId
      ? Promise.resolve(event.contactId)
      : db
          .selectFrom('conversations')
          .select('contact_id')
          .where('tenant_id', '=', event.tenantId)
          .where('id', '=', event.conversationId)
          .executeTakeFirst()
          .then((row) => row?.contact_id);
    void contactId.then((id) => (id ? refreshTemplateView(db, event.tenantId, id) : undefined)).catch(() => undefined);
  });
  app.addHook('onClose', async () => {
    stopOffers();
    stopRefresh();
  });
  // Scheduled campaigns: once a minute in the whole cluster; each occurrence runs once.
  deps.jobs.register('outreach.campaigns-due', async () => {
    await outreach.runDueCampaigns(undefined, {
      onError: (error, tenantId) => app.log.error({ err: error, tenantId }, 'scheduled campaigns failed'),
    });
  });
  await deps.jobs.schedule('outreach.campaigns-due', 60_000, {});
  // Scheduled contact pulls (contacts.sync): once a minute in the cluster; each occurrence runs once.
  const contactSync = new ContactSyncService({
    db,
    allowPrivateNetwork: deps.config.metering.webhookAllowPrivateNetwork,
  });
  deps.jobs.register('contacts.sync-due', async () => {
    await contactSync.runDuePulls(undefined, {
      onError: (error, tenantId) => app.log.error({ err: error, tenantId }, 'scheduled contact sync failed'),
    });
  });
  await deps.jobs.schedule('contacts.sync-due', 60_000, {});
  return { offers, outreach, contactSync };
}

/** Contacts, events, campaigns, conversions and offer reports: inside the tenant API zone (/v1). */
export async function personalTenantRoutes(app: FastifyInstance, deps: AppDeps & { personal: PersonalServices }) {
  await tenantRoutes(app, deps, deps.personal.offers, deps.personal.outreach);
  await contactSyncRoutes(app, deps, deps.personal.contactSync);
}

/**
 * Contacts sync (docs/personal.md, "Sync"): the webhook in (a batch keyed by external id, signed
 * when the tenant has a sync secret), the secret, and the runs of the webhook and the scheduled
 * pull. The webhook route reads its body raw, in a context of its own, so the signature is
 * checked over the exact bytes that were sent.
 */
async function contactSyncRoutes(app: FastifyInstance, deps: AppDeps, sync: ContactSyncService): Promise<void> {
  const db = deps.database.db;
  await app.register(async (raw) => {
    raw.removeContentTypeParser('application/json');
    raw.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    raw.withTypeProvider<ZodTypeProvider>().post('/contacts/sync', {
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        operationId: 'syncContacts',
        tags: ['contacts'],
        summary:
          'Upsert up to 1,000 contacts keyed by external id ({"records": [...]}); signed (Standard Webhooks) when a sync secret is set',
        security,
        response: { 200: z.record(z.string(), z.unknown()), ...errors, 413: problemSchema, 415: problemSchema },
      },
      handler: async (request) => {
        const tenantId = tenantOf(request);
        const body = request.body;
        if (!Buffer.isBuffer(body))
          throw new KefuError(ErrorCodes.unsupportedMediaType, 'send the batch as application/json', { status: 415 });
        const deliveryId = await verifySyncDelivery(db, tenantId, body, request.headers);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          throw new KefuError(ErrorCodes.validation, 'the body is not JSON', { status: 400 });
        }
        const records = (parsed as { records?: unknown } | null)?.records;
        if (!Array.isArray(records))
          throw new KefuError(ErrorCodes.validation, 'expected {"records": [ {"externalId": …}, … ]}', {
            status: 400,
          });
        const result = await sync.receiveBatch(tenantId, records);
        if (deliveryId) await recordSyncDelivery(db, tenantId, deliveryId);
        return loose(result);
      },
    });
  });

  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get('/contacts/syncs', {
    config: { scopes: [...readScopes] },
    schema: {
      operationId: 'listContactSyncs',
      tags: ['contacts'],
      summary: 'Contact sync runs (scheduled pulls and webhook batches), newest first, and the pull settings',
      security,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict(),
      response: { 200: z.record(z.string(), z.unknown()), ...errors },
    },
    handler: async (request) => loose(await sync.listRuns(tenantOf(request), request.query.limit)),
  });

  api.post('/contacts/sync-secret', {
    schema: {
      operationId: 'rotateContactSyncSecret',
      tags: ['contacts'],
      summary: 'Create or replace the secret contact sync batches must be signed with (Standard Webhooks)',
      security,
      response: { 200: z.object({ secret: z.string(), scheme: z.literal('standard-webhooks') }), ...errors },
    },
    handler: async (request) => ({
      secret: await rotateSyncSecret(db, tenantOf(request)),
      scheme: 'standard-webhooks' as const,
    }),
  });

  api.delete('/contacts/sync-secret', {
    schema: {
      operationId: 'removeContactSyncSecret',
      tags: ['contacts'],
      summary: 'Remove the sync secret (batches are accepted unsigned again)',
      security,
      response: { 200: z.object({ removed: z.boolean() }), ...errors },
    },
    handler: async (request) => ({ removed: await removeSyncSecret(db, tenantOf(request)) }),
  });
}

/** Offer clicks and opt-out: inside the widget zone (/widget/v1). */
export async function personalWidgetRoutes(app: FastifyInstance, deps: AppDeps & { personal: PersonalServices }) {
  await widgetOfferRoutes(app, deps, deps.personal.offers);
}

/** The console's funnel report (#/offers): inside the agent zone (/v1/agent). */
export async function personalAgentRoutes(app: FastifyInstance, deps: AppDeps & { personal: PersonalServices }) {
  await agentOfferRoutes(app, deps.personal.offers);
}

/**
 * The funnel report for the console: every offer of the catalogue (with its title in the asked
 * locale, its price and holdout share) and every offer with events, each with its funnel.
 */
async function agentOfferRoutes(app: FastifyInstance, offers: OfferService): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get('/offers/report', {
    schema: {
      operationId: 'getAgentOfferReport',
      tags: ['agent'],
      summary: 'The offer funnel report with titles, for the console (agent session)',
      security: [{ agentSession: [] }],
      querystring: z.object({ locale: z.string().max(20).optional() }).strict(),
      response: { 200: z.record(z.string(), z.unknown()), 400: problemSchema, 401: problemSchema, 403: problemSchema },
    },
    handler: async (request) => {
      const tenantId = request.agent!.tenantId;
      const [funnels, catalogue] = await Promise.all([
        offers.report(tenantId),
        offers.describe(tenantId, resolveLocale(request.query.locale)),
      ]);
      const byId = new Map(funnels.map((funnel) => [funnel.offerId, funnel]));
      const described = new Map(catalogue.map((offer) => [offer.id, offer]));
      const ids = [...new Set([...catalogue.map((offer) => offer.id), ...byId.keys()])];
      return {
        generatedAt: new Date().toISOString(),
        offers: ids.map((id) => {
          const offer = described.get(id);
          return {
            ...(byId.get(id) ?? emptyFunnel(id)),
            title: offer?.title ?? id,
            kind: offer?.kind ?? null,
            price: offer?.price ?? null,
            holdoutShare: offer?.holdout ?? null,
            inCatalogue: offer !== undefined,
          };
        }),
      };
    },
  });
}

async function tenantRoutes(
  app: FastifyInstance,
  deps: AppDeps,
  offers: OfferService,
  outreach: OutreachService,
): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.database.db;
  // CSV and XLSX uploads arrive as raw bytes.
  app.addContentTypeParser(
    ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream'],
    { parseAs: 'buffer' },
    (_request, body, done) => done(null, body),
  );

  api.post('/contacts', {
    schema: {
      operationId: 'createContact',
      tags: ['contacts'],
      summary: 'Create a contact (profile, external ids, consent)',
      security,
      body: contactInputSchema,
      response: { 201: contactSchema, ...errors },
    },
    handler: async (request, reply) => reply.code(201).send(await createContact(db, tenantOf(request), request.body)),
  });

  api.get('/contacts', {
    config: { scopes: [...readScopes] },
    schema: {
      operationId: 'listContacts',
      tags: ['contacts'],
      summary: 'Contacts with a profile, a page at a time',
      security,
      querystring: z
        .object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          after: z.string().uuid().optional(),
          tag: z.string().max(60).optional(),
          tier: z.string().max(40).optional(),
        })
        .strict(),
      response: { 200: z.object({ contacts: z.array(contactSchema) }), ...errors },
    },
    handler: async (request) => {
      const { limit, after, tag, tier } = request.query;
      return {
        contacts: await listContacts(db, tenantOf(request), {
          limit,
          ...(after ? { after } : {}),
          ...(tag ? { tag } : {}),
          ...(tier ? { tier } : {}),
        }),
      };
    },
  });

  api.get('/contacts/export', {
    config: { scopes: ['analytics:read'] },
    schema: {
      operationId: 'exportContacts',
      tags: ['contacts'],
      summary: 'Every profiled contact as CSV',
      security,
      response: errors,
    },
    handler: async (request, reply) => {
      const tenantId = tenantOf(request);
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="contacts.csv"');
      return reply.send(Readable.from(exportContactsCsv(db, tenantId)) as never);
    },
  });

  api.post('/contacts/import', {
    bodyLimit: 64 * 1024 * 1024,
    schema: {
      operationId: 'importContacts',
      tags: ['contacts'],
      summary: 'Import contacts from CSV or XLSX (body: the file; query: map, dryRun)',
      security,
      querystring: z
        .object({
          dryRun: z.enum(['true', 'false']).optional(),
          map: z.union([z.string().max(300), z.array(z.string().max(300)).max(100)]).optional(),
        })
        .strict(),
      response: { 200: z.record(z.string(), z.unknown()), ...errors, 415: problemSchema },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      const body = request.body;
      if (!Buffer.isBuffer(body))
        throw new KefuError(ErrorCodes.unsupportedMediaType, 'send the file as text/csv or XLSX bytes', {
          status: 415,
        });
      const { map, errors: mapErrors } = parseMapOptions([request.query.map ?? []].flat());
      if (mapErrors.length > 0) throw new KefuError(ErrorCodes.importInvalid, mapErrors.join('; '), { status: 400 });
      const malformed: ImportRowError[] = [];
      const isXlsx = body.subarray(0, 2).toString('latin1') === 'PK';
      const records = isXlsx
        ? xlsxRecords(body)
        : csvRecords(Readable.from([body]), (line, message) => malformed.push({ line, code: 'malformed', message }));
      try {
        return loose(
          await importContacts(db, tenantId, records, { map, dryRun: request.query.dryRun === 'true' }, malformed),
        );
      } catch (error) {
        if (error instanceof ImportMappingError)
          throw new KefuError(ErrorCodes.importInvalid, error.message, { status: 400 });
        throw error;
      }
    },
  });

  api.get('/contacts/identity-secret', {
    schema: {
      operationId: 'getIdentitySecret',
      tags: ['contacts'],
      summary: 'The secret the business signs widget user ids with (HMAC-SHA256); created on first read',
      security,
      querystring: z.object({ rotate: z.enum(['true', 'false']).optional() }).strict(),
      response: { 200: z.object({ secret: z.string(), algorithm: z.literal('HMAC-SHA256') }), ...errors },
    },
    handler: async (request) => ({
      secret: await ensureIdentitySecret(db, tenantOf(request), request.query.rotate === 'true'),
      algorithm: 'HMAC-SHA256' as const,
    }),
  });

  api.get('/contacts/:contactId', {
    config: { scopes: [...readScopes] },
    schema: {
      operationId: 'getContact',
      tags: ['contacts'],
      summary: 'A contact’s profile',
      security,
      params: idParams,
      response: { 200: contactSchema, ...errors },
    },
    handler: async (request) => requireProfile(db, tenantOf(request), request.params.contactId),
  });

  api.patch('/contacts/:contactId', {
    schema: {
      operationId: 'updateContact',
      tags: ['contacts'],
      summary: 'Change a contact’s profile (lists given replace the stored ones)',
      security,
      params: idParams,
      body: contactInputSchema,
      response: { 200: contactSchema, ...errors },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      await requireProfile(db, tenantId, request.params.contactId);
      return updateContact(db, tenantId, request.params.contactId, request.body);
    },
  });

  api.post('/contacts/:contactId/merge', {
    schema: {
      operationId: 'mergeContacts',
      tags: ['contacts'],
      summary: 'Merge another contact into this one (audited)',
      security,
      params: idParams,
      body: z
        .object({ contactId: z.string().max(100), reason: z.string().min(1).max(500).default('merged by API') })
        .strict(),
      response: {
        200: z.object({
          contact: contactSchema,
          mergeId: z.string(),
          conflicts: z.array(z.object({ field: z.string(), kept: z.unknown(), dropped: z.unknown() })),
        }),
        ...errors,
      },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      await requireProfile(db, tenantId, request.params.contactId);
      await requireProfile(db, tenantId, request.body.contactId);
      return mergeContacts(db, tenantId, request.params.contactId, request.body.contactId, {
        source: 'api',
        reason: request.body.reason,
      });
    },
  });

  api.get('/contacts/:contactId/merges', {
    config: { scopes: [...readScopes] },
    schema: {
      operationId: 'listContactMerges',
      tags: ['contacts'],
      summary: 'The merge audit of a contact',
      security,
      params: idParams,
      response: { 200: z.object({ merges: z.array(z.record(z.string(), z.unknown())) }), ...errors },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      await requireProfile(db, tenantId, request.params.contactId);
      return { merges: await listMerges(db, tenantId, request.params.contactId) };
    },
  });

  api.get('/contacts/:contactId/history', {
    config: { scopes: [...readScopes] },
    schema: {
      operationId: 'getContactHistory',
      tags: ['contacts'],
      summary: 'Service history: conversations and outcomes, CSAT, proactive messages, offers',
      security,
      params: idParams,
      response: { 200: z.record(z.string(), z.unknown()), ...errors },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      await requireProfile(db, tenantId, request.params.contactId);
      return loose(await serviceHistory(db, tenantId, request.params.contactId));
    },
  });

  api.post('/events', {
    config: { scopes: ['chat'] },
    schema: {
      operationId: 'postEvent',
      tags: ['outreach'],
      summary: 'A business event (order.delayed, bill.due, flight.changed…) for a contact or an audience',
      security,
      body: eventBody,
      response: { 202: z.record(z.string(), z.unknown()), ...errors, 422: problemSchema },
    },
    handler: async (request, reply) => {
      const result = await outreach.receive(tenantOf(request), request.body);
      return reply.code(result.duplicate ? 200 : 202).send(loose(result));
    },
  });

  api.get('/campaigns', {
    config: { scopes: [...readScopes] },
    schema: {
      operationId: 'listCampaigns',
      tags: ['outreach'],
      summary: 'Campaigns from the outreach settings, with their next scheduled run and latest runs',
      security,
      response: { 200: z.object({ campaigns: z.array(z.record(z.string(), z.unknown())) }), ...errors },
    },
    handler: async (request) => ({ campaigns: (await outreach.listCampaigns(tenantOf(request))).map(loose) }),
  });

  api.post('/campaigns/:name/runs', {
    config: { scopes: ['chat'] },
    schema: {
      operationId: 'runCampaign',
      tags: ['outreach'],
      summary: 'Run a campaign now (its audience, through its event’s rules: consent, caps, quiet hours)',
      security,
      params: z.object({ name: z.string().max(64) }),
      body: z
        .object({
          id: z.string().min(1).max(200).optional().describe('your run id: a retried call returns the first run'),
          payload: z.record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean()])).optional(),
        })
        .strict()
        .default({}),
      response: { 202: z.record(z.string(), z.unknown()), 200: z.record(z.string(), z.unknown()), ...errors },
    },
    handler: async (request, reply) => {
      const result = await outreach.runCampaign(tenantOf(request), request.params.name, {
        run: request.body.id,
        payload: request.body.payload,
      });
      return reply.code(result.duplicate ? 200 : 202).send(loose(result));
    },
  });

  api.post('/conversions', {
    config: { scopes: ['chat'] },
    schema: {
      operationId: 'postConversion',
      tags: ['offers'],
      summary: 'An order paid after an offer (attributed to the contact’s arm; orderId deduplicates)',
      security,
      body: z
        .object({
          contact: contactRefSchema,
          offerId: z.string().min(1).max(64),
          orderId: z.string().min(1).max(200),
          orderValue: z.number().min(0).max(100_000_000),
        })
        .strict(),
      response: { 200: z.record(z.string(), z.unknown()), ...errors, 422: problemSchema },
    },
    handler: async (request) => loose(await offers.convert(tenantOf(request), request.body)),
  });

  api.post('/offers/:offerId/clicks', {
    config: { scopes: ['chat'] },
    schema: {
      operationId: 'postOfferClick',
      tags: ['offers'],
      summary: 'A click on an offer reported by the business (its own page or app)',
      security,
      params: z.object({ offerId: z.string().max(64) }),
      body: z.object({ contact: contactRefSchema }).strict(),
      response: { 200: z.object({ recorded: z.boolean() }), ...errors },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      const contactId = await resolveContact(db, tenantId, request.body.contact);
      if (!contactId) throw new KefuError(ErrorCodes.contactNotFound, 'contact not found', { status: 404 });
      return offers.click(tenantId, contactId, request.params.offerId, null);
    },
  });

  api.get('/offers/report', {
    config: { scopes: ['analytics:read'] },
    schema: {
      operationId: 'getOfferReport',
      tags: ['offers'],
      summary: 'Funnel per offer (eligible → shown → clicked → converted) by arm, with holdout uplift; ?format=csv',
      security,
      querystring: z.object({ format: z.enum(['json', 'csv']).default('json') }).strict(),
      response: errors,
    },
    handler: async (request, reply) => {
      const funnels = await offers.report(tenantOf(request));
      if (request.query.format === 'csv') {
        const { stringify } = await import('csv-stringify/sync');
        return reply.type('text/csv; charset=utf-8').send(stringify(funnelsToCsvRows(funnels)) as never);
      }
      return reply.send({ offers: funnels } as never);
    },
  });
}

async function widgetOfferRoutes(app: FastifyInstance, deps: AppDeps, offers: OfferService): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.database.db;
  const conversationBody = z.object({ conversationId: z.string().uuid().optional() }).strict();
  const owned = async (tenantId: string, contactId: string, conversationId: string | undefined) => {
    if (!conversationId) return null;
    const row = await db
      .selectFrom('conversations')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', conversationId)
      .where('contact_id', '=', contactId)
      .executeTakeFirst();
    if (!row) throw new KefuError(ErrorCodes.conversationNotFound, 'conversation not found', { status: 404 });
    return row.id;
  };

  api.post('/offers/:offerId/click', {
    schema: {
      operationId: 'clickWidgetOffer',
      tags: ['widget'],
      summary: 'The customer opened an offer shown in the widget',
      security: [{ widgetToken: [] }],
      params: z.object({ offerId: z.string().max(64) }),
      body: conversationBody,
      response: { 200: z.object({ recorded: z.boolean() }), ...errors },
    },
    handler: async (request) => {
      const claims = contactOf(request);
      const conversationId = await owned(claims.tenantId, claims.contactId, request.body.conversationId);
      return offers.click(claims.tenantId, claims.contactId, request.params.offerId, conversationId);
    },
  });

  api.post('/offers/opt-out', {
    schema: {
      operationId: 'optOutOfWidgetOffers',
      tags: ['widget'],
      summary: 'The customer wants no more offers',
      security: [{ widgetToken: [] }],
      body: conversationBody,
      response: { 204: z.null(), ...errors },
    },
    handler: async (request, reply) => {
      const claims = contactOf(request);
      await owned(claims.tenantId, claims.contactId, request.body.conversationId);
      await offers.optOut(claims.tenantId, claims.contactId, null);
      return reply.code(204).send(null);
    },
  });
}

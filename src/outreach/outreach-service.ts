import { createHmac, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { EventBus } from '../bus/index.js';
import type { JobQueue } from '../jobs/index.js';
import { resolveContact, type ContactRef } from '../contacts/contact-store.js';
import type { DeliveryStatus } from '../contacts/contact-tables.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { safeFetch } from '../net/safe-fetch.js';
import { renderTemplate } from '../playbooks/index.js';
import type { Db } from '../store/database.js';
import type { MessagePart } from '../store/schema.js';
import {
  gate,
  inQuietHours,
  readOutreachSettings,
  templateFor,
  type CapState,
  type OutreachRule,
  type OutreachSettings,
} from './outreach-rules.js';
import type { WidgetPresence } from './widget-presence.js';
import { campaignEventId, dueOccurrence, nextOccurrence, type Campaign } from './campaigns.js';

/**
 * Proactive service (docs/personal.md): an event about a contact (order.delayed, bill.due,
 * flight.changed…) becomes a message by the pack's rules. Each contact is decided under a lock on
 * its row (caps are counted and the delivery recorded in one transaction, so a flood of events
 * never passes a cap), then the message goes to the contact's open widget conversation, is queued
 * for the next visit, or is pushed to the tenant's outbound webhook. An audience event fans out to
 * every matching contact in batches.
 */

export interface OutreachDeps {
  db: Db;
  bus: EventBus;
  presence: WidgetPresence;
  /** Deliver webhooks to private addresses (tests, single-business installs). */
  allowPrivateNetwork?: boolean;
  /** Where SMS sends are queued (retries with backoff); without it each is sent once, at once. */
  jobs?: JobQueue;
  now?: () => Date;
}

export interface Audience {
  tag?: string | undefined;
  tier?: string | undefined;
  /** Custom attribute equality (`{ flight: "MU5101" }`). */
  attributes?: Record<string, string | number | boolean> | undefined;
}

export interface EventInput {
  type: string;
  contact?: ContactRef | undefined;
  audience?: Audience | undefined;
  payload: Record<string, unknown>;
  /** The sender's id for the event: a retried POST returns the first result. */
  id?: string | undefined;
  expiresAt?: string | undefined;
}

export interface DeliveryView {
  contactId: string;
  rule: string;
  channel: string;
  status: DeliveryStatus;
  reason: string | null;
  conversationId: string | null;
}

export interface EventResult {
  eventId: string;
  duplicate: boolean;
  contacts: number;
  deliveries: DeliveryView[];
  /** Counts by status (an audience event may have thousands of deliveries; `deliveries` holds the first 100). */
  counts: Partial<Record<DeliveryStatus, number>>;
}

const COUNTED: DeliveryStatus[] = ['delivered', 'queued', 'webhook', 'sms'];

/** The job that sends one SMS delivery (registered by the routes with `OutreachService.sendSms`). */
export const SMS_JOB = 'outreach.sms-send';
const BATCH = 250;

interface TenantContext {
  id: string;
  name: string;
  locale: string;
  timezone: string;
  settings: OutreachSettings;
}

async function tenantContext(db: Db, tenantId: string): Promise<TenantContext> {
  const row = await db
    .selectFrom('tenants')
    .select(['id', 'name', 'locale', 'settings'])
    .where('id', '=', tenantId)
    .executeTakeFirstOrThrow();
  const raw = (row.settings ?? {}) as { outreach?: unknown; timezone?: unknown };
  const { settings, problem } = readOutreachSettings(raw.outreach);
  if (problem)
    throw new KefuError(ErrorCodes.configInvalid, `the tenant's outreach rules are invalid: ${problem}`, {
      status: 409,
    });
  return {
    id: row.id,
    name: row.name,
    locale: row.locale,
    timezone: typeof raw.timezone === 'string' ? raw.timezone : 'Asia/Shanghai',
    settings,
  };
}

export class OutreachService {
  constructor(private readonly deps: OutreachDeps) {}

  #now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Records an event and turns it into messages; 422 for a contact kefu does not know. */
  async receive(tenantId: string, input: EventInput): Promise<EventResult> {
    const { db } = this.deps;
    if (!input.contact === !input.audience)
      throw new KefuError(ErrorCodes.validation, 'name exactly one of `contact` or `audience`', { status: 400 });
    const tenant = await tenantContext(db, tenantId);
    let contactId: string | null = null;
    if (input.contact) {
      contactId = await resolveContact(db, tenantId, input.contact);
      if (!contactId)
        throw new KefuError(
          ErrorCodes.eventContactUnknown,
          `no contact matches ${JSON.stringify(input.contact)} in this tenant: import or create the contact first`,
          { status: 422 },
        );
    }
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && Number.isNaN(expiresAt.getTime()))
      throw new KefuError(ErrorCodes.validation, '`expiresAt` is not a date-time', { status: 400 });
    if (input.id) {
      const existing = await db
        .selectFrom('outreach_events')
        .select(['id'])
        .where('tenant_id', '=', tenantId)
        .where('external_id', '=', input.id)
        .executeTakeFirst();
      if (existing) return { ...(await this.#result(tenantId, existing.id)), duplicate: true };
    }
    const eventId = randomUUID();
    const inserted = await db
      .insertInto('outreach_events')
      .values({
        id: eventId,
        tenant_id: tenantId,
        type: input.type,
        contact_id: contactId,
        external_id: input.id ?? null,
        payload: JSON.stringify({ ...input.payload, ...(input.audience ? { audience: input.audience } : {}) }),
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      const existing = await db
        .selectFrom('outreach_events')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('external_id', '=', input.id!)
        .executeTakeFirstOrThrow();
      return { ...(await this.#result(tenantId, existing.id)), duplicate: true };
    }
    const rules = tenant.settings.rules.filter((rule) => rule.event === input.type);
    const event = { id: eventId, type: input.type, payload: input.payload, expiresAt };
    let contacts = 0;
    if (contactId) {
      contacts = 1;
      await this.#decideBatch(tenant, event, rules, [contactId]);
    } else {
      for await (const batch of this.#audience(tenantId, input.audience!)) {
        contacts += batch.length;
        await this.#decideBatch(tenant, event, rules, batch);
      }
    }
    return { ...(await this.#result(tenantId, eventId)), contacts };
  }

  /**
   * Runs a campaign now: an audience event of the campaign's type, with its payload (plus
   * `campaign`), under the run key `run` (a retried API call or a second node asking for the same
   * scheduled occurrence gets the first run's result, marked duplicate). 404 for an unknown
   * campaign, 409 for a disabled one.
   */
  async runCampaign(
    tenantId: string,
    name: string,
    options: { run?: string | undefined; payload?: Record<string, unknown> | undefined } = {},
  ): Promise<EventResult & { campaign: string; run: string }> {
    const tenant = await tenantContext(this.deps.db, tenantId);
    const campaign = tenant.settings.campaigns.find((entry) => entry.name === name);
    if (!campaign)
      throw new KefuError(ErrorCodes.notFound, `no campaign "${name}" in the outreach settings`, { status: 404 });
    if (!campaign.enabled)
      throw new KefuError(ErrorCodes.configInvalid, `campaign "${name}" is disabled (enabled: false)`, { status: 409 });
    const run = options.run ?? `api-${randomUUID()}`;
    const result = await this.receive(tenantId, {
      type: campaign.event,
      audience: campaign.audience,
      payload: { ...campaign.payload, ...options.payload, campaign: campaign.name },
      id: campaignEventId(campaign.name, run),
    });
    return { ...result, campaign: campaign.name, run };
  }

  /**
   * Runs every scheduled campaign whose occurrence is due at `now` (within `windowMs`) in every
   * active tenant; each occurrence runs once (its run key is the occurrence's time). Returns the
   * runs it started; a tenant whose settings are invalid is skipped and reported through `onError`.
   */
  async runDueCampaigns(
    now: Date = this.#now(),
    options: { windowMs?: number; onError?: (error: unknown, tenantId: string) => void } = {},
  ): Promise<Array<EventResult & { tenantId: string; campaign: string; run: string }>> {
    const windowMs = options.windowMs ?? 10 * 60_000;
    const tenants = await this.deps.db
      .selectFrom('tenants')
      .select('id')
      .where('status', '=', 'active')
      .where(sql<boolean>`jsonb_typeof(settings->'outreach'->'campaigns') = 'array'`)
      .orderBy('id')
      .execute();
    const runs: Array<EventResult & { tenantId: string; campaign: string; run: string }> = [];
    for (const { id: tenantId } of tenants) {
      try {
        const tenant = await tenantContext(this.deps.db, tenantId);
        for (const campaign of tenant.settings.campaigns) {
          if (!campaign.enabled || !campaign.schedule) continue;
          const due = dueOccurrence(campaign.schedule, tenant.timezone, now, windowMs);
          if (!due) continue;
          const result = await this.runCampaign(tenantId, campaign.name, { run: due.toISOString() });
          if (!result.duplicate) runs.push({ ...result, tenantId });
        }
      } catch (error) {
        options.onError?.(error, tenantId);
      }
    }
    return runs;
  }

  /** The tenant's campaigns with their next scheduled run and their latest runs (deliveries by status). */
  async listCampaigns(tenantId: string): Promise<
    Array<
      Campaign & {
        nextRunAt: string | null;
        runs: Array<{
          run: string;
          eventId: string;
          createdAt: string;
          counts: EventResult['counts'];
          contacts: number;
        }>;
      }
    >
  > {
    const tenant = await tenantContext(this.deps.db, tenantId);
    const now = this.#now();
    const listed = [];
    for (const campaign of tenant.settings.campaigns) {
      const prefix = campaignEventId(campaign.name, '');
      const events = await this.deps.db
        .selectFrom('outreach_events')
        .select(['id', 'external_id', 'created_at'])
        .where('tenant_id', '=', tenantId)
        .where('external_id', 'like', `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`)
        .orderBy('created_at', 'desc')
        .limit(20)
        .execute();
      const runs = [];
      for (const event of events) {
        const result = await this.#result(tenantId, event.id);
        runs.push({
          run: event.external_id!.slice(prefix.length),
          eventId: event.id,
          createdAt: new Date(event.created_at).toISOString(),
          counts: result.counts,
          contacts: result.contacts,
        });
      }
      const next = campaign.enabled ? nextOccurrence(campaign.schedule, tenant.timezone, now) : null;
      listed.push({ ...campaign, nextRunAt: next ? next.toISOString() : null, runs });
    }
    return listed;
  }

  async *#audience(tenantId: string, audience: Audience): AsyncGenerator<string[]> {
    let after: string | null = null;
    for (;;) {
      const rows: Array<{ contact_id: string }> = await this.deps.db
        .selectFrom('contact_profiles')
        .select('contact_id')
        .where('tenant_id', '=', tenantId)
        .$if(after !== null, (query) => query.where('contact_id', '>', after!))
        .$if(audience.tier !== undefined, (query) => query.where('tier', '=', audience.tier!))
        .$if(audience.tag !== undefined, (query) =>
          query.where(sql<boolean>`tags @> ${JSON.stringify([audience.tag])}::jsonb`),
        )
        .$if(audience.attributes !== undefined, (query) =>
          query.where(sql<boolean>`custom @> ${JSON.stringify(audience.attributes)}::jsonb`),
        )
        .orderBy('contact_id')
        .limit(1000)
        .execute();
      if (rows.length === 0) return;
      for (let index = 0; index < rows.length; index += BATCH)
        yield rows.slice(index, index + BATCH).map((row) => row.contact_id);
      after = rows[rows.length - 1]!.contact_id;
    }
  }

  async #result(tenantId: string, eventId: string): Promise<EventResult> {
    const rows = await this.deps.db
      .selectFrom('outreach_deliveries')
      .select(['contact_id', 'rule', 'channel', 'status', 'reason', 'conversation_id'])
      .where('tenant_id', '=', tenantId)
      .where('event_id', '=', eventId)
      .orderBy('created_at')
      .execute();
    const counts: EventResult['counts'] = {};
    for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
    return {
      eventId,
      duplicate: false,
      contacts: new Set(rows.map((row) => row.contact_id)).size,
      counts,
      deliveries: rows.slice(0, 100).map((row) => ({
        contactId: row.contact_id,
        rule: row.rule,
        channel: row.channel,
        status: row.status,
        reason: row.reason,
        conversationId: row.conversation_id,
      })),
    };
  }

  async #decideBatch(
    tenant: TenantContext,
    event: { id: string; type: string; payload: Record<string, unknown>; expiresAt: Date | null },
    rules: OutreachRule[],
    contactIds: string[],
  ): Promise<void> {
    const { db, bus, presence } = this.deps;
    const now = this.#now();
    const published: Array<{ conversationId: string; messageId: string; seq: string }> = [];
    const webhooks: Array<{ deliveryId: string; body: Record<string, unknown> }> = [];
    const texts: string[] = [];
    await db.transaction().execute(async (trx) => {
      // One lock per contact, in id order: concurrent events for a contact queue up here.
      const locked = await trx
        .selectFrom('contacts')
        .select('id')
        .where('tenant_id', '=', tenant.id)
        .where('id', 'in', [...contactIds].sort())
        .orderBy('id')
        .forUpdate()
        .execute();
      const ids = locked.map((row) => row.id);
      if (ids.length === 0) return;
      const people = await trx
        .selectFrom('contacts')
        .leftJoin('contact_profiles', 'contact_profiles.contact_id', 'contacts.id')
        .select([
          'contacts.id',
          'contacts.name',
          'contacts.attributes',
          'contact_profiles.consent',
          'contact_profiles.phones',
          'contact_profiles.time_zone',
          'contact_profiles.locale',
        ])
        .where('contacts.tenant_id', '=', tenant.id)
        .where('contacts.id', 'in', ids)
        .execute();
      const week = new Date(now.getTime() - 7 * 86_400_000);
      const day = new Date(now.getTime() - 86_400_000);
      const history = await trx
        .selectFrom('outreach_deliveries')
        .select(['contact_id', 'rule', 'created_at'])
        .where('tenant_id', '=', tenant.id)
        .where('contact_id', 'in', ids)
        .where('status', 'in', COUNTED)
        .where('created_at', '>', week)
        .execute();
      const widgetContacts = new Set(
        (
          await trx
            .selectFrom('contact_identities')
            .innerJoin('channels', 'channels.id', 'contact_identities.channel_id')
            .select('contact_identities.contact_id')
            .where('contact_identities.tenant_id', '=', tenant.id)
            .where('channels.kind', '=', 'widget')
            .where('contact_identities.contact_id', 'in', ids)
            .execute()
        ).map((row) => row.contact_id),
      );
      const deliveries: Array<Record<string, unknown> & { id: string }> = [];
      const messages: Array<{ id: string; conversation_id: string; text: string; delivery: string }> = [];
      for (const person of people) {
        const caps = (rule: string): CapState => {
          const mine = history.filter((entry) => entry.contact_id === person.id);
          const isDay = (entry: { created_at: Date }) => new Date(entry.created_at).getTime() > day.getTime();
          return {
            day: mine.filter(isDay).length,
            week: mine.length,
            ruleDay: mine.filter((entry) => entry.rule === rule && isDay(entry)).length,
            ruleWeek: mine.filter((entry) => entry.rule === rule).length,
          };
        };
        const timeZone = person.time_zone ?? tenant.timezone;
        const locale = person.locale ?? tenant.locale;
        const contactScope = {
          ...(person.attributes as Record<string, unknown>),
          id: person.id,
          name: person.name,
        };
        for (const rule of rules) {
          const id = randomUUID();
          const expiresAt = event.expiresAt ?? new Date(now.getTime() + rule.expires_after_hours * 3_600_000);
          const record = (
            status: DeliveryStatus,
            channel: string,
            reason: string | null,
            text = '',
            conversation: string | null = null,
          ) => {
            deliveries.push({
              id,
              tenant_id: tenant.id,
              event_id: event.id,
              contact_id: person.id,
              rule: rule.name,
              channel,
              status,
              reason,
              text,
              conversation_id: conversation,
              message_id: null,
              expires_at: expiresAt,
              created_at: now,
              delivered_at: status === 'delivered' ? now : null,
            });
            if (COUNTED.includes(status)) history.push({ contact_id: person.id, rule: rule.name, created_at: now });
          };
          const skip = gate({
            rule,
            settings: tenant.settings,
            consent: (person.consent ?? {}) as Record<string, boolean>,
            caps: caps(rule.name),
            eventExpiresAt: event.expiresAt,
            now,
          });
          if (skip) {
            record(skip === 'expired' ? 'expired' : 'skipped', 'none', skip);
            continue;
          }
          const text = renderTemplate(
            templateFor(rule.template, locale),
            [{ contact: contactScope, event: { type: event.type, ...event.payload }, tenant: { name: tenant.name } }],
            { forPeople: true, now },
          ).trim();
          if (!text) {
            record('skipped', 'none', 'empty_text');
            continue;
          }
          const quiet = rule.quiet_hours && inQuietHours(now, timeZone, tenant.settings.quiet_hours);
          const open = presence.openConversations(tenant.id, person.id);
          if (rule.channels.includes('widget') && open.length > 0) {
            const conversationId = open[open.length - 1]!;
            record('delivered', 'widget', null, text, conversationId);
            messages.push({ id: randomUUID(), conversation_id: conversationId, text, delivery: id });
          } else if (rule.channels.includes('queue') && widgetContacts.has(person.id)) {
            record('queued', 'widget', quiet ? 'quiet_hours' : null, text);
          } else if (
            rule.channels.includes('sms') &&
            tenant.settings.sms &&
            ((person.phones as string[] | null) ?? []).length > 0 &&
            !quiet
          ) {
            record('sms', 'sms', null, text);
            texts.push(id);
          } else if (rule.channels.includes('webhook') && tenant.settings.webhook && !quiet) {
            record('webhook', 'webhook', null, text);
            webhooks.push({
              deliveryId: id,
              body: {
                type: 'outreach.message',
                deliveryId: id,
                event: { id: event.id, type: event.type },
                contact: { id: person.id, name: person.name },
                locale,
                text,
              },
            });
          } else if (rule.channels.includes('queue')) {
            record('queued', 'widget', quiet ? 'quiet_hours' : 'no_widget_yet', text);
          } else {
            record('skipped', 'none', quiet ? 'quiet_hours' : 'no_channel');
          }
        }
      }
      for (const message of messages) {
        const row = deliveries.find((entry) => entry.id === message.delivery)!;
        row.message_id = message.id;
      }
      if (deliveries.length > 0)
        await trx
          .insertInto('outreach_deliveries')
          .values(deliveries as never)
          .execute();
      published.push(...(await insertOutreachMessages(trx, tenant.id, event, messages)));
    });
    for (const message of published) await bus.publish({ type: 'message.created', tenantId: tenant.id, ...message });
    for (const hook of webhooks) void this.#push(tenant, hook.deliveryId, hook.body);
    const sms = tenant.settings.sms;
    for (const deliveryId of texts) {
      const job = { tenantId: tenant.id, deliveryId };
      if (this.deps.jobs && sms)
        await this.deps.jobs.enqueue(SMS_JOB, job, { attempts: sms.attempts, backoffMs: sms.backoff_ms });
      else void this.sendSms(job, { attempt: 1, attempts: 1 }).catch(() => undefined);
    }
  }

  /**
   * Sends one SMS delivery through the tenant's gateway: `POST` JSON `{id, to, from, text, event,
   * contact}` with `x-kefu-timestamp`, `x-kefu-signature: sha256=<hex HMAC-SHA256(secret,
   * "<timestamp>.<body>")>` and `idempotency-key: <delivery id>`. The delivery is claimed first (one
   * conditional update: only a pending or retrying delivery can be claimed), so two workers never
   * both send it, and a sent one is never sent again. A failure is kept as `retry: <why>` and
   * thrown, so the job queue retries it with backoff; the last attempt marks it failed. A claim
   * that was never settled (the process died mid-send) stays `sending`: kefu does not resend
   * what it cannot know was not delivered (the gateway may dedupe on the idempotency key).
   */
  async sendSms(
    job: { tenantId: string; deliveryId: string },
    context: { attempt: number; attempts?: number },
  ): Promise<'sent' | 'retry' | 'failed' | 'skipped'> {
    const { db } = this.deps;
    const claimed = await db
      .updateTable('outreach_deliveries')
      .set({ reason: 'sending' })
      .where('tenant_id', '=', job.tenantId)
      .where('id', '=', job.deliveryId)
      .where('status', '=', 'sms')
      .where('delivered_at', 'is', null)
      .where((where) => where.or([where('reason', 'is', null), where('reason', 'like', 'retry:%')]))
      .returning(['text', 'contact_id', 'event_id'])
      .executeTakeFirst();
    if (!claimed) return 'skipped';
    const tenant = await tenantContext(db, job.tenantId);
    const sms = tenant.settings.sms;
    const attempts = context.attempts ?? sms?.attempts ?? 1;
    const settle = async (outcome: 'sent' | 'retry' | 'failed', why: string | null) => {
      await db
        .updateTable('outreach_deliveries')
        .set(
          outcome === 'sent'
            ? { reason: null, delivered_at: this.#now() }
            : outcome === 'retry'
              ? { reason: `retry: ${why}`.slice(0, 300) }
              : { status: 'failed', reason: `sms: ${why}`.slice(0, 300) },
        )
        .where('tenant_id', '=', job.tenantId)
        .where('id', '=', job.deliveryId)
        .where('reason', '=', 'sending')
        .execute();
      return outcome;
    };
    if (!sms) return settle('failed', 'no SMS gateway configured');
    const [profile, event] = await Promise.all([
      db
        .selectFrom('contact_profiles')
        .select('phones')
        .where('tenant_id', '=', job.tenantId)
        .where('contact_id', '=', claimed.contact_id)
        .executeTakeFirst(),
      db
        .selectFrom('outreach_events')
        .select(['id', 'type'])
        .where('tenant_id', '=', job.tenantId)
        .where('id', '=', claimed.event_id)
        .executeTakeFirst(),
    ]);
    const to = ((profile?.phones as string[] | undefined) ?? [])[0];
    if (!to) return settle('failed', 'the contact has no phone number');
    const body = JSON.stringify({
      id: job.deliveryId,
      to,
      ...(sms.sender ? { from: sms.sender } : {}),
      text: claimed.text,
      event: event ? { id: event.id, type: event.type } : null,
      contact: { id: claimed.contact_id },
    });
    const timestamp = String(Math.floor(this.#now().getTime() / 1000));
    const signature = createHmac('sha256', sms.secret).update(`${timestamp}.${body}`).digest('hex');
    let failure: string | null = null;
    try {
      const response = await safeFetch(
        sms.url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'kefu-outreach/1',
            'idempotency-key': job.deliveryId,
            'x-kefu-timestamp': timestamp,
            'x-kefu-signature': `sha256=${signature}`,
          },
          body,
          signal: AbortSignal.timeout(10_000),
        },
        { allowPrivateNetwork: Boolean(this.deps.allowPrivateNetwork) },
      );
      await response.body?.cancel().catch(() => undefined);
      if (response.status < 200 || response.status >= 300) failure = `HTTP ${response.status}`;
    } catch (error) {
      failure = (error as Error).message.slice(0, 200);
    }
    if (failure === null) return settle('sent', null);
    if (context.attempt >= attempts) return settle('failed', failure);
    await settle('retry', failure);
    throw new Error(`SMS delivery ${job.deliveryId} failed (attempt ${context.attempt} of ${attempts}): ${failure}`);
  }

  async #push(tenant: TenantContext, deliveryId: string, body: Record<string, unknown>): Promise<void> {
    let failure: string | null = null;
    try {
      const response = await safeFetch(
        tenant.settings.webhook!,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'kefu-outreach/1' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        },
        { allowPrivateNetwork: Boolean(this.deps.allowPrivateNetwork) },
      );
      await response.body?.cancel().catch(() => undefined);
      if (response.status < 200 || response.status >= 300) failure = `HTTP ${response.status}`;
    } catch (error) {
      failure = (error as Error).message.slice(0, 200);
    }
    await this.deps.db
      .updateTable('outreach_deliveries')
      .set(failure ? { status: 'failed', reason: failure } : { delivered_at: new Date() })
      .where('tenant_id', '=', tenant.id)
      .where('id', '=', deliveryId)
      .execute()
      .catch(() => undefined);
  }

  /**
   * A widget session started: messages queued for this contact appear in its conversation, in
   * order; expired ones are marked and never shown.
   */
  async deliverQueued(tenantId: string, contactId: string, conversationId: string): Promise<number> {
    const { db, bus } = this.deps;
    const now = this.#now();
    const published: Array<{ conversationId: string; messageId: string; seq: string }> = [];
    await db.transaction().execute(async (trx) => {
      await trx
        .selectFrom('contacts')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', contactId)
        .forUpdate()
        .execute();
      const queued = await trx
        .selectFrom('outreach_deliveries')
        .innerJoin('outreach_events', 'outreach_events.id', 'outreach_deliveries.event_id')
        .select([
          'outreach_deliveries.id',
          'outreach_deliveries.text',
          'outreach_deliveries.expires_at',
          'outreach_events.type',
          'outreach_events.payload',
          'outreach_events.id as event_id',
        ])
        .where('outreach_deliveries.tenant_id', '=', tenantId)
        .where('outreach_deliveries.contact_id', '=', contactId)
        .where('outreach_deliveries.status', '=', 'queued')
        .orderBy('outreach_deliveries.created_at')
        .limit(20)
        .execute();
      for (const entry of queued) {
        if (entry.expires_at && new Date(entry.expires_at).getTime() <= now.getTime()) {
          await trx
            .updateTable('outreach_deliveries')
            .set({ status: 'expired', reason: 'expired before the next visit' })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', entry.id)
            .execute();
          continue;
        }
        const messageId = randomUUID();
        published.push(
          ...(await insertOutreachMessages(
            trx,
            tenantId,
            { id: entry.event_id, type: entry.type, payload: entry.payload },
            [{ id: messageId, conversation_id: conversationId, text: entry.text, delivery: entry.id }],
          )),
        );
        await trx
          .updateTable('outreach_deliveries')
          .set({ status: 'delivered', conversation_id: conversationId, message_id: messageId, delivered_at: now })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', entry.id)
          .execute();
      }
    });
    for (const message of published) await bus.publish({ type: 'message.created', tenantId, ...message });
    return published.length;
  }
}

/**
 * Stores proactive messages (sender: bot) and puts the event's scalar fields in each
 * conversation's memory, so the customer's reply is understood in its context (`order_no`).
 * The external id `outreach:<delivery>` keeps a delivery from being stored twice.
 */
async function insertOutreachMessages(
  trx: Db,
  tenantId: string,
  event: { id: string; type: string; payload: Record<string, unknown> },
  messages: Array<{ id: string; conversation_id: string; text: string; delivery: string }>,
): Promise<Array<{ conversationId: string; messageId: string; seq: string }>> {
  if (messages.length === 0) return [];
  const conversations = [...new Set(messages.map((message) => message.conversation_id))].sort();
  await trx
    .selectFrom('conversations')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', conversations)
    .orderBy('id')
    .forUpdate()
    .execute();
  const rows = await trx
    .insertInto('messages')
    .values(
      messages.map((message) => ({
        id: message.id,
        tenant_id: tenantId,
        conversation_id: message.conversation_id,
        direction: 'outgoing' as const,
        visibility: 'public' as const,
        sender_kind: 'bot' as const,
        sender_id: null,
        content: JSON.stringify([{ type: 'text', text: message.text }] satisfies MessagePart[]),
        text: message.text,
        external_id: `outreach:${message.delivery}`,
        turn_id: null,
      })),
    )
    .onConflict((conflict) =>
      conflict
        .columns(['tenant_id', 'conversation_id', 'external_id'])
        .where('external_id', 'is not', null)
        .doNothing(),
    )
    .returning(['id', 'conversation_id', 'seq'])
    .execute();
  const memory = Object.fromEntries(
    Object.entries(event.payload)
      .filter(([, value]) => typeof value === 'string' || typeof value === 'number')
      .slice(0, 12),
  );
  await trx
    .updateTable('conversations')
    .set({
      state: sql`jsonb_set(coalesce(state, '{}'::jsonb), '{memory}', coalesce(state->'memory', '{}'::jsonb) || ${JSON.stringify(memory)}::jsonb) || ${JSON.stringify({ proactive: { event: event.type, eventId: event.id } })}::jsonb`,
      state_version: sql`state_version + 1`,
      last_message_at: new Date(),
      updated_at: new Date(),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', conversations)
    .execute();
  return rows.map((row) => ({ conversationId: row.conversation_id, messageId: row.id, seq: String(row.seq) }));
}

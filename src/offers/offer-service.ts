import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { EventBus } from '../bus/index.js';
import { resolveContact, updateContact, type ContactRef } from '../contacts/contact-store.js';
import type { OfferEventKind } from '../contacts/contact-tables.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { resolveLocale, type Locale } from '../i18n/index.js';
import { renderTemplate } from '../playbooks/index.js';
import type { Db } from '../store/database.js';
import type { MessagePart } from '../store/schema.js';
import { chineseScriptOf, toTraditionalChinese } from '../text/script.js';
import { eligibleOffers, holdoutShare, inHoldout, readCatalogue, type Catalogue, type Offer } from './catalogue.js';
import { buildFunnels, type OfferFunnel, type RawOfferEvent } from './funnel.js';
import { offerText } from './locales.js';

/**
 * Offers inside service (docs/personal.md). After a turn that answered by itself, in an intent
 * the catalogue names, with no hand-over and nothing the guard replaced or flagged, the first
 * eligible offer the contact has not opted out of and has not seen too often is shown under the
 * answer. Eligible contacts in the offer's holdout never see it; they are recorded as held out, so
 * conversions can be compared arm against arm. Every step is a raw row in offer_events.
 */

interface TraceBody {
  handover?: unknown;
  handoffReason?: unknown;
  guard?: { outcome?: string; violations?: unknown[] };
  playbook?: { status?: string } | null;
}

function pick(text: Offer['title'], locale: Locale): string {
  if (typeof text === 'string') return locale === 'zh-TW' || locale === 'zh-HK' ? toTraditionalChinese(text) : text;
  const entries = Object.entries(text);
  const exact = entries.find(([key]) => resolveLocale(key) === locale);
  if (exact) return exact[1];
  const simplified = entries.find(([key]) => resolveLocale(key) === 'zh-CN');
  if (simplified && locale !== 'en') return toTraditionalChinese(simplified[1], locale === 'zh-HK' ? 'hk' : 'tw');
  return (entries.find(([key]) => resolveLocale(key) === 'en') ?? entries[0]!)[1];
}

export interface PendingOffer {
  tenantId: string;
  contactId: string;
  offerId: string;
  cta: string;
  optOut: string;
  locale: Locale;
  until: number;
}

/** How many tenants' offer catalogues a node keeps read (a few KB each). */
const CATALOGUES_KEPT = 2_000;

export class OfferService {
  /** Conversations whose latest message shows an offer: the customer's quick-reply click is caught here. */
  readonly #pending = new Map<string, PendingOffer>();

  constructor(private readonly deps: { db: Db; bus: EventBus }) {}

  /** Subscribes to the bus; returns the unsubscribe function. */
  start(): () => void {
    return this.deps.bus.subscribe((event, origin) => {
      // A pack import or a settings change (on any node) changes the catalogue.
      if (event.type === 'tenant.updated') this.#catalogues.delete(event.tenantId);
      if (!origin.local) return;
      if (event.type === 'turn.completed' && event.route === 'auto')
        void this.considerTurn(event.tenantId, event.conversationId, event.turnId).catch(() => undefined);
      if (event.type === 'message.created' && this.#pending.has(event.conversationId))
        void this.#maybeQuickReply(event.tenantId, event.conversationId, event.messageId).catch(() => undefined);
    });
  }

  /** Tenants' catalogues as last read, most recently used last; dropped on `tenant.updated`. */
  readonly #catalogues = new Map<string, Promise<{ catalogue: Catalogue; locale: string; name: string }>>();

  #catalogue(tenantId: string): Promise<{ catalogue: Catalogue; locale: string; name: string }> {
    const cached = this.#catalogues.get(tenantId);
    if (cached) {
      this.#catalogues.delete(tenantId);
      this.#catalogues.set(tenantId, cached);
      return cached;
    }
    const loading = this.#readCatalogue(tenantId);
    this.#catalogues.set(tenantId, loading);
    loading.catch(() => this.#catalogues.get(tenantId) === loading && this.#catalogues.delete(tenantId));
    if (this.#catalogues.size > CATALOGUES_KEPT) this.#catalogues.delete(this.#catalogues.keys().next().value!);
    return loading;
  }

  async #readCatalogue(tenantId: string): Promise<{ catalogue: Catalogue; locale: string; name: string }> {
    const row = await this.deps.db
      .selectFrom('tenants')
      .select(['settings', 'locale', 'name'])
      .where('id', '=', tenantId)
      .executeTakeFirstOrThrow();
    const { catalogue } = readCatalogue((row.settings as { offers?: unknown }).offers);
    return { catalogue, locale: row.locale, name: row.name };
  }

  /** Decides whether the answer of `turnId` is followed by an offer; returns the offer shown, if any. */
  async considerTurn(tenantId: string, conversationId: string, turnId: string): Promise<string | null> {
    const { db } = this.deps;
    const { catalogue, locale: tenantLocale } = await this.#catalogue(tenantId);
    if (catalogue.items.length === 0) return null;
    const trace = await db
      .selectFrom('turn_traces')
      .innerJoin('messages', 'messages.id', 'turn_traces.inbound_message_id')
      .select(['turn_traces.route', 'turn_traces.intent', 'turn_traces.trace', 'messages.text'])
      .where('turn_traces.tenant_id', '=', tenantId)
      .where('turn_traces.id', '=', turnId)
      .executeTakeFirst();
    if (!trace || trace.route !== 'auto') return null;
    const body = trace.trace as TraceBody;
    if (body.handover || body.handoffReason) return null;
    // The guard flagged the turn (a violation it could not just tidy up): no offer under it.
    if ((body.guard?.violations?.length ?? 0) > 0) return null;
    if (body.guard?.outcome && body.guard.outcome !== 'passed' && body.guard.outcome !== 'fixed') return null;
    if (body.playbook && body.playbook.status !== 'done') return null;
    const conversation = await db
      .selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .leftJoin('contact_profiles', 'contact_profiles.contact_id', 'contacts.id')
      .select([
        'conversations.status',
        'conversations.assignee_kind',
        'contacts.id as contact_id',
        'contacts.name',
        'contacts.attributes',
        'contact_profiles.consent',
        'contact_profiles.locale',
      ])
      .where('conversations.tenant_id', '=', tenantId)
      .where('conversations.id', '=', conversationId)
      .executeTakeFirst();
    if (!conversation || conversation.status === 'pending' || conversation.assignee_kind === 'agent') return null;
    if ((conversation.consent as Record<string, boolean> | null)?.offers === false) return null;
    const contact = {
      ...(conversation.attributes as Record<string, unknown>),
      id: conversation.contact_id,
      name: conversation.name,
    };
    const scopes = [{ contact, intent: trace.intent }];
    const offers = eligibleOffers(catalogue, trace.intent, scopes);
    const locale = resolveLocale(
      conversation.locale ??
        (/[a-z]/i.test(trace.text) && !/[\u4e00-\u9fff]/.test(trace.text)
          ? 'en'
          : chineseScriptOf(trace.text) === 'traditional'
            ? 'zh-TW'
            : tenantLocale),
    );
    for (const offer of offers) {
      const holdout = inHoldout(offer.id, conversation.contact_id, holdoutShare(catalogue, offer));
      await this.#record({
        tenantId,
        offerId: offer.id,
        contactId: conversation.contact_id,
        conversationId,
        kind: holdout ? 'held_out' : 'exposed',
        arm: holdout ? 'holdout' : 'treatment',
        externalId: `eligible:${offer.id}:${conversation.contact_id}`,
      });
      if (holdout) continue;
      const week = new Date(Date.now() - 7 * 86_400_000);
      const shown = await db
        .selectFrom('offer_events')
        .select(sql<string>`count(*)`.as('count'))
        .where('tenant_id', '=', tenantId)
        .where('offer_id', '=', offer.id)
        .where('contact_id', '=', conversation.contact_id)
        .where('kind', '=', 'shown')
        .where('created_at', '>', week)
        .executeTakeFirst();
      if (Number(shown?.count ?? 0) >= offer.cap.per_week) continue;
      const money = (value: number) => Math.round(value * 100) / 100;
      const listPrice = money(offer.products.reduce((sum, product) => sum + product.price, 0));
      const scope = {
        contact,
        offer: {
          id: offer.id,
          title: pick(offer.title, locale),
          price: offer.price,
          list_price: listPrice,
          saving: money(Math.max(0, listPrice - offer.price)),
        },
      };
      const text = renderTemplate(pick(offer.text, locale), [scope]).trim();
      if (!text) continue;
      const cta = offer.cta ? pick(offer.cta, locale) : offerText(locale, 'defaultCta');
      const optOut = offerText(locale, 'optOut');
      await this.#say(tenantId, conversationId, `offer:${turnId}:${offer.id}`, text, [cta, optOut]);
      await this.#record({
        tenantId,
        offerId: offer.id,
        contactId: conversation.contact_id,
        conversationId,
        kind: 'shown',
        arm: 'treatment',
        externalId: `shown:${turnId}:${offer.id}`,
      });
      this.#pending.set(conversationId, {
        tenantId,
        contactId: conversation.contact_id,
        offerId: offer.id,
        cta,
        optOut,
        locale,
        until: Date.now() + 30 * 60_000,
      });
      return offer.id;
    }
    return null;
  }

  async #say(tenantId: string, conversationId: string, externalId: string, text: string, options: string[] | null) {
    const parts: MessagePart[] = [{ type: 'text', text }];
    if (options) parts.push({ type: 'quick_replies', options });
    const row = await this.deps.db
      .insertInto('messages')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        conversation_id: conversationId,
        direction: 'outgoing',
        visibility: 'public',
        sender_kind: 'bot',
        sender_id: null,
        content: JSON.stringify(parts),
        text,
        external_id: externalId,
        turn_id: null,
      })
      .onConflict((conflict) =>
        conflict
          .columns(['tenant_id', 'conversation_id', 'external_id'])
          .where('external_id', 'is not', null)
          .doNothing(),
      )
      .returning(['id', 'seq'])
      .executeTakeFirst();
    if (row)
      await this.deps.bus.publish({
        type: 'message.created',
        tenantId,
        conversationId,
        messageId: row.id,
        seq: String(row.seq),
      });
  }

  async #record(input: {
    tenantId: string;
    offerId: string;
    contactId: string;
    conversationId: string | null;
    kind: OfferEventKind;
    arm: 'treatment' | 'holdout';
    externalId: string | null;
    orderValueCents?: number;
  }): Promise<boolean> {
    const row = await this.deps.db
      .insertInto('offer_events')
      .values({
        id: randomUUID(),
        tenant_id: input.tenantId,
        offer_id: input.offerId,
        contact_id: input.contactId,
        conversation_id: input.conversationId,
        kind: input.kind,
        arm: input.arm,
        order_value_cents: input.orderValueCents ?? 0,
        external_id: input.externalId,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async #maybeQuickReply(tenantId: string, conversationId: string, messageId: string): Promise<void> {
    const pending = this.#pending.get(conversationId);
    if (!pending || pending.tenantId !== tenantId) return;
    if (pending.until < Date.now()) {
      this.#pending.delete(conversationId);
      return;
    }
    const message = await this.deps.db
      .selectFrom('messages')
      .select(['text', 'direction'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', messageId)
      .executeTakeFirst();
    if (!message || message.direction !== 'incoming') return;
    const text = message.text.trim();
    if (text === pending.cta) {
      this.#pending.delete(conversationId);
      await this.click(tenantId, pending.contactId, pending.offerId, conversationId, pending.locale);
    } else if (text === pending.optOut) {
      this.#pending.delete(conversationId);
      await this.optOut(tenantId, pending.contactId, conversationId, pending.locale);
    } else {
      this.#pending.delete(conversationId);
    }
  }

  /** The contact opened the offer (quick reply, widget button or the business's own page). */
  async click(
    tenantId: string,
    contactId: string,
    offerId: string,
    conversationId: string | null,
    locale?: Locale,
  ): Promise<{ recorded: boolean }> {
    const { catalogue } = await this.#catalogue(tenantId);
    const offer = catalogue.items.find((item) => item.id === offerId);
    if (!offer)
      throw new KefuError(ErrorCodes.offerNotFound, `no offer "${offerId}" in the catalogue`, { status: 404 });
    const shown = await this.deps.db
      .selectFrom('offer_events')
      .select('conversation_id')
      .where('tenant_id', '=', tenantId)
      .where('offer_id', '=', offerId)
      .where('contact_id', '=', contactId)
      .where('kind', '=', 'shown')
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (!shown)
      throw new KefuError(ErrorCodes.offerNotFound, 'this offer was never shown to this contact', { status: 409 });
    const recorded = await this.#record({
      tenantId,
      offerId,
      contactId,
      conversationId: conversationId ?? shown.conversation_id,
      kind: 'clicked',
      arm: 'treatment',
      externalId: null,
    });
    const where = conversationId ?? shown.conversation_id;
    if (where && locale)
      await this.#say(
        tenantId,
        where,
        `offer-click:${randomUUID()}`,
        offerText(locale, 'clicked', { title: pick(offer.title, locale), price: offer.price }),
        null,
      );
    return { recorded };
  }

  async optOut(tenantId: string, contactId: string, conversationId: string | null, locale?: Locale): Promise<void> {
    await updateContact(this.deps.db, tenantId, contactId, { consent: { offers: false } }, 'merge');
    if (conversationId && locale)
      await this.#say(tenantId, conversationId, `offer-opt-out:${randomUUID()}`, offerText(locale, 'optedOut'), null);
  }

  /**
   * A conversion from the business (an order paid). Attributed to the offer's arm for this
   * contact; `orderId` makes a retried report count once. 422 for an unknown contact.
   */
  async convert(
    tenantId: string,
    input: { contact: ContactRef; offerId: string; orderValue: number; orderId: string },
  ): Promise<{ recorded: boolean; arm: 'treatment' | 'holdout'; eligible: boolean }> {
    const contactId = await resolveContact(this.deps.db, tenantId, input.contact);
    if (!contactId)
      throw new KefuError(ErrorCodes.contactNotFound, 'no contact matches this reference', { status: 404 });
    const { catalogue } = await this.#catalogue(tenantId);
    const offer = catalogue.items.find((item) => item.id === input.offerId);
    if (!offer)
      throw new KefuError(ErrorCodes.offerNotFound, `no offer "${input.offerId}" in the catalogue`, { status: 404 });
    const arm = inHoldout(offer.id, contactId, holdoutShare(catalogue, offer)) ? 'holdout' : 'treatment';
    const eligible = await this.deps.db
      .selectFrom('offer_events')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('offer_id', '=', offer.id)
      .where('contact_id', '=', contactId)
      .where('kind', 'in', ['exposed', 'held_out'])
      .executeTakeFirst();
    const recorded = await this.#record({
      tenantId,
      offerId: offer.id,
      contactId,
      conversationId: null,
      kind: 'converted',
      arm,
      externalId: `order:${input.orderId}`,
      orderValueCents: Math.round(input.orderValue * 100),
    });
    return { recorded, arm, eligible: eligible !== undefined };
  }

  /**
   * The catalogue as the console's report names it: each offer's id, kind, title in `locale`,
   * price and holdout share.
   */
  async describe(
    tenantId: string,
    locale: Locale,
  ): Promise<Array<{ id: string; kind: Offer['kind']; title: string; price: number; holdout: number }>> {
    const { catalogue } = await this.#catalogue(tenantId);
    return catalogue.items.map((offer) => ({
      id: offer.id,
      kind: offer.kind,
      title: pick(offer.title, locale),
      price: offer.price,
      holdout: holdoutShare(catalogue, offer),
    }));
  }

  /** Raw events of the tenant, streamed a page at a time (for the report and its export). */
  async *rawEvents(tenantId: string): AsyncGenerator<RawOfferEvent> {
    let after: string | null = null;
    for (;;) {
      const rows: Array<{
        id: string;
        offer_id: string;
        contact_id: string;
        kind: OfferEventKind;
        arm: 'treatment' | 'holdout';
        order_value_cents: string;
      }> = await this.deps.db
        .selectFrom('offer_events')
        .select(['id', 'offer_id', 'contact_id', 'kind', 'arm', 'order_value_cents'])
        .where('tenant_id', '=', tenantId)
        .$if(after !== null, (query) => query.where('id', '>', after!))
        .orderBy('id')
        .limit(5000)
        .execute();
      if (rows.length === 0) return;
      for (const row of rows)
        yield {
          offerId: row.offer_id,
          contactId: row.contact_id,
          kind: row.kind,
          arm: row.arm,
          orderValueCents: Number(row.order_value_cents),
        };
      after = rows[rows.length - 1]!.id;
    }
  }

  /**
   * The funnel report. Conversions count only for contacts that were eligible for the offer
   * (exposed or held out): an order from someone the offer could never have reached says nothing
   * about it.
   */
  async report(tenantId: string): Promise<OfferFunnel[]> {
    const events: RawOfferEvent[] = [];
    for await (const event of this.rawEvents(tenantId)) events.push(event);
    return buildFunnels(onlyEligibleConversions(events));
  }
}

/** Drops conversions of contacts who were never eligible for the offer. */
export function onlyEligibleConversions(events: readonly RawOfferEvent[]): RawOfferEvent[] {
  const eligible = new Set(
    events
      .filter((event) => event.kind === 'exposed' || event.kind === 'held_out')
      .map((event) => `${event.offerId}\u0000${event.contactId}`),
  );
  return events.filter(
    (event) => event.kind !== 'converted' || eligible.has(`${event.offerId}\u0000${event.contactId}`),
  );
}

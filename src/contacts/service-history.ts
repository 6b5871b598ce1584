import type { Db } from '../store/database.js';

/**
 * A contact's service history (docs/personal.md): their recent conversations with the last
 * understood intent and how each ended (answered by the bot, handed to a person, its CSAT), the
 * proactive messages sent to them and the offers they saw. For the agent's context panel and the
 * history API; every query is scoped to the tenant and the contact.
 */
// A type, not an interface: it is sent through the context panel's open `history` record.
export type ServiceHistory = {
  conversations: Array<{
    id: string;
    status: string;
    startedAt: string;
    lastMessageAt: string;
    lastIntent: string | null;
    handedOver: boolean;
    csat: number | null;
  }>;
  totals: { conversations: number; handedOver: number; averageCsat: number | null };
  proactive: Array<{ event: string; status: string; text: string; at: string }>;
  offers: Array<{ offerId: string; kind: string; at: string }>;
};

export async function serviceHistory(
  db: Db,
  tenantId: string,
  contactId: string,
  options: { limit?: number; excludeConversationId?: string } = {},
): Promise<ServiceHistory> {
  const limit = options.limit ?? 10;
  const conversations = await db
    .selectFrom('conversations')
    .select(['id', 'status', 'created_at', 'last_message_at'])
    .where('tenant_id', '=', tenantId)
    .where('contact_id', '=', contactId)
    .$if(options.excludeConversationId !== undefined, (query) =>
      query.where('id', '!=', options.excludeConversationId!),
    )
    .orderBy('last_message_at', 'desc')
    .limit(limit)
    .execute();
  const ids = conversations.map((row) => row.id);
  const intents = new Map<string, string | null>();
  const handed = new Set<string>();
  const csat = new Map<string, number>();
  if (ids.length > 0) {
    const traces = await db
      .selectFrom('turn_traces')
      .select(['conversation_id', 'intent', 'route', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', 'in', ids)
      .orderBy('created_at')
      .execute();
    for (const trace of traces) {
      if (trace.intent) intents.set(trace.conversation_id, trace.intent);
      if (trace.route !== 'auto') handed.add(trace.conversation_id);
    }
    const ratings = await db
      .selectFrom('handoff_events')
      .select(['conversation_id', 'details'])
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', 'in', ids)
      .where('kind', '=', 'csat')
      .orderBy('created_at')
      .execute();
    for (const rating of ratings) {
      const score = Number((rating.details as { score?: unknown }).score);
      if (Number.isFinite(score)) csat.set(rating.conversation_id, score);
    }
  }
  const proactive = await db
    .selectFrom('outreach_deliveries')
    .innerJoin('outreach_events', 'outreach_events.id', 'outreach_deliveries.event_id')
    .select([
      'outreach_events.type',
      'outreach_deliveries.status',
      'outreach_deliveries.text',
      'outreach_deliveries.created_at',
    ])
    .where('outreach_deliveries.tenant_id', '=', tenantId)
    .where('outreach_deliveries.contact_id', '=', contactId)
    .orderBy('outreach_deliveries.created_at', 'desc')
    .limit(limit)
    .execute();
  const offers = await db
    .selectFrom('offer_events')
    .select(['offer_id', 'kind', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('contact_id', '=', contactId)
    .where('kind', 'in', ['shown', 'clicked', 'converted'])
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  const scores = [...csat.values()];
  return {
    conversations: conversations.map((row) => ({
      id: row.id,
      status: row.status,
      startedAt: new Date(row.created_at).toISOString(),
      lastMessageAt: new Date(row.last_message_at).toISOString(),
      lastIntent: intents.get(row.id) ?? null,
      handedOver: handed.has(row.id),
      csat: csat.get(row.id) ?? null,
    })),
    totals: {
      conversations: conversations.length,
      handedOver: handed.size,
      averageCsat:
        scores.length === 0 ? null : Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10,
    },
    proactive: proactive.map((row) => ({
      event: row.type,
      status: row.status,
      text: row.text,
      at: new Date(row.created_at).toISOString(),
    })),
    offers: offers.map((row) => ({
      offerId: row.offer_id,
      kind: row.kind,
      at: new Date(row.created_at).toISOString(),
    })),
  };
}

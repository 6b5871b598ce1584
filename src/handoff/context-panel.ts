import { intentLabel, intentName, translateTurn } from '../engine/locales.js';
import { citationTitle } from '../engine/run-turn.js';
import type { TenantRuntimeCache } from '../engine/tenant-runtime.js';
import { createDatabaseConnector, createRoutingConnector } from '../playbooks/index.js';
import type { Db } from '../store/database.js';
import type { ChatModel, TokenUsage } from '../llm/index.js';
import { appendUsage } from '../metering/index.js';
import { randomUUID } from 'node:crypto';
import { requireConversation } from '../conversations/index.js';
import type { HandoffSettings } from './handoff-settings.js';
import type { HandoffViews } from './handoff-views.js';
import type { HandoffSettingsCache } from './settings-cache.js';
import { summarizeWithModel, type TranscriptLine } from './summarize-conversation.js';
import { serviceHistory, type ServiceHistory } from '../contacts/service-history.js';

export interface ContextPanel {
  summary: { text: string; method: 'extractive' | 'llm' };
  turn: {
    intent: string | null;
    /** The intent as people read it (the FAQ's question, the intent's description). */
    intentName: string | null;
    confidence: number;
    route: string;
    tier: string;
    /** The trace's reasons, in English for engineers: the console does not show them to agents. */
    reasons: string[];
    /** Why a person is needed, as agents read it (the hand-off's reason), or null. */
    why: string | null;
  } | null;
  /** What the last turn cited, with the title a person reads (the FAQ question, the document section). */
  citations: Array<{ source: string; id: string; version: number; title?: string }>;
  orders: Array<Record<string, string>>;
  ordersNote: string | null;
  suggestedReplies: Array<{ source: string; id: string; question: string; answer: string; score: number }>;
  /** The contact's earlier conversations, CSAT, proactive messages and offers (docs/personal.md). */
  history?: ServiceHistory | null;
}

const clip = (text: string, max: number) => {
  const characters = [...text.replace(/\s+/g, ' ').trim()];
  return characters.length > max ? `${characters.slice(0, max).join('')}…` : characters.join('');
};

/**
 * What an agent sees beside a conversation: an extractive summary (the customer's first and
 * latest messages, the intent and why it was handed over), the last turn's understanding and
 * citations, the contact's recent orders through the tenant's connector, and the FAQ answers
 * retrieval ranks highest for the customer's latest message.
 */
export async function buildContextPanel(
  deps: { db: Db; runtimes: TenantRuntimeCache; llm?: { model: ChatModel; timeoutMs: number } },
  tenantId: string,
  conversationId: string,
  settings: HandoffSettings,
  handoff: { reason: string; intent: string | null } | null,
): Promise<ContextPanel> {
  const { db, runtimes } = deps;
  const conversation = await db
    .selectFrom('conversations')
    .innerJoin('contacts', (join) =>
      join
        .onRef('contacts.id', '=', 'conversations.contact_id')
        .onRef('contacts.tenant_id', '=', 'conversations.tenant_id'),
    )
    .select(['conversations.state', 'conversations.contact_id', 'contacts.phone', 'contacts.name'])
    .where('conversations.tenant_id', '=', tenantId)
    .where('conversations.id', '=', conversationId)
    .executeTakeFirstOrThrow();
  const runtime = await runtimes.get(tenantId);
  const locale = runtime.locale;
  const text = (key: Parameters<typeof translateTurn>[1], params?: Record<string, string | number>) =>
    translateTurn(locale, key, params);

  const customer = await db
    .selectFrom('messages')
    .select(['text', 'seq'])
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .where('direction', '=', 'incoming')
    .orderBy('seq')
    .execute();
  const trace = await db
    .selectFrom('turn_traces')
    .select(['intent', 'confidence', 'route', 'tier', 'trace'])
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const traceBody = (trace?.trace ?? {}) as { reasons?: unknown; citations?: unknown };

  // Summary: first message, the last two, and why a person is needed.
  const picked = customer.length <= 3 ? customer : [customer[0]!, ...customer.slice(-2)];
  const lines = picked.map((message, index) =>
    text(picked.length === 1 ? 'panel.customer' : index === 0 ? 'panel.customer_first' : 'panel.customer_latest', {
      text: clip(message.text, 80),
    }),
  );
  if (customer.length > 3) lines.splice(1, 0, text('panel.more', { count: customer.length - 3 }));
  const intent = handoff?.intent ?? trace?.intent ?? null;
  if (intent) lines.push(text('panel.intent', { intent: intentLabel(locale, runtime, intent) }));
  if (handoff) lines.push(text('panel.reason', { reason: clip(handoff.reason, 120) }));
  if (customer.length === 0) lines.push(text('panel.no_messages'));

  // Orders: by the contact's phone, else by an order number the conversation mentioned.
  const memory = ((conversation.state as { memory?: Record<string, string | number> }).memory ?? {}) as Record<
    string,
    string | number
  >;
  const phone = conversation.phone ?? (memory.phone !== undefined ? String(memory.phone) : null);
  const orderNo = memory.order_no !== undefined ? String(memory.order_no) : null;
  const connector = createRoutingConnector(runtime.httpConnectors, createDatabaseConnector(db, tenantId));
  const { table, contactColumn, orderBy } = settings.orders;
  let orders: Array<Record<string, string>> = [];
  let ordersNote: string | null = null;
  try {
    if (phone) {
      orders = await connector.query({
        table,
        where: { [contactColumn]: phone },
        ...(orderBy ? { orderBy: { column: orderBy, direction: 'desc' as const } } : {}),
        limit: 5,
      });
    } else if (orderNo) {
      orders = await connector.query({ table, where: { order_no: orderNo }, limit: 5 });
    } else {
      ordersNote = text('panel.no_contact_keys');
    }
    if (orders.length === 0 && !ordersNote) ordersNote = text('panel.no_orders');
  } catch {
    ordersNote = text('panel.orders_down');
  }

  // Suggested replies: the FAQ answers ranked highest for the latest customer message.
  const latest = customer[customer.length - 1]?.text;
  const suggestedReplies: ContextPanel['suggestedReplies'] = [];
  if (latest) {
    for (const hit of runtime.knowledge.search(latest, { k: 10 })) {
      const passage = runtime.passages.get(hit.id);
      if (!passage || passage.source !== 'faq') continue;
      suggestedReplies.push({
        source: passage.source,
        id: passage.reference,
        question: passage.title ?? '',
        answer: passage.text,
        score: Math.round(hit.matchScore * 1000) / 1000,
      });
      if (suggestedReplies.length === 3) break;
    }
  }

  // With an LLM configured, a written summary of the public transcript; the extractive one otherwise.
  let summary: ContextPanel['summary'] = { text: lines.join('\n'), method: 'extractive' };
  if (deps.llm && customer.length > 0) {
    let spent: TokenUsage | null = null;
    const transcript = await db
      .selectFrom('messages')
      .select(['sender_kind', 'text'])
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .where('visibility', '=', 'public')
      .orderBy('seq', 'desc')
      .limit(20)
      .execute();
    const written = await summarizeWithModel(
      deps.llm.model,
      transcript.reverse().map((row): TranscriptLine => ({
        speaker: row.sender_kind === 'contact' ? 'customer' : row.sender_kind === 'agent' ? 'agent' : 'bot',
        text: row.text,
      })),
      {
        english: locale.toLowerCase().startsWith('en'),
        timeoutMs: deps.llm.timeoutMs,
        onUsage: (usage) => {
          spent = usage;
        },
      },
    );
    if (spent) await meterSummaryTokens(db, tenantId, conversationId, spent);
    if (written) summary = { text: written, method: 'llm' };
  }

  return {
    summary,
    turn: trace
      ? {
          intent: trace.intent,
          intentName: intentName(runtime, trace.intent),
          confidence: trace.confidence,
          route: trace.route,
          tier: trace.tier,
          reasons: Array.isArray(traceBody.reasons) ? traceBody.reasons.map(String) : [],
          why: handoff?.reason ?? null,
        }
      : null,
    citations: (Array.isArray(traceBody.citations) ? (traceBody.citations as ContextPanel['citations']) : []).map(
      (citation) => {
        const title = citation.title ?? citationTitle(runtime, citation);
        return title ? { ...citation, title } : citation;
      },
    ),
    orders,
    ordersNote,
    suggestedReplies,
    history: await serviceHistory(db, tenantId, conversation.contact_id, {
      limit: 5,
      excludeConversationId: conversationId,
    }).catch(() => null),
  };
}

/**
 * The panel for one conversation of the tenant (404 when it is not theirs), with the hand-off's
 * reason and intent and the tenant's order settings.
 */
export async function loadContextPanel(
  deps: {
    db: Db;
    runtimes: TenantRuntimeCache;
    llm?: { model: ChatModel; timeoutMs: number };
    settings: HandoffSettingsCache;
    views: HandoffViews;
  },
  tenantId: string,
  conversationId: string,
): Promise<ContextPanel> {
  await requireConversation(deps.db, tenantId, conversationId);
  const handoff = await deps.views.current(tenantId, conversationId);
  const { db, runtimes, llm } = deps;
  return buildContextPanel(
    { db, runtimes, ...(llm ? { llm } : {}) },
    tenantId,
    conversationId,
    await deps.settings.get(tenantId),
    handoff,
  );
}

/** Each written summary is an LLM call of its own: its tokens go on the tenant's ledger. */
async function meterSummaryTokens(db: Db, tenantId: string, conversationId: string, usage: TokenUsage): Promise<void> {
  const call = randomUUID();
  const count = (value: number) => (Number.isFinite(value) ? Math.max(0, Math.round(value)) : 0);
  await appendUsage(db, tenantId, [
    {
      meter: 'llm.tokens_in',
      quantity: count(usage.inputTokens),
      dedupeKey: `llm.tokens_in:summary:${call}`,
      conversationId,
    },
    {
      meter: 'llm.tokens_out',
      quantity: count(usage.outputTokens),
      dedupeKey: `llm.tokens_out:summary:${call}`,
      conversationId,
    },
  ]);
}

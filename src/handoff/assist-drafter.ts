import { randomUUID } from 'node:crypto';
import type { EventBus } from '../bus/index.js';
import { draftBasisOf } from '../engine/faq-draft.js';
import { runTurn, type DialogueState } from '../engine/run-turn.js';
import type { TenantRuntimeCache } from '../engine/tenant-runtime.js';
import { createDatabaseConnector, createRoutingConnector } from '../playbooks/index.js';
import type { Db } from '../store/database.js';
import type { MessagePart } from '../store/schema.js';

/**
 * Assist mode after a person has taken over (S5): each new customer message in a conversation
 * whose handoff is `assist` and assigned gets an AI draft the agent can approve, edit or reject;
 * nothing reaches the customer. A bus listener wired at the composition root; only the node that
 * stored the message drafts (`origin.local`), so several nodes never draft twice.
 */
export function startAssistDrafter(deps: {
  db: Db;
  bus: EventBus;
  runtimes: TenantRuntimeCache;
  today?: string;
  onError?: (error: unknown) => void;
}): () => void {
  const { db, bus } = deps;
  const draft = async (tenantId: string, conversationId: string, messageId: string) => {
    const message = await db
      .selectFrom('messages')
      .select(['text', 'direction', 'sender_kind', 'turn_id'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', messageId)
      .executeTakeFirst();
    // turn_id is null exactly when the bot stayed quiet because a person holds the conversation.
    if (!message || message.direction !== 'incoming' || message.sender_kind !== 'contact' || message.turn_id !== null)
      return;
    const handoff = await db
      .selectFrom('handoffs')
      .select(['id', 'route', 'status'])
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .where('status', '=', 'assigned')
      .executeTakeFirst();
    if (!handoff || handoff.route !== 'assist') return;
    const conversation = await db
      .selectFrom('conversations')
      .innerJoin('contacts', (join) =>
        join
          .onRef('contacts.id', '=', 'conversations.contact_id')
          .onRef('contacts.tenant_id', '=', 'conversations.tenant_id'),
      )
      .select([
        'conversations.state',
        'contacts.id',
        'contacts.name',
        'contacts.phone',
        'contacts.email',
        'contacts.attributes',
      ])
      .where('conversations.tenant_id', '=', tenantId)
      .where('conversations.id', '=', conversationId)
      .executeTakeFirstOrThrow();
    const runtime = await deps.runtimes.get(tenantId);
    const decision = await runTurn(
      runtime,
      { text: message.text, state: conversation.state as DialogueState },
      {
        connector: createRoutingConnector(runtime.httpConnectors, createDatabaseConnector(db, tenantId)),
        contact: {
          id: conversation.id,
          name: conversation.name,
          phone: conversation.phone,
          email: conversation.email,
          ...(conversation.attributes as Record<string, unknown>),
        },
        now: new Date(),
        ...(deps.today ? { today: deps.today } : {}),
      },
    );
    // Only a real answer is worth a draft: not the hand-over notice or the polite decline.
    const proposal =
      decision.draft ??
      (decision.route === 'auto' && decision.tier !== 'fallback'
        ? {
            ...decision.reply,
            basis: draftBasisOf({
              tier: decision.tier,
              byModel: decision.trace.llm !== null || decision.trace.guard.outcome === 'rewritten',
              citations: decision.trace.citations,
            }),
          }
        : null);
    if (!proposal) return;
    const parts: MessagePart[] = proposal.parts;
    const stored = await db.transaction().execute(async (trx) => {
      const internal = await trx
        .insertInto('messages')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          conversation_id: conversationId,
          direction: 'outgoing',
          visibility: 'internal',
          sender_kind: 'bot',
          sender_id: null,
          content: JSON.stringify(parts),
          text: proposal.text,
          external_id: `draft:${messageId}`,
          turn_id: null,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['tenant_id', 'conversation_id', 'external_id'])
            .where('external_id', 'is not', null)
            .doNothing(),
        )
        .returningAll()
        .executeTakeFirst();
      if (!internal) return null;
      const row = await trx
        .insertInto('drafts')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          conversation_id: conversationId,
          turn_id: null,
          message_id: internal.id,
          text: proposal.text,
          parts: JSON.stringify(parts),
          basis: proposal.basis,
          status: 'pending',
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { internal, row };
    });
    if (!stored) return;
    await bus.publish({
      type: 'message.created',
      tenantId,
      conversationId,
      messageId: stored.internal.id,
      seq: String(stored.internal.seq),
    });
    await bus.publish({ type: 'draft.updated', tenantId, conversationId, draftId: stored.row.id, status: 'pending' });
  };
  // Conversations an agent holds in assist mode, kept current from the bus (every node sees every
  // handoff.updated), so the other messages cost no query at all.
  const assisted = new Set<string>();
  const key = (tenantId: string, conversationId: string) => `${tenantId}/${conversationId}`;
  const reload = async () => {
    const rows = await db
      .selectFrom('handoffs')
      .select(['tenant_id', 'conversation_id'])
      .where('status', '=', 'assigned')
      .where('route', '=', 'assist')
      .execute();
    assisted.clear();
    for (const row of rows) assisted.add(key(row.tenant_id, row.conversation_id));
  };
  void reload().catch((error) => deps.onError?.(error));
  const stopGap = bus.onGap(() => void reload().catch((error) => deps.onError?.(error)));
  const unsubscribe = bus.subscribe((event, origin) => {
    if (event.type === 'handoff.updated') {
      if (event.status !== 'assigned') {
        assisted.delete(key(event.tenantId, event.conversationId));
        return;
      }
      void db
        .selectFrom('handoffs')
        .select(['route', 'status'])
        .where('tenant_id', '=', event.tenantId)
        .where('id', '=', event.handoffId)
        .executeTakeFirst()
        .then((row) => {
          if (row?.route === 'assist' && row.status === 'assigned')
            assisted.add(key(event.tenantId, event.conversationId));
        })
        .catch((error) => deps.onError?.(error));
      return;
    }
    if (
      event.type !== 'message.created' ||
      origin?.local === false ||
      !assisted.has(key(event.tenantId, event.conversationId))
    )
      return;
    void draft(event.tenantId, event.conversationId, event.messageId).catch((error) => deps.onError?.(error));
  });
  return () => {
    unsubscribe();
    stopGap();
  };
}

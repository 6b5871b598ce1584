import { eventRouter, type EventBus } from '../bus/index.js';
import type { ConversationService, Message } from '../conversations/index.js';

/**
 * Follows one conversation: first the stored messages after `afterSeq`, then live ones from the
 * bus, in seq order without duplicates or gaps (live events that arrive while the backlog is
 * read are buffered and de-duplicated by seq).
 */
export function followConversation(
  deps: { bus: EventBus; conversations: ConversationService },
  scope: { tenantId: string; conversationId: string; includeInternal: boolean },
  afterSeq: string | undefined,
  deliver: (message: Message) => void,
  /** Provisional answer text while the LLM writes it; the turn's message.created replaces it. */
  deliverDelta?: (delta: { turnId: string; delta: string }) => void,
): { ready: Promise<void>; stop: () => void } {
  let lastSeq = BigInt(afterSeq ?? '0');
  let catchingUp = true;
  let stopped = false;
  let pending = Promise.resolve();

  const pull = () => {
    pending = pending
      .then(async () => {
        if (stopped) return;
        for (;;) {
          const batch = await deps.conversations.listMessages(scope.tenantId, scope.conversationId, {
            afterSeq: lastSeq.toString(),
            limit: 200,
            includeInternal: scope.includeInternal,
          });
          for (const message of batch) {
            if (stopped) return;
            const seq = BigInt(message.seq);
            if (seq <= lastSeq) continue;
            lastSeq = seq;
            deliver(message);
          }
          if (batch.length < 200) break;
        }
      })
      .catch(() => undefined);
    return pending;
  };

  // Only this conversation's events reach this follower (one indexed bus subscription per node).
  const router = eventRouter(deps.bus);
  const stopListening = router.conversation(scope.tenantId, scope.conversationId, (event) => {
    if (stopped) return;
    if (event.type === 'message.delta' && deliverDelta) {
      deliverDelta({ turnId: event.turnId, delta: event.delta });
      return;
    }
    if (event.type !== 'message.created') return;
    if (!catchingUp && /^\d{1,19}$/.test(String(event.seq)) && BigInt(event.seq) <= lastSeq) return;
    void pull();
  });
  // Events from other nodes may have been missed while Redis was away: read what was stored.
  const stopGap = router.gap(() => void pull());
  const unsubscribe = () => {
    stopListening();
    stopGap();
  };
  const ready = pull().then(() => {
    catchingUp = false;
  });
  return {
    ready,
    stop: () => {
      stopped = true;
      unsubscribe();
    },
  };
}

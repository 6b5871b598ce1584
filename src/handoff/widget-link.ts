import { eventRouter, type EventBus } from '../bus/index.js';
import { widgetHandoffClientEvent } from '../protocol/index.js';
import type { HandoffViews } from './handoff-views.js';
import type { PresenceService } from './presence-service.js';

/**
 * The hand-off side of one widget socket: pushes `handoff.updated` (status, place in line, ETA)
 * whenever it changes, the agent's typing and read receipts; takes the customer's typing and
 * read frames. Everything arrives through the bus, so the agent may be on another node.
 */
export function linkWidgetToHandoff(
  deps: { bus: EventBus; handoff: { views: HandoffViews; presence: PresenceService } },
  scope: { tenantId: string; conversationId: string; contactId: string },
  send: (payload: unknown) => void,
): { handleFrame: (json: unknown) => boolean; stop: () => void } {
  let stopped = false;
  let last = '';
  let lastStatus: string | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  const refresh = () => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        const state = await deps.handoff.views.widgetState(scope.tenantId, scope.conversationId);
        if (stopped || !state) continue;
        const encoded = JSON.stringify(state);
        if (encoded === last) continue;
        last = encoded;
        lastStatus = state.status;
        send({ type: 'handoff.updated', handoff: state });
      } while (again && !stopped);
    })()
      .catch(() => undefined)
      .finally(() => {
        running = null;
      });
  };

  // Indexed subscriptions (one bus handler per node, not per socket): this conversation's events,
  // and the tenant's hand-off and agent changes only, so thousands of open widgets cost a map
  // lookup per message event rather than thousands of handler calls.
  const router = eventRouter(deps.bus);
  const stopTenant = router.tenant(
    scope.tenantId,
    (event) => {
      if (stopped) return;
      // Another customer's change moves this one's place in line only while this one waits.
      if (('conversationId' in event && event.conversationId === scope.conversationId) || lastStatus === 'waiting')
        refresh();
    },
    ['handoff.updated', 'agent.updated'],
  );
  const stopConversation = router.conversation(scope.tenantId, scope.conversationId, (event) => {
    if (stopped) return;
    if (event.type === 'typing.updated' && event.actor.kind === 'agent') {
      send({ type: 'typing.updated', actor: { kind: 'agent', name: event.actor.name ?? null }, active: event.active });
    } else if (event.type === 'read.updated' && event.reader.kind === 'agent') {
      send({ type: 'read.updated', reader: { kind: 'agent' }, seq: event.seq });
    }
  });
  const unsubscribe = () => {
    stopTenant();
    stopConversation();
  };
  refresh();

  return {
    handleFrame(json) {
      const parsed = widgetHandoffClientEvent.safeParse(json);
      if (!parsed.success) return false;
      const frame = parsed.data;
      const work =
        frame.type === 'typing.update'
          ? deps.handoff.presence.typing(
              scope.tenantId,
              scope.conversationId,
              { kind: 'contact', id: scope.contactId },
              frame.active,
            )
          : deps.handoff.presence.markRead(
              scope.tenantId,
              scope.conversationId,
              { kind: 'contact', id: scope.contactId },
              frame.seq,
            );
      work.catch(() => send({ type: 'error', code: 'CS_INTERNAL', message: 'internal error' }));
      return true;
    },
    stop() {
      stopped = true;
      unsubscribe();
    },
  };
}

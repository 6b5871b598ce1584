import type { DomainEvent, EventBus, EventOrigin } from './event-bus.js';

type Listener = (event: DomainEvent, origin: EventOrigin) => void;

/**
 * Indexed subscriptions on one bus, for the many per-socket listeners of a node: one bus
 * subscription in all, and each event goes only to the listeners of its conversation (or tenant),
 * so 10,000 open sockets cost a map lookup per event rather than 10,000 handler calls.
 */
export interface EventRouter {
  /** Events carrying this tenant's `conversationId`. Returns the unsubscribe function. */
  conversation(tenantId: string, conversationId: string, listener: Listener): () => void;
  /**
   * Events of this tenant (with or without a conversation); with `types`, only those types, so a
   * listener per socket for a rare tenant-wide event (a queue moved) costs nothing on the frequent
   * ones (messages). Returns the unsubscribe function.
   */
  tenant(tenantId: string, listener: Listener, types?: readonly string[]): () => void;
  /** The bus may have missed events (see `EventBus.onGap`). Returns the unsubscribe function. */
  gap(listener: () => void): () => void;
}

const routers = new WeakMap<EventBus, EventRouter>();

/** The router of `bus`, created on first use (one per bus, shared by every caller). */
export function eventRouter(bus: EventBus): EventRouter {
  const existing = routers.get(bus);
  if (existing) return existing;
  const byConversation = new Map<string, Set<Listener>>();
  const byTenant = new Map<string, Set<Listener>>();
  const byTenantType = new Map<string, Set<Listener>>();
  const onGap = new Set<() => void>();

  const notify = (listeners: Set<Listener> | undefined, event: DomainEvent, origin: EventOrigin) => {
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener(event, origin);
      } catch {
        // one socket's failure (gone mid-send) must not starve the others
      }
    }
  };
  bus.subscribe((event, origin) => {
    const tenantId = (event as { tenantId?: unknown }).tenantId;
    if (typeof tenantId !== 'string') return;
    notify(byTenant.get(tenantId), event, origin);
    notify(byTenantType.get(`${tenantId}|${event.type}`), event, origin);
    const conversationId = (event as { conversationId?: unknown }).conversationId;
    if (typeof conversationId === 'string') notify(byConversation.get(`${tenantId}/${conversationId}`), event, origin);
  });
  bus.onGap(() => {
    for (const listener of [...onGap]) {
      try {
        listener();
      } catch {
        // as above
      }
    }
  });

  const add = (map: Map<string, Set<Listener>>, key: string, listener: Listener) => {
    let listeners = map.get(key);
    if (!listeners) map.set(key, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      const current = map.get(key);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) map.delete(key);
    };
  };
  const router: EventRouter = {
    conversation: (tenantId, conversationId, listener) =>
      add(byConversation, `${tenantId}/${conversationId}`, listener),
    tenant(tenantId, listener, types) {
      if (!types) return add(byTenant, tenantId, listener);
      const stops = [...new Set(types)].map((type) => add(byTenantType, `${tenantId}|${type}`, listener));
      return () => stops.forEach((stop) => stop());
    },
    gap(listener) {
      onGap.add(listener);
      return () => {
        onGap.delete(listener);
      };
    },
  };
  routers.set(bus, router);
  return router;
}

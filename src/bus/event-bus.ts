/** Domain events, named noun first then verb (STYLE.md §2). */
export type DomainEvent =
  | {
      type: 'conversation.created';
      tenantId: string;
      conversationId: string;
      /** Its contact, and whether the contact was created with it (a first-time visitor). */
      contactId?: string;
      newContact?: boolean;
    }
  | { type: 'conversation.updated'; tenantId: string; conversationId: string; status: string }
  | { type: 'message.created'; tenantId: string; conversationId: string; messageId: string; seq: string }
  | { type: 'message.delta'; tenantId: string; conversationId: string; turnId: string; delta: string }
  | { type: 'turn.completed'; tenantId: string; conversationId: string; turnId: string; route: string }
  | { type: 'tenant.updated'; tenantId: string }
  // Hand-off (src/handoff, docs/handoff.md): the console and the widget refresh from these.
  | {
      type: 'handoff.updated';
      tenantId: string;
      conversationId: string;
      handoffId: string;
      queue: string;
      status: string;
      agentId: string | null;
    }
  | { type: 'draft.updated'; tenantId: string; conversationId: string; draftId: string; status: string }
  | {
      type: 'typing.updated';
      tenantId: string;
      conversationId: string;
      actor: { kind: 'contact' | 'agent'; id: string; name?: string };
      active: boolean;
    }
  | {
      type: 'read.updated';
      tenantId: string;
      conversationId: string;
      reader: { kind: 'contact' | 'agent'; id: string };
      seq: string;
    }
  | { type: 'agent.updated'; tenantId: string; agentId: string; presence: string }
  | {
      type: 'sla.breached';
      tenantId: string;
      conversationId: string;
      handoffId: string;
      kind: 'first_response' | 'resolution';
    };

/** Where an event came from: `local` is true when this node published it. */
export interface EventOrigin {
  local: boolean;
}

/**
 * `origin` tells a handler whether this node published the event; per-node bookkeeping (metrics)
 * counts only local ones, since with the Redis adapter every node sees every node's events.
 */
export type EventHandler = (event: DomainEvent, origin: EventOrigin) => void;

/**
 * The `EventBus` port. Publishing happens after the database commit; subscribers must not
 * throw (errors are caught and reported, never propagated to the publisher). Every subscriber
 * on every node receives each event exactly once; the publishing node's own subscribers have
 * run by the time `publish` resolves.
 */
export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(handler: EventHandler): () => void;
  /**
   * Called when events from other nodes may have been missed (the Redis subscriber lost its
   * connection and is back): a follower re-reads what it shows from the database. The
   * in-process bus never misses anything and never calls it. Returns the unsubscribe function.
   */
  onGap(handler: () => void): () => void;
  close(): Promise<void>;
}

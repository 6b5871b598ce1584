/** Domain events, named noun first then verb (STYLE.md §2). */
export type DomainEvent =
  | { type: 'conversation.created'; tenantId: string; conversationId: string }
  | { type: 'conversation.updated'; tenantId: string; conversationId: string; status: string }
  | { type: 'message.created'; tenantId: string; conversationId: string; messageId: string; seq: string }
  | { type: 'message.delta'; tenantId: string; conversationId: string; turnId: string; delta: string }
  | { type: 'turn.completed'; tenantId: string; conversationId: string; turnId: string; route: string }
  | { type: 'tenant.updated'; tenantId: string };

export type EventHandler = (event: DomainEvent) => void;

/**
 * The `EventBus` port. Publishing happens after the database commit; subscribers must not
 * throw (errors are caught and reported, never propagated to the publisher).
 */
export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(handler: EventHandler): () => void;
  close(): Promise<void>;
}

/**
 * Which contacts have a widget open on this node, and in which conversation: the widget socket
 * (src/server/routes/widget.ts) joins on open and leaves on close. Outreach delivers to an open
 * widget directly; a contact with none gets the message queued for their next visit.
 */
export class WidgetPresence {
  readonly #open = new Map<string, Map<string, number>>();

  join(tenantId: string, contactId: string, conversationId: string): () => void {
    const key = `${tenantId}:${contactId}`;
    const conversations = this.#open.get(key) ?? new Map<string, number>();
    conversations.set(conversationId, (conversations.get(conversationId) ?? 0) + 1);
    this.#open.set(key, conversations);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const count = (conversations.get(conversationId) ?? 1) - 1;
      if (count > 0) conversations.set(conversationId, count);
      else conversations.delete(conversationId);
      if (conversations.size === 0) this.#open.delete(key);
    };
  }

  /** The conversations the contact has open right now, most recently opened last. */
  openConversations(tenantId: string, contactId: string): string[] {
    return [...(this.#open.get(`${tenantId}:${contactId}`)?.keys() ?? [])];
  }

  get size(): number {
    return this.#open.size;
  }
}

/** This process's registry (sockets live in the process that accepted them). */
export const widgetPresence = new WidgetPresence();

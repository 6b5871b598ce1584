import type { ConversationStatus } from '../store/schema.js';

/**
 * The one table of allowed status changes. `pending` means waiting for a person; a new customer
 * message reopens a resolved conversation.
 */
const TRANSITIONS: Record<ConversationStatus, readonly ConversationStatus[]> = {
  open: ['pending', 'resolved', 'snoozed'],
  pending: ['open', 'resolved', 'snoozed'],
  snoozed: ['open', 'pending', 'resolved'],
  resolved: ['open', 'pending'],
};

export function canTransition(from: ConversationStatus, to: ConversationStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

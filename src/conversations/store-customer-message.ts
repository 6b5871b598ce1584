import { randomUUID } from 'node:crypto';
import { ErrorCodes } from '../errors/index.js';
import { appendUsage, inboundUsage, type UsageEntry } from '../metering/index.js';
import type { Db } from '../store/database.js';
import type { ConversationsTable, MessageRow } from '../store/schema.js';
import { parseDialogueState, type VersionedDialogueState } from './dialogue-state.js';
import { insertMessageOnce, type NewMessage } from './messages-repository.js';
import { notFound } from './not-found.js';

export interface CustomerMessageInput {
  tenantId: string;
  conversationId: string;
  text: string;
  externalId?: string;
  apiKeyId?: string;
  /** The id the turn answering this message will get (and its trace). */
  turnId: string;
}

export interface StoredCustomerMessage {
  inbound: MessageRow;
  /** False when a person owns the conversation: the message is stored and the bot stays quiet. */
  botAnswers: boolean;
  /** The contact's profile, as playbooks read it (`contact.phone`). */
  contact: Record<string, unknown>;
  /** The dialogue state the turn starts from, with the version its write must match. */
  dialogue: VersionedDialogueState;
  /** The ledger rows committed with the message. */
  usage: UsageEntry[];
}

/** The conversation as a turn starts from it: who answers, the contact, the dialogue state. */
export interface ConversationForTurn {
  status: ConversationsTable['status'];
  contactId: string;
  /** False when a person owns the conversation: the message is stored and the bot stays quiet. */
  botAnswers: boolean;
  contact: Record<string, unknown>;
  dialogue: VersionedDialogueState;
}

/**
 * Reads the conversation a customer message goes to. With `forUpdate` it takes the conversation's
 * row lock, which orders this message against a reply being stored concurrently; without, it is a
 * plain read (the one-commit turn checks the dialogue state's version when it stores).
 */
export async function readConversationForTurn(
  db: Db,
  tenantId: string,
  conversationId: string,
  options: { forUpdate: boolean },
): Promise<ConversationForTurn> {
  const conversation = await db
    .selectFrom('conversations')
    .innerJoin('contacts', (join) =>
      join
        .onRef('contacts.id', '=', 'conversations.contact_id')
        .onRef('contacts.tenant_id', '=', 'conversations.tenant_id'),
    )
    .select([
      'conversations.status',
      'conversations.contact_id',
      'conversations.assignee_kind',
      'conversations.state',
      'conversations.state_version',
      'contacts.name',
      'contacts.phone',
      'contacts.email',
      'contacts.attributes',
    ])
    .where('conversations.tenant_id', '=', tenantId)
    .where('conversations.id', '=', conversationId)
    .$if(options.forUpdate, (query) => query.forUpdate(['conversations']))
    .executeTakeFirst();
  if (!conversation) throw notFound(ErrorCodes.conversationNotFound, 'conversation');
  const { name, phone, email, attributes } = conversation;
  return {
    status: conversation.status,
    contactId: conversation.contact_id,
    botAnswers: conversation.assignee_kind !== 'agent',
    contact: { id: conversation.contact_id, name, phone, email, ...(attributes as Record<string, unknown>) },
    dialogue: { ...parseDialogueState(conversation.state), version: conversation.state_version },
  };
}

/** The customer's message as it is stored, its id assigned here. */
export function inboundMessage(
  input: CustomerMessageInput,
  conversation: Pick<ConversationForTurn, 'contactId' | 'botAnswers'>,
): NewMessage & { id: string } {
  const { tenantId, conversationId, text } = input;
  return {
    id: randomUUID(),
    tenantId,
    conversationId,
    direction: 'incoming',
    visibility: 'public',
    sender: { kind: 'contact', id: conversation.contactId },
    parts: [{ type: 'text', text }],
    text,
    externalId: input.externalId ?? null,
    // Only a message the bot will answer points at a turn; recovery looks for ones without a trace.
    turnId: conversation.botAnswers ? input.turnId : null,
  };
}

/** The ledger rows of a stored customer message. */
export function customerMessageUsage(input: CustomerMessageInput, inbound: MessageRow): UsageEntry[] {
  return inboundUsage({
    messageId: inbound.id,
    conversationId: input.conversationId,
    turnId: inbound.turn_id,
    text: input.text,
    apiKeyId: input.apiKeyId ?? null,
    idempotencyKey: input.externalId ?? null,
  });
}

/**
 * Inserts the customer's message (in the caller's transaction) and returns it with its ledger
 * rows, not yet written. Undefined when the message's idempotency key is already taken.
 */
export async function insertCustomerMessage(
  trx: Db,
  input: CustomerMessageInput,
  conversation: Pick<ConversationForTurn, 'contactId' | 'botAnswers'>,
): Promise<{ inbound: MessageRow; usage: UsageEntry[] } | undefined> {
  const inbound = await insertMessageOnce(trx, inboundMessage(input, conversation));
  if (!inbound) return undefined;
  return { inbound, usage: customerMessageUsage(input, inbound) };
}

/**
 * Stores the customer's message and bills it in one transaction; once this returns the message is
 * durable, whatever happens to the turn. Undefined when the message's idempotency key is already
 * taken (a retry, or a concurrent copy that won the insert). Loads nothing but rows, so a tenant
 * whose models are still loading does not delay it.
 */
export async function storeCustomerMessage(
  db: Db,
  input: CustomerMessageInput,
): Promise<StoredCustomerMessage | undefined> {
  const { tenantId, conversationId } = input;
  return db.transaction().execute(async (trx) => {
    const conversation = await readConversationForTurn(trx, tenantId, conversationId, { forUpdate: true });
    const inserted = await insertCustomerMessage(trx, input, conversation);
    if (!inserted) return undefined;
    // Billed in the same transaction as the message it counts.
    await appendUsage(trx, tenantId, inserted.usage);
    if (conversation.status === 'resolved' || !conversation.botAnswers) {
      // A new message reopens a resolved conversation; with a person on it, no turn will touch the row.
      await trx
        .updateTable('conversations')
        .set({
          status: conversation.status === 'resolved' ? 'open' : conversation.status,
          last_message_at: new Date(),
          updated_at: new Date(),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', conversationId)
        .execute();
    }
    return {
      inbound: inserted.inbound,
      botAnswers: conversation.botAnswers,
      contact: conversation.contact,
      dialogue: conversation.dialogue,
      usage: inserted.usage,
    };
  });
}

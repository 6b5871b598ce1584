import { randomUUID } from 'node:crypto';
import type { ChatMessage } from '../llm/index.js';
import type { Db } from '../store/database.js';
import type { MessagePart, MessageRow, MessagesTable } from '../store/schema.js';

/** A message to store; the id, seq and time are assigned here and by the database. */
export interface NewMessage {
  tenantId: string;
  conversationId: string;
  direction: MessagesTable['direction'];
  visibility: MessagesTable['visibility'];
  sender: { kind: MessagesTable['sender_kind']; id: string | null };
  parts: MessagePart[];
  /** The plain text of the parts, for search, history and billing by size. */
  text: string;
  externalId?: string | null;
  turnId?: string | null;
}

/** The row of a new message, its id assigned here (its seq and time by the database). */
export function messageValues(message: NewMessage & { id?: string }) {
  return {
    id: message.id ?? randomUUID(),
    tenant_id: message.tenantId,
    conversation_id: message.conversationId,
    direction: message.direction,
    visibility: message.visibility,
    sender_kind: message.sender.kind,
    sender_id: message.sender.id,
    content: JSON.stringify(message.parts),
    text: message.text,
    external_id: message.externalId ?? null,
    turn_id: message.turnId ?? null,
  };
}

/** Stores one message (every message this folder writes goes through here). */
export async function insertMessage(db: Db, message: NewMessage): Promise<MessageRow> {
  return db.insertInto('messages').values(messageValues(message)).returningAll().executeTakeFirstOrThrow();
}

/**
 * Stores a message that carries a client's idempotency key; undefined when a message with that
 * key is already in the conversation (a retry, or a concurrent copy that won the insert).
 */
export async function insertMessageOnce(db: Db, message: NewMessage): Promise<MessageRow | undefined> {
  return db
    .insertInto('messages')
    .values(messageValues(message))
    .onConflict((conflict) =>
      conflict
        .columns(['tenant_id', 'conversation_id', 'external_id'])
        .where('external_id', 'is not', null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

export async function findMessageByExternalId(
  db: Db,
  tenantId: string,
  conversationId: string,
  externalId: string,
): Promise<MessageRow | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

export async function findMessage(db: Db, tenantId: string, messageId: string): Promise<MessageRow | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', messageId)
    .executeTakeFirst();
}

/** The last public messages before `beforeSeq` (null: the latest), oldest first, as model messages. */
export async function recentHistory(
  db: Db,
  tenantId: string,
  conversationId: string,
  beforeSeq: string | null,
  limit = 6,
): Promise<ChatMessage[]> {
  const rows = await db
    .selectFrom('messages')
    .select(['direction', 'text'])
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .where('visibility', '=', 'public')
    .$if(beforeSeq !== null, (query) => query.where('seq', '<', beforeSeq as never))
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows
    .reverse()
    .map((row) => ({ role: row.direction === 'incoming' ? 'user' : 'assistant', content: row.text.slice(0, 2000) }));
}

import type { Db } from '../store/database.js';
import type { ConversationRow } from '../store/schema.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { toConversation, toMessage, type Conversation, type Message } from './mappers.js';

// Reads of conversations and their messages that other capabilities (the agent console, the
// hand-off) need. Plain functions over `db` or a transaction, so a caller can use them inside its own.

function conversationNotFound(): KefuError {
  // The same answer whether the conversation does not exist or belongs to another tenant.
  return new KefuError(ErrorCodes.conversationNotFound, 'conversation not found', { status: 404 });
}

/** The conversation's row; 404 when it is not the tenant's. */
export async function requireConversation(db: Db, tenantId: string, conversationId: string): Promise<ConversationRow> {
  const row = await db
    .selectFrom('conversations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', conversationId)
    .executeTakeFirst();
  if (!row) throw conversationNotFound();
  return row;
}

/**
 * Locks the conversation row inside `trx` (404 when it is not the tenant's). A turn takes the same
 * lock first, so messages of one conversation commit in seq order and live streams see no gaps.
 */
export async function lockConversation(trx: Db, tenantId: string, conversationId: string): Promise<void> {
  const row = await trx
    .selectFrom('conversations')
    .select(['id'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', conversationId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw conversationNotFound();
}

/** Conversations by id, in one query. */
export async function conversationsById(
  db: Db,
  tenantId: string,
  conversationIds: readonly string[],
): Promise<Map<string, Conversation>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('conversations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...conversationIds])
    .execute();
  return new Map(rows.map((row) => [row.id, toConversation(row)]));
}

/** The latest public message of each conversation (one query); `sentBy: 'contact'`: the customer's latest. */
export async function lastPublicMessages(
  db: Db,
  tenantId: string,
  conversationIds: readonly string[],
  options: { sentBy?: 'contact' } = {},
): Promise<Map<string, Message>> {
  if (conversationIds.length === 0) return new Map();
  let query = db
    .selectFrom('messages')
    .selectAll()
    .distinctOn('conversation_id')
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', 'in', [...conversationIds])
    .where('visibility', '=', 'public');
  if (options.sentBy) query = query.where('sender_kind', '=', options.sentBy);
  const rows = await query.orderBy('conversation_id').orderBy('seq', 'desc').execute();
  return new Map(rows.map((row) => [row.conversation_id, toMessage(row)]));
}

/** The last `limit` messages of a conversation, public and internal, oldest first. */
export async function recentMessages(
  db: Db,
  tenantId: string,
  conversationId: string,
  limit = 200,
): Promise<Message[]> {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map(toMessage);
}

import { randomUUID } from 'node:crypto';
import type { Db } from '../store/database.js';
import type { ConversationRow } from '../store/schema.js';
import { serializeDialogueState } from './dialogue-state.js';

/** Where a new conversation comes from: its channel (found or created) and its contact. */
export interface NewConversation {
  /** `id` when the caller already found the channel (saves a lookup). */
  channel?: { kind: string; name?: string; id?: string };
  contact?: { externalId?: string; name?: string; phone?: string; email?: string };
}

/**
 * Inserts a conversation with the display id reserved for it (src/conversations/display-ids.ts),
 * finding or creating its channel and contact (a contact known by its external id in that channel
 * is reused). Run it in a transaction.
 */
export async function insertConversation(
  trx: Db,
  tenantId: string,
  displayId: number,
  input: NewConversation,
): Promise<{ conversation: ConversationRow; contactCreated: boolean }> {
  const kind = input.channel?.kind ?? 'api';
  let channel = input.channel?.id
    ? { id: input.channel.id }
    : await trx
        .selectFrom('channels')
        .select(['id'])
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', kind)
        .$if(input.channel?.name !== undefined, (query) => query.where('name', '=', input.channel!.name!))
        .orderBy('created_at')
        .executeTakeFirst();
  if (!channel) {
    channel = { id: randomUUID() };
    await trx
      .insertInto('channels')
      .values({ id: channel.id, tenant_id: tenantId, kind, name: input.channel?.name ?? kind, config: '{}' })
      .execute();
  }
  let contactId: string | undefined;
  const externalId = input.contact?.externalId;
  if (externalId) {
    const identity = await trx
      .selectFrom('contact_identities')
      .select(['contact_id'])
      .where('tenant_id', '=', tenantId)
      .where('channel_id', '=', channel.id)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    contactId = identity?.contact_id;
  }
  const contactCreated = !contactId;
  if (!contactId) {
    contactId = randomUUID();
    await trx
      .insertInto('contacts')
      .values({
        id: contactId,
        tenant_id: tenantId,
        name: input.contact?.name ?? null,
        phone: input.contact?.phone ?? null,
        email: input.contact?.email ?? null,
        attributes: '{}',
      })
      .execute();
    if (externalId) {
      await trx
        .insertInto('contact_identities')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          channel_id: channel.id,
          contact_id: contactId,
          external_id: externalId,
        })
        .execute();
    }
  }
  const conversation = await trx
    .insertInto('conversations')
    .values({
      id: randomUUID(),
      tenant_id: tenantId,
      display_id: displayId,
      channel_id: channel.id,
      contact_id: contactId,
      status: 'open',
      assignee_kind: 'bot',
      assignee_id: null,
      state: serializeDialogueState({}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { conversation, contactCreated };
}

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
    // Two first conversations of a tenant may create its channel at once: one insert wins, and
    // both use the row (the other insert waits for it, then does nothing).
    const name = input.channel?.name ?? kind;
    await trx
      .insertInto('channels')
      .values({ id: randomUUID(), tenant_id: tenantId, kind, name, config: '{}' })
      .onConflict((conflict) => conflict.columns(['tenant_id', 'kind', 'name']).doNothing())
      .execute();
    channel = await trx
      .selectFrom('channels')
      .select(['id'])
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', kind)
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
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
  let contactCreated = !contactId;
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
      const identity = await trx
        .insertInto('contact_identities')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          channel_id: channel.id,
          contact_id: contactId,
          external_id: externalId,
        })
        .onConflict((conflict) => conflict.columns(['channel_id', 'external_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!identity) {
        // The same new customer's first two conversations at once: the other one created the
        // contact; this one joins it and drops the contact it had just made.
        await trx.deleteFrom('contacts').where('tenant_id', '=', tenantId).where('id', '=', contactId).execute();
        const existing = await trx
          .selectFrom('contact_identities')
          .select(['contact_id'])
          .where('tenant_id', '=', tenantId)
          .where('channel_id', '=', channel.id)
          .where('external_id', '=', externalId)
          .executeTakeFirstOrThrow();
        contactId = existing.contact_id;
        contactCreated = false;
      }
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

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../store/database.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import {
  conversationsById,
  lastPublicMessages,
  lockConversation,
  recentMessages,
  requireConversation,
} from './conversation-reads.js';

// The reads the agent console and the hand-off make of conversations, on a real migrated
// database. Another tenant's conversation must look exactly like a missing one.

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
}, 60_000);
afterAll(async () => database?.dispose());

async function tenantWithConversations(count: number) {
  const tenantId = randomUUID();
  await db
    .insertInto('tenants')
    .values({
      id: tenantId,
      slug: `t-${tenantId.slice(0, 8)}`,
      name: '商店',
      locale: 'zh-TW',
      domain: 'retail',
      status: 'active',
      settings: '{}',
    })
    .execute();
  const channelId = randomUUID();
  await db
    .insertInto('channels')
    .values({ id: channelId, tenant_id: tenantId, kind: 'api', name: 'API', config: '{}' })
    .execute();
  const contactId = randomUUID();
  await db
    .insertInto('contacts')
    .values({ id: contactId, tenant_id: tenantId, name: '陳大文', phone: null, email: null, attributes: '{}' })
    .execute();
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const id = randomUUID();
    await db
      .insertInto('conversations')
      .values({
        id,
        tenant_id: tenantId,
        display_id: index + 1,
        channel_id: channelId,
        contact_id: contactId,
        status: 'open',
        assignee_kind: 'bot',
        assignee_id: null,
        state: '{}',
      })
      .execute();
    ids.push(id);
  }
  return { tenantId, ids };
}

async function say(
  tenantId: string,
  conversationId: string,
  text: string,
  visibility: 'public' | 'internal' = 'public',
) {
  await db
    .insertInto('messages')
    .values({
      id: randomUUID(),
      tenant_id: tenantId,
      conversation_id: conversationId,
      direction: visibility === 'public' ? 'incoming' : 'outgoing',
      visibility,
      sender_kind: visibility === 'public' ? 'contact' : 'agent',
      sender_id: null,
      content: JSON.stringify([{ type: 'text', text }]),
      text,
      external_id: null,
      turn_id: null,
    })
    .execute();
}

describe('conversation reads', () => {
  it('answers 404 alike for a missing conversation and another tenant’s', async () => {
    const mine = await tenantWithConversations(1);
    const theirs = await tenantWithConversations(1);
    expect((await requireConversation(db, mine.tenantId, mine.ids[0]!)).id).toBe(mine.ids[0]);
    for (const id of [theirs.ids[0]!, randomUUID()]) {
      await expect(requireConversation(db, mine.tenantId, id)).rejects.toMatchObject({
        code: 'CS_CONVERSATION_NOT_FOUND',
        status: 404,
      });
      await expect(db.transaction().execute((trx) => lockConversation(trx, mine.tenantId, id))).rejects.toMatchObject({
        status: 404,
      });
    }
    const found = await conversationsById(db, mine.tenantId, [mine.ids[0]!, theirs.ids[0]!]);
    expect([...found.keys()]).toEqual([mine.ids[0]]);
    expect(await conversationsById(db, mine.tenantId, [])).toEqual(new Map());
  });

  it('lists the latest messages oldest first, and the last public one of each conversation', async () => {
    const { tenantId, ids } = await tenantWithConversations(2);
    const [first, second] = ids as [string, string];
    for (const text of ['你好', '我想退貨', '訂單號 12345']) await say(tenantId, first, text);
    await say(tenantId, first, '内部备注：已核实', 'internal');
    await say(tenantId, second, 'Where is my parcel?');

    expect((await recentMessages(db, tenantId, first)).map((message) => message.text)).toEqual([
      '你好',
      '我想退貨',
      '訂單號 12345',
      '内部备注：已核实',
    ]);
    expect((await recentMessages(db, tenantId, first, 2)).map((message) => message.text)).toEqual([
      '訂單號 12345',
      '内部备注：已核实',
    ]);
    const last = await lastPublicMessages(db, tenantId, [first, second]);
    expect(last.get(first)?.text).toBe('訂單號 12345');
    expect(last.get(second)?.text).toBe('Where is my parcel?');
  });
});

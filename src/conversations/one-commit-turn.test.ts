import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../../test/support/test-kefu.js';
import type { DomainEvent } from '../bus/index.js';
import { ConversationService } from './conversation-service.js';
import type { TenantRuntimes } from './tenant-runtimes.js';

let kefu: TestKefu;
let tenantId: string;
beforeAll(async () => {
  kefu = await createTestKefu({ KEFU_NLU: 'lexical' });
  const tenant = await kefu.database.db
    .selectFrom('tenants')
    .select('id')
    .where('slug', '=', 'shop-zh')
    .executeTakeFirstOrThrow();
  tenantId = tenant.id;
});
afterAll(async () => kefu?.dispose());

function node(runtimes: TenantRuntimes = kefu.runtimes, oneCommitWindowMs?: number): ConversationService {
  return new ConversationService({
    db: kefu.database.db,
    bus: kefu.bus,
    runtimes,
    handoff: kefu.handoff,
    maxMessageChars: kefu.config.conversation.maxMessageChars,
    today: '2026-11-25',
    ...(oneCommitWindowMs === undefined ? {} : { oneCommitWindowMs }),
  });
}

/** The conversation's messages with the id of the transaction that wrote each (PostgreSQL's xmin). */
async function messagesWithTransaction(conversationId: string) {
  const { rows } = await sql<{ text: string; direction: string; turn_id: string | null; tx: string }>`
    select text, direction, turn_id, xmin::text as tx from messages
    where tenant_id = ${tenantId} and conversation_id = ${conversationId} order by seq`.execute(kefu.database.db);
  return rows;
}

function eventsOf(conversationId: string) {
  const seen: DomainEvent[] = [];
  const unsubscribe = kefu.bus.subscribe((event) => {
    if ('conversationId' in event && event.conversationId === conversationId) seen.push(event);
  });
  return { seen, unsubscribe };
}

describe('the one-commit turn', () => {
  it.each([
    ['Simplified', '运费怎么算？'],
    ['Traditional', '運費怎麼算？'],
    ['English', 'How much is shipping?'],
  ])('stores a %s question and its answer in one transaction, announced in order', async (_, text) => {
    const conversation = await kefu.conversations.createConversation(tenantId);
    const events = eventsOf(conversation.id);
    const result = await node().postCustomerMessage(tenantId, conversation.id, { text });
    events.unsubscribe();
    expect(result.reply?.text.length).toBeGreaterThan(0);
    const rows = await messagesWithTransaction(conversation.id);
    expect(rows.map((row) => row.direction)).toEqual(['incoming', 'outgoing']);
    expect(rows[0]!.tx).toBe(rows[1]!.tx);
    expect(rows[0]!.turn_id).toBe(result.turn!.id);
    // The customer's message is announced before its answer, and the answer's trace is stored.
    const created = events.seen.filter((event) => event.type === 'message.created');
    expect(created.map((event) => event.type === 'message.created' && event.messageId)).toEqual([
      result.message.id,
      result.reply!.id,
    ]);
    const trace = await kefu.conversations.getTrace(tenantId, result.turn!.traceId);
    expect(trace.inboundMessageId).toBe(result.message.id);
    // Both ledger rows (the message and the turn) are written.
    const ledger = await kefu.database.db
      .selectFrom('usage_ledger')
      .select('meter')
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversation.id)
      .execute();
    expect(ledger.map((row) => row.meter)).toEqual(
      expect.arrayContaining(['messages', 'storage.bytes', 'turns.light']),
    );
  });

  it('with the window at 0 commits the message first, in a transaction of its own', async () => {
    const conversation = await kefu.conversations.createConversation(tenantId);
    await node(kefu.runtimes, 0).postCustomerMessage(tenantId, conversation.id, { text: '运费怎么算？' });
    const rows = await messagesWithTransaction(conversation.id);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.tx).not.toBe(rows[1]!.tx);
  });

  it('reopens a resolved conversation when the message and answer commit together', async () => {
    const conversation = await kefu.conversations.createConversation(tenantId);
    await kefu.database.db
      .updateTable('conversations')
      .set({ status: 'resolved' })
      .where('id', '=', conversation.id)
      .execute();
    await node().postCustomerMessage(tenantId, conversation.id, { text: '怎么开发票' });
    const row = await kefu.database.db
      .selectFrom('conversations')
      .select('status')
      .where('id', '=', conversation.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('open');
  });

  it('keeps the bot quiet when a person takes the conversation over while the turn decides', async () => {
    const conversation = await kefu.conversations.createConversation(tenantId);
    const takeOverFirst: TenantRuntimes = {
      async get(id) {
        await kefu.database.db
          .updateTable('conversations')
          .set({ assignee_kind: 'agent' })
          .where('id', '=', conversation.id)
          .execute();
        return kefu.runtimes.get(id);
      },
    };
    const result = await node(takeOverFirst).postCustomerMessage(tenantId, conversation.id, {
      text: 'How much is shipping?',
    });
    expect(result).toMatchObject({ reply: null, turn: null, message: { text: 'How much is shipping?' } });
    const rows = await messagesWithTransaction(conversation.id);
    expect(rows.map((row) => [row.direction, row.turn_id])).toEqual([['incoming', null]]);
  });

  it('answers a retry with the same idempotency key with the first result, stored once', async () => {
    const conversation = await kefu.conversations.createConversation(tenantId);
    const service = node();
    const [first, second] = await Promise.all([
      service.postCustomerMessage(tenantId, conversation.id, { text: '優惠券怎麼用', externalId: 'retry-1' }),
      node().postCustomerMessage(tenantId, conversation.id, { text: '優惠券怎麼用', externalId: 'retry-1' }),
    ]).then((results) => results.sort((a, b) => Number(a.duplicate) - Number(b.duplicate)));
    expect(first!.duplicate).toBe(false);
    expect(second!.duplicate).toBe(true);
    expect(second!.message.id).toBe(first!.message.id);
    const rows = await messagesWithTransaction(conversation.id);
    expect(rows.filter((row) => row.direction === 'incoming')).toHaveLength(1);
  });

  it('stores concurrent turns of many conversations in shared transactions, each turn whole', async () => {
    const service = node();
    const texts = ['运费怎么算？', '運費怎麼算？', 'How much is shipping?', '怎么开发票', '優惠券怎麼用'];
    const conversations = await Promise.all(
      Array.from({ length: 20 }, () => kefu.conversations.createConversation(tenantId)),
    );
    const results = await Promise.all(
      conversations.map((conversation, index) =>
        service.postCustomerMessage(tenantId, conversation.id, { text: texts[index % texts.length]! }),
      ),
    );
    const transactions = new Set<string>();
    for (const [index, conversation] of conversations.entries()) {
      const rows = await messagesWithTransaction(conversation.id);
      expect(rows.map((row) => row.direction)).toEqual(['incoming', 'outgoing']);
      expect(rows[0]!.tx).toBe(rows[1]!.tx);
      expect(rows[1]!.text).toBe(results[index]!.reply!.text);
      transactions.add(rows[0]!.tx);
      const trace = await kefu.conversations.getTrace(tenantId, results[index]!.turn!.traceId);
      expect(trace.inboundMessageId).toBe(results[index]!.message.id);
    }
    // Turns that queued while a write was in flight went together in the next one.
    expect(transactions.size).toBeLessThan(conversations.length);
    const states = await kefu.database.db
      .selectFrom('conversations')
      .select('state_version')
      .where(
        'id',
        'in',
        conversations.map((conversation) => conversation.id),
      )
      .execute();
    expect(states.every((row) => row.state_version === 1)).toBe(true);
  });

  it('decides a turn again when another node wrote its state, without holding back the turns batched with it', async () => {
    const conversations = await Promise.all(
      Array.from({ length: 6 }, () => kefu.conversations.createConversation(tenantId)),
    );
    const [moved] = conversations;
    let bumped = false;
    // Another node writes the first conversation's state while this node's turns are deciding.
    const otherNodeWrites: TenantRuntimes = {
      async get(id) {
        if (!bumped) {
          bumped = true;
          await kefu.database.db
            .updateTable('conversations')
            .set((update) => ({ state_version: update('state_version', '+', 1) }))
            .where('id', '=', moved!.id)
            .execute();
        }
        return kefu.runtimes.get(id);
      },
    };
    const service = node(otherNodeWrites);
    const results = await Promise.all(
      conversations.map((conversation) =>
        service.postCustomerMessage(tenantId, conversation.id, { text: '会员积分有什么用' }),
      ),
    );
    for (const [index, conversation] of conversations.entries()) {
      expect(results[index]!.reply?.text.length).toBeGreaterThan(0);
      const rows = await messagesWithTransaction(conversation.id);
      expect(rows.map((row) => row.direction)).toEqual(['incoming', 'outgoing']);
    }
    const row = await kefu.database.db
      .selectFrom('conversations')
      .select('state_version')
      .where('id', '=', moved!.id)
      .executeTakeFirstOrThrow();
    // The other node's write and this turn's: nothing was overwritten.
    expect(row.state_version).toBe(2);
  });
});

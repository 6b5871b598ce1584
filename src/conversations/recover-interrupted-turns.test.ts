import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../../test/support/test-kefu.js';

let kefu: TestKefu;
beforeAll(async () => {
  kefu = await createTestKefu({ KEFU_NLU: 'lexical' });
});
afterAll(async () => kefu?.dispose());

describe('interrupted turns', () => {
  it('answers a message whose turn died mid-way with a hand-over, once, and leaves fresh ones alone', async () => {
    const tenant = await kefu.database.db
      .selectFrom('tenants')
      .select('id')
      .where('slug', '=', 'shop-zh')
      .executeTakeFirstOrThrow();
    const conversation = await kefu.conversations.createConversation(tenant.id);
    // What a crash between the two commits leaves: the customer's message, pointing at a turn that never got stored.
    const turnId = randomUUID();
    await kefu.database.db
      .insertInto('messages')
      .values({
        id: randomUUID(),
        tenant_id: tenant.id,
        conversation_id: conversation.id,
        direction: 'incoming',
        visibility: 'public',
        sender_kind: 'contact',
        sender_id: null,
        content: JSON.stringify([{ type: 'text', text: '在吗' }]),
        text: '在吗',
        external_id: null,
        turn_id: turnId,
      })
      .execute();
    expect(await kefu.conversations.recoverInterruptedTurns(60_000)).toBe(0);
    expect(await kefu.conversations.recoverInterruptedTurns(0)).toBe(1);
    const messages = await kefu.conversations.listMessages(tenant.id, conversation.id, {
      limit: 10,
      includeInternal: false,
    });
    expect(messages.map((message) => [message.direction, message.turnId])).toEqual([
      ['incoming', turnId],
      ['outgoing', turnId],
    ]);
    expect(messages[1]!.parts).toContainEqual({
      type: 'handoff',
      reason: 'turn interrupted: the process stopped before replying',
    });
    const trace = await kefu.conversations.getTrace(tenant.id, turnId);
    expect(trace).toMatchObject({ route: 'human', trace: { recovered: true } });
    expect((await kefu.conversations.getConversation(tenant.id, conversation.id)).status).toBe('pending');
    expect(await kefu.conversations.recoverInterruptedTurns(0)).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../../test/support/test-kefu.js';
import { recordCsat } from './csat.js';

// A rating is for help a person gave: while the customer still waits in the queue there is none.
let kefu: TestKefu;
beforeAll(async () => {
  kefu = await createTestKefu();
}, 180_000);
afterAll(async () => kefu?.dispose());

describe('customer ratings', () => {
  it('are refused while the hand-off waits, and accepted once a person has the conversation', async () => {
    const headers = { authorization: `Bearer ${kefu.keyOf('shop-zh')}` };
    const conversation = (await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers })).json();
    const posted = await kefu.app.inject({
      method: 'POST',
      url: `/v1/conversations/${conversation.id}/messages`,
      headers,
      payload: { text: '我要投訴，轉人工' },
    });
    expect(posted.json().turn.route).toBe('human');
    const tenantId =
      conversation.tenantId ??
      (
        await kefu.database.db
          .selectFrom('conversations')
          .select('tenant_id')
          .where('id', '=', conversation.id)
          .executeTakeFirstOrThrow()
      ).tenant_id;
    const input = { tenantId, conversationId: conversation.id as string, score: 5, comment: '还没人理我' };
    await expect(recordCsat(kefu.database.db, input)).rejects.toMatchObject({
      code: 'CS_CSAT_UNAVAILABLE',
      status: 409,
    });

    await kefu.database.db
      .updateTable('handoffs')
      .set({ status: 'closed', closed_at: new Date() })
      .where('conversation_id', '=', conversation.id)
      .execute();
    const rated = await recordCsat(kefu.database.db, { ...input, comment: '很满意' });
    expect(rated).toMatchObject({ created: true, rating: { score: 5, comment: '很满意', duplicate: false } });
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../../../test/support/test-kefu.js';

let kefu: TestKefu;

beforeAll(async () => {
  kefu = await createTestKefu();
});
afterAll(async () => kefu?.dispose());

async function session(tenant = 'shop-zh') {
  const response = await kefu.app.inject({ method: 'POST', url: '/widget/v1/sessions', payload: { tenant } });
  expect(response.statusCode).toBe(201);
  return response.json() as { token: string; conversationId: string };
}

/** A widget conversation the bot handed to a person (an assist route opens a handoff). */
async function handedOver() {
  const widget = await session();
  const posted = await kefu.app.inject({
    method: 'POST',
    url: `/v1/conversations/${widget.conversationId}/messages`,
    headers: { authorization: `Bearer ${kefu.keyOf('shop-zh')}` },
    payload: { text: '质量问题怎么赔？' },
  });
  expect(posted.json().turn.route).not.toBe('auto');
  // Nothing to rate while the customer still waits in the queue.
  expect((await rate(widget, { score: 5 })).statusCode).toBe(409);
  // A person handled it and closed it.
  await kefu.database.db
    .updateTable('handoffs')
    .set({ status: 'closed', closed_at: new Date() })
    .where('conversation_id', '=', widget.conversationId)
    .execute();
  return widget;
}

const rate = (widget: { token: string; conversationId: string }, payload: unknown, token = widget.token) =>
  kefu.app.inject({
    method: 'POST',
    url: `/widget/v1/conversations/${widget.conversationId}/csat`,
    headers: { authorization: `Bearer ${token}` },
    payload: payload as object,
  });

describe('widget CSAT', () => {
  it('stores one 1–5 rating per handoff as a handoff event; a repeat answers with the first', async () => {
    const widget = await handedOver();
    const first = await rate(widget, { score: 5, comment: '  客服很耐心，謝謝！ ' });
    expect(first.statusCode).toBe(201);
    expect(first.headers['access-control-allow-origin']).toBe('*');
    expect(first.json()).toMatchObject({ score: 5, comment: '客服很耐心，謝謝！', duplicate: false });
    const again = await rate(widget, { score: 1 });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ score: 5, duplicate: true });
    const rows = await kefu.database.db
      .selectFrom('handoff_events')
      .select(['kind', 'actor', 'details'])
      .where('conversation_id', '=', widget.conversationId)
      .where('kind', '=', 'csat')
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'contact' });
    expect(typeof rows[0].details === 'string' ? JSON.parse(rows[0].details) : rows[0].details).toEqual({
      score: 5,
      comment: '客服很耐心，謝謝！',
    });
  });

  it('answers a CORS preflight from a shop page', async () => {
    const widget = await session();
    const preflight = await kefu.app.inject({
      method: 'OPTIONS',
      url: `/widget/v1/conversations/${widget.conversationId}/csat`,
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
  });

  it('refuses a conversation no person handled, scores out of range, bad tokens and other visitors', async () => {
    const fresh = await session();
    const none = await rate(fresh, { score: 4 });
    expect(none.statusCode).toBe(409);
    expect(none.json().code).toBe('CS_CSAT_UNAVAILABLE');

    const widget = await handedOver();
    for (const payload of [
      { score: 0 },
      { score: 6 },
      { score: 3.5 },
      { score: '5' },
      {},
      { score: 4, comment: '长'.repeat(501) },
      { score: 4, extra: true },
    ]) {
      const response = await rate(widget, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().code).toBe('CS_VALIDATION_FAILED');
    }
    expect((await rate(widget, { score: 4 }, 'kefu_wt_forged.signature')).statusCode).toBe(401);
    expect(
      (
        await kefu.app.inject({
          method: 'POST',
          url: `/widget/v1/conversations/${widget.conversationId}/csat`,
          payload: { score: 4 },
        })
      ).statusCode,
    ).toBe(401);
    // Another visitor's valid token cannot rate this conversation: the same 404 as a missing one.
    const stranger = await session();
    const foreign = await rate(widget, { score: 1 }, stranger.token);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('CS_CONVERSATION_NOT_FOUND');
    const other = await session('bank-zh');
    expect((await rate(widget, { score: 1 }, other.token)).statusCode).toBe(404);
  });

  it('a suspended tenant takes no ratings (403), and does again once resumed', async () => {
    const widget = await handedOver();
    const db = kefu.database.db;
    await db.updateTable('tenants').set({ status: 'suspended' }).where('slug', '=', 'shop-zh').execute();
    try {
      const refused = await rate(widget, { score: 2, comment: 'service stopped' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().code).toBe('CS_TENANT_SUSPENDED');
    } finally {
      await db.updateTable('tenants').set({ status: 'active' }).where('slug', '=', 'shop-zh').execute();
    }
    expect((await rate(widget, { score: 4 })).statusCode).toBe(201);
  });
});

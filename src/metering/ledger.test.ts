import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../../test/support/test-kefu.js';
import { tenantIdOf } from '../../test/support/test-plans.js';
import { createApiKey } from '../tenancy/index.js';

/**
 * The usage ledger is written in the same transaction as the work it measures: a message is billed
 * with its commit, a turn with its reply, and a retried POST is billed once.
 */
let kefu: TestKefu;
let shop: string;
let bank: string;
const auth = (slug = 'shop-zh') => ({ authorization: `Bearer ${kefu.keyOf(slug)}` });

beforeAll(async () => {
  kefu = await createTestKefu({ KEFU_NLU: 'lexical' });
  shop = await tenantIdOf(kefu.database.db, 'shop-zh');
  bank = await tenantIdOf(kefu.database.db, 'bank-zh');
});
afterAll(async () => kefu?.dispose());

async function startConversation(slug = 'shop-zh'): Promise<string> {
  const response = await kefu.app.inject({
    method: 'POST',
    url: '/v1/conversations',
    headers: auth(slug),
    payload: {},
  });
  expect(response.statusCode).toBe(201);
  return response.json().id;
}

function ledgerOf(conversationId: string) {
  return kefu.database.db
    .selectFrom('usage_ledger')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('id')
    .execute();
}

describe('usage ledger', () => {
  it('bills each message with its commit and each turn with its reply (简体, 繁體, English)', async () => {
    const conversationId = await startConversation();
    const texts = ['运费怎么算？', '運費怎麼算？', 'How much is shipping?'];
    for (const text of texts) {
      const response = await kefu.app.inject({
        method: 'POST',
        url: `/v1/conversations/${conversationId}/messages`,
        headers: auth(),
        payload: { text },
      });
      expect(response.statusCode).toBe(201);
    }
    const rows = await ledgerOf(conversationId);
    expect(rows.every((row) => row.tenant_id === shop)).toBe(true);
    const sum = (meter: string) =>
      rows.filter((row) => row.meter === meter).reduce((total, row) => total + Number(row.quantity), 0);
    const messages = await kefu.database.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .execute();
    const traces = await kefu.database.db
      .selectFrom('turn_traces')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .execute();
    expect(sum('messages')).toBe(messages.filter((message) => message.direction === 'incoming').length);
    expect(sum('messages')).toBe(texts.length);
    const turnRows = rows.filter((row) => row.meter.startsWith('turns.'));
    expect(turnRows.map((row) => row.turn_id).sort()).toEqual(traces.map((trace) => trace.id).sort());
    for (const trace of traces) {
      const row = turnRows.find((candidate) => candidate.turn_id === trace.id)!;
      expect(row.meter).toBe(trace.route === 'assist' ? 'turns.assist' : `turns.${trace.tier}`);
    }
    // Storage counts the UTF-8 bytes of every stored message, as PostgreSQL measures them.
    const { bytes } = await sql<{
      bytes: string;
    }>`select coalesce(sum(octet_length(text)), 0) as bytes from messages where conversation_id = ${conversationId}`
      .execute(kefu.database.db)
      .then((result) => result.rows[0]!);
    expect(sum('storage.bytes')).toBe(Number(bytes));
    // The API key that sent the message is on its row.
    const key = await kefu.database.db
      .selectFrom('api_keys')
      .select('id')
      .where('tenant_id', '=', shop)
      .where('name', '=', 'demo')
      .executeTakeFirstOrThrow();
    expect(rows.filter((row) => row.meter === 'messages').every((row) => row.api_key_id === key.id)).toBe(true);
  });

  it('bills a POST retried with the same Idempotency-Key once, sequentially and concurrently', async () => {
    const conversationId = await startConversation();
    const post = (key: string, text: string) =>
      kefu.app.inject({
        method: 'POST',
        url: `/v1/conversations/${conversationId}/messages`,
        headers: { ...auth(), 'idempotency-key': key },
        payload: { text },
      });
    const first = await post('retry-1', '怎么退货？');
    const second = await post('retry-1', '怎么退货？');
    expect([first.statusCode, second.statusCode]).toEqual([201, 200]);
    expect(second.json().duplicate).toBe(true);
    const concurrent = await Promise.all([
      post('retry-2', 'Return policy?'),
      post('retry-2', 'Return policy?'),
      post('retry-2', 'Return policy?'),
    ]);
    expect(concurrent.filter((response) => response.statusCode === 201)).toHaveLength(1);
    const rows = await ledgerOf(conversationId);
    const messageRows = rows.filter((row) => row.meter === 'messages');
    expect(messageRows.map((row) => row.idempotency_key).sort()).toEqual(['retry-1', 'retry-2']);
    expect(rows.filter((row) => row.meter.startsWith('turns.'))).toHaveLength(2);
  });

  it('never bills a turn whose reply did not commit, and keeps the message that did (abort between the commits)', async () => {
    const conversationId = await startConversation();
    const db = kefu.database.db;
    // The reply transaction dies at its trace insert, as a crash at that point would leave it.
    await sql`create function fail_turn_trace() returns trigger language plpgsql as $$ begin raise exception 'simulated crash'; end $$`.execute(
      db,
    );
    await sql`create trigger fail_turn_trace before insert on turn_traces for each row execute function fail_turn_trace()`.execute(
      db,
    );
    try {
      const response = await kefu.app.inject({
        method: 'POST',
        url: `/v1/conversations/${conversationId}/messages`,
        headers: auth(),
        payload: { text: '在吗？' },
      });
      expect(response.statusCode).toBe(500);
    } finally {
      await sql`drop trigger fail_turn_trace on turn_traces`.execute(db);
      await sql`drop function fail_turn_trace()`.execute(db);
    }
    const messages = await db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .execute();
    expect(messages.map((message) => message.direction)).toEqual(['incoming']);
    let rows = await ledgerOf(conversationId);
    expect(rows.map((row) => row.meter).sort()).toEqual(['messages', 'storage.bytes']);
    expect(rows.find((row) => row.meter === 'messages')!.message_id).toBe(messages[0]!.id);

    // Recovery answers the customer with a hand-over; kefu's own crash is not billed as a turn.
    expect(await kefu.conversations.recoverInterruptedTurns(0)).toBeGreaterThanOrEqual(1);
    rows = await ledgerOf(conversationId);
    expect(rows.filter((row) => row.meter.startsWith('turns.'))).toEqual([]);
    expect(rows.filter((row) => row.meter === 'messages')).toHaveLength(1);
  });

  it('stores no reply when its usage rows cannot be written (the bill and the work commit together)', async () => {
    const conversationId = await startConversation();
    const db = kefu.database.db;
    await sql`create function fail_turn_usage() returns trigger language plpgsql as $$ begin if new.meter like 'turns.%' then raise exception 'simulated ledger failure'; end if; return new; end $$`.execute(
      db,
    );
    await sql`create trigger fail_turn_usage before insert on usage_ledger for each row execute function fail_turn_usage()`.execute(
      db,
    );
    try {
      const response = await kefu.app.inject({
        method: 'POST',
        url: `/v1/conversations/${conversationId}/messages`,
        headers: auth(),
        payload: { text: 'How much is shipping?' },
      });
      expect(response.statusCode).toBe(500);
    } finally {
      await sql`drop trigger fail_turn_usage on usage_ledger`.execute(db);
      await sql`drop function fail_turn_usage()`.execute(db);
    }
    const messages = await db
      .selectFrom('messages')
      .select(['direction'])
      .where('conversation_id', '=', conversationId)
      .execute();
    expect(messages.map((message) => message.direction)).toEqual(['incoming']);
    expect(
      await db.selectFrom('turn_traces').select('id').where('conversation_id', '=', conversationId).execute(),
    ).toEqual([]);
    expect((await ledgerOf(conversationId)).map((row) => row.meter).sort()).toEqual(['messages', 'storage.bytes']);
  });

  it('is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    const db = kefu.database.db;
    const before = await db
      .selectFrom('usage_ledger')
      .select(sql<string>`count(*)`.as('count'))
      .executeTakeFirstOrThrow();
    expect(Number(before.count)).toBeGreaterThan(0);
    await expect(sql`update usage_ledger set quantity = 0`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from usage_ledger`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate usage_ledger`.execute(db)).rejects.toThrow(/append-only/);
    const after = await db
      .selectFrom('usage_ledger')
      .select(sql<string>`count(*)`.as('count'))
      .executeTakeFirstOrThrow();
    expect(after.count).toBe(before.count);
  });

  it('shows a tenant only its own usage and bill (cross-tenant)', async () => {
    const shopUsage = (await kefu.app.inject({ url: '/v1/usage', headers: auth('shop-zh') })).json();
    const bankUsage = (await kefu.app.inject({ url: '/v1/usage', headers: auth('bank-zh') })).json();
    expect(shopUsage.tenantId).toBe(shop);
    expect(bankUsage.tenantId).toBe(bank);
    const counted = async (tenantId: string) =>
      Number(
        (
          await kefu.database.db
            .selectFrom('usage_ledger')
            .select(sql<string>`coalesce(sum(quantity), 0)`.as('total'))
            .where('tenant_id', '=', tenantId)
            .where('meter', '=', 'messages')
            .executeTakeFirstOrThrow()
        ).total,
      );
    expect(shopUsage.messages).toBe(await counted(shop));
    expect(bankUsage.messages).toBe(await counted(bank));
    expect(shopUsage.messages).toBeGreaterThan(bankUsage.messages);
    const period = new Date().toISOString().slice(0, 7);
    const bankBill = await kefu.app.inject({ url: `/v1/billing/${period}`, headers: auth('bank-zh') });
    expect(bankBill.statusCode).toBe(200);
    expect(bankBill.json()).toMatchObject({ tenantId: bank, ledger: { quantities: { messages: bankUsage.messages } } });
    expect(JSON.stringify(bankBill.json())).not.toContain(shop);
  });

  it('serves the bill as CSV and refuses malformed periods and ranges with problem+json', async () => {
    const period = new Date().toISOString().slice(0, 7);
    const csv = await kefu.app.inject({ url: `/v1/billing/${period}?format=csv`, headers: auth() });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const json = (await kefu.app.inject({ url: `/v1/billing/${period}`, headers: auth() })).json();
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(json.lines.length + 2);
    expect(lines.at(-1)).toContain(String(json.totalMicros));
    const byAccept = await kefu.app.inject({
      url: `/v1/billing/${period}`,
      headers: { ...auth(), accept: 'text/csv' },
    });
    expect(byAccept.headers['content-type']).toMatch(/^text\/csv/);
    expect(byAccept.body).toBe(csv.body);
    for (const bad of ['2026-13', 'latest', '2026-1']) {
      const response = await kefu.app.inject({ url: `/v1/billing/${bad}`, headers: auth() });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().code).toBe('CS_BILLING_PERIOD_INVALID');
    }
    const backwards = await kefu.app.inject({
      url: '/v1/usage?from=2026-11-20T00:00:00Z&to=2026-11-01T00:00:00Z',
      headers: auth(),
    });
    expect(backwards.statusCode).toBe(400);
    expect((await kefu.app.inject({ url: '/v1/usage?from=yesterday', headers: auth() })).statusCode).toBe(400);
    expect(
      (await kefu.app.inject({ url: '/v1/usage?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', headers: auth() }))
        .statusCode,
    ).toBe(400);
    // analytics:read is needed: a chat-only key is refused.
    const chatOnly = await createApiKey(kefu.database.db, shop, { name: 'chat-only', scopes: ['chat'] });
    expect(
      (await kefu.app.inject({ url: `/v1/billing/${period}`, headers: { authorization: `Bearer ${chatOnly.key}` } }))
        .statusCode,
    ).toBe(403);
  });
});

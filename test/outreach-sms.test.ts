import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from './support/test-kefu.js';

/**
 * The SMS connector (docs/personal.md, "SMS"): a rule with channel `sms` sends to the business's
 * SMS gateway, here a simulator on 127.0.0.1 started by the test that checks each request's HMAC
 * signature and fails on purpose. Failures are retried with backoff; nothing is sent twice.
 */

const SECRET = 'sms-gateway-secret-0123456789';

interface Received {
  key: string;
  body: { id: string; to: string; from?: string; text: string; event: { type: string } | null };
  accepted: boolean;
}

/** The gateway: verifies the signature, then fails the first try of each message (or every try in `failAll`). */
function startGateway(): Promise<{ server: Server; url: string; received: Received[]; failAll: { on: boolean } }> {
  const received: Received[] = [];
  const failAll = { on: false };
  const tries = new Map<string, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(request.headers['x-kefu-timestamp'] ?? '');
      const signature = String(request.headers['x-kefu-signature'] ?? '');
      const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${raw}`).digest('hex')}`;
      const valid =
        signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
      if (!valid) {
        response.writeHead(401).end();
        return;
      }
      const key = String(request.headers['idempotency-key']);
      const attempt = (tries.get(key) ?? 0) + 1;
      tries.set(key, attempt);
      const accepted = !failAll.on && attempt > 1;
      received.push({ key, body: JSON.parse(raw), accepted });
      response.writeHead(accepted ? 200 : 503, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, received, failAll }),
    ),
  );
}

describe('outreach through the SMS gateway', () => {
  let kefu: TestKefu;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let auth: { authorization: string };
  let tenantId: string;

  beforeAll(async () => {
    gateway = await startGateway();
    kefu = await createTestKefu({ KEFU_WEBHOOK_ALLOW_PRIVATE: 'true' });
    auth = { authorization: `Bearer ${kefu.keyOf('shop-zh')}` };
    tenantId = (
      await kefu.database.db.selectFrom('tenants').select('id').where('slug', '=', 'shop-zh').executeTakeFirstOrThrow()
    ).id;
    const outreach = {
      quiet_hours: { start: '00:00', end: '00:00' },
      cap: { per_day: 5, per_week: 20 },
      sms: { url: gateway.url, secret: SECRET, sender: '小满优品', attempts: 3, backoff_ms: 20 },
      rules: [
        {
          name: 'order-delayed',
          event: 'order.delayed',
          template: {
            'zh-CN': '{{contact.name | "您"}}您好，订单 {{event.order_no}} 会晚到，抱歉。',
            en: 'Hi {{contact.name | "there"}}, order {{event.order_no}} is running late. Sorry.',
          },
          channels: ['widget', 'sms'],
          cap: { per_day: 2 },
        },
      ],
    };
    await sql`update tenants set settings = settings || ${JSON.stringify({ outreach })}::jsonb where id = ${tenantId}`.execute(
      kefu.database.db,
    );
    for (const [id, name, phones, locale] of [
      ['S1', '林晓雨', ['13800571001'], 'zh-CN'],
      ['S2', '陳美玲', ['+886 912 345 678'], 'zh-TW'],
      ['S3', 'Emily', ['+1 415 555 0100'], 'en'],
      ['S4', '无电话', [], 'zh-CN'],
      ['S5', '洪水', ['13800571005'], 'zh-CN'],
    ] as const) {
      const created = await kefu.app.inject({
        method: 'POST',
        url: '/v1/contacts',
        headers: auth,
        payload: { name, phones, locale, externalIds: [{ id }] },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
  }, 240_000);
  afterAll(async () => {
    await kefu?.dispose();
    await new Promise((resolve) => gateway?.server.close(resolve));
  });

  async function event(externalId: string, orderNo: string) {
    const response = await kefu.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: { type: 'order.delayed', contact: { externalId }, payload: { order_no: orderNo } },
    });
    expect(response.statusCode, response.body).toBe(202);
    return response.json<{
      eventId: string;
      deliveries: Array<{ status: string; channel: string; reason: string | null }>;
    }>();
  }

  const delivery = (eventId: string) =>
    kefu.database.db
      .selectFrom('outreach_deliveries')
      .select(['id', 'status', 'reason', 'delivered_at', 'channel'])
      .where('tenant_id', '=', tenantId)
      .where('event_id', '=', eventId)
      .executeTakeFirstOrThrow();

  it('sends in each contact’s language, signed, retried after a failure, and once only', async () => {
    const sent = [
      await event('S1', 'XM20261201001'),
      await event('S2', 'XM20261201002'),
      await event('S3', 'XM20261201003'),
    ];
    for (const result of sent)
      expect(result.deliveries).toEqual([expect.objectContaining({ status: 'sms', channel: 'sms' })]);
    await kefu.jobs.drain();
    const rows = await Promise.all(sent.map((result) => delivery(result.eventId)));
    for (const row of rows) expect(row).toMatchObject({ status: 'sms', reason: null, delivered_at: expect.any(Date) });
    const ids = rows.map((row) => row.id);
    // Each message: a refused first try, then one accepted send.
    for (const id of ids) {
      const tries = gateway.received.filter((entry) => entry.key === id);
      expect(tries.map((entry) => entry.accepted)).toEqual([false, true]);
      expect(tries[0]!.body).toEqual(tries[1]!.body);
    }
    const bodies = ids.map((id) => gateway.received.find((entry) => entry.key === id && entry.accepted)!.body);
    expect(bodies.map((body) => [body.to, body.text, body.from])).toEqual([
      ['13800571001', '林晓雨您好，订单 XM20261201001 会晚到，抱歉。', '小满优品'],
      ['+886912345678', '陳美玲您好，訂單 XM20261201002 會晚到，抱歉。', '小满优品'],
      ['+14155550100', 'Hi Emily, order XM20261201003 is running late. Sorry.', '小满优品'],
    ]);
    expect(bodies[0]!.event).toMatchObject({ type: 'order.delayed' });
  });

  it('never sends a delivery twice, even when its job runs again', async () => {
    const { eventId } = await event('S1', 'XM20261201009');
    await kefu.jobs.drain();
    const row = await delivery(eventId);
    const before = gateway.received.length;
    await kefu.jobs.enqueue('outreach.sms-send', { tenantId, deliveryId: row.id });
    await kefu.jobs.drain();
    expect(gateway.received.length).toBe(before);
    expect(gateway.received.filter((entry) => entry.key === row.id && entry.accepted)).toHaveLength(1);
  });

  it('holds a flood to the cap: concurrent events become at most two messages', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => event('S5', `XM2026120110${index}`)));
    await kefu.jobs.drain();
    const statuses = results.map((result) => result.deliveries[0]!.status).sort();
    expect(statuses.filter((status) => status === 'sms')).toHaveLength(2);
    expect(statuses.filter((status) => status === 'skipped')).toHaveLength(6);
    const accepted = gateway.received.filter((entry) => entry.accepted && entry.body.to === '13800571005');
    expect(accepted).toHaveLength(2);
    expect(new Set(accepted.map((entry) => entry.key)).size).toBe(2);
  });

  it('gives up after the last attempt and marks the delivery failed', async () => {
    gateway.failAll.on = true;
    try {
      const { eventId } = await event('S3', 'XM20261201020');
      await kefu.jobs.drain();
      const row = await delivery(eventId);
      expect(row).toMatchObject({ status: 'failed', reason: 'sms: HTTP 503', delivered_at: null });
      expect(gateway.received.filter((entry) => entry.key === row.id)).toHaveLength(3);
    } finally {
      gateway.failAll.on = false;
    }
  });

  it('does not text a contact without a phone number', async () => {
    const result = await event('S4', 'XM20261201030');
    expect(result.deliveries).toEqual([expect.objectContaining({ status: 'skipped', reason: 'no_channel' })]);
  });
});

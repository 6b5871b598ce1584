import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/test-database.js';
import { startWebhookReceiver } from '../../test/support/webhook-receiver.js';
import { createTenant } from '../tenancy/index.js';
import { appendUsage, UsageWebhooks } from './index.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.dispose());

async function newTenant(): Promise<string> {
  const slug = `hook-${randomUUID().slice(0, 8)}`;
  return (await createTenant(database.db, { slug, name: `网络钩子 ${slug}` })).id;
}

describe('usage webhooks', () => {
  it('retries a failed delivery with backoff, logs every attempt, and signs each attempt afresh', async () => {
    const receiver = await startWebhookReceiver((index) => (index < 2 ? 503 : 200));
    try {
      const webhooks = new UsageWebhooks(database.db, { allowPrivateNetwork: true, backoffMs: [30, 30, 30] });
      const tenantId = await newTenant();
      const { secret } = await webhooks.configure(tenantId, receiver.url);
      const id = await webhooks.emit(tenantId, 'quota.threshold', 'quota.threshold:messages:2026-11:80', {
        meter: 'messages',
        threshold: 80,
        used: 80,
        limit: 100,
      });
      expect(id).toMatch(/^msg_/);
      await webhooks.idle();
      let [delivery] = await webhooks.deliveries(tenantId);
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 503, lastError: 'HTTP 503' });
      for (let round = 0; round < 20 && delivery!.status === 'pending'; round += 1) {
        await new Promise((resolve) => setTimeout(resolve, 40));
        await webhooks.deliverDue();
        [delivery] = await webhooks.deliveries(tenantId);
      }
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200, lastError: null });
      expect(receiver.received).toHaveLength(3);
      // Same webhook-id on every attempt (receivers dedupe on it), each one verifiable.
      expect(new Set(receiver.received.map((request) => request.headers['webhook-id']))).toEqual(new Set([id]));
      for (const request of receiver.received) {
        expect(new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).toMatchObject({
          type: 'quota.threshold',
          data: { tenantId, meter: 'messages', threshold: 80 },
        });
      }
      // The same event again is not sent twice.
      expect(await webhooks.emit(tenantId, 'quota.threshold', 'quota.threshold:messages:2026-11:80', {})).toBeNull();
    } finally {
      await receiver.close();
    }
  });

  it('gives up after the last retry and keeps the failure in the log', async () => {
    const receiver = await startWebhookReceiver(() => 500);
    try {
      const webhooks = new UsageWebhooks(database.db, { allowPrivateNetwork: true, backoffMs: [10] });
      const tenantId = await newTenant();
      await webhooks.configure(tenantId, receiver.url);
      await webhooks.emit(tenantId, 'usage.summary', 'usage.summary:2026-11-24', {});
      await webhooks.idle();
      await new Promise((resolve) => setTimeout(resolve, 30));
      await webhooks.deliverDue();
      const [delivery] = await webhooks.deliveries(tenantId);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 2, lastStatus: 500 });
      expect(await webhooks.deliverDue()).toBe(0);
      expect(receiver.received).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });

  it('sends each tenant its usage of the previous UTC day, once', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const webhooks = new UsageWebhooks(database.db, { allowPrivateNetwork: true });
      const tenantId = await newTenant();
      const other = await newTenant();
      const { secret } = await webhooks.configure(tenantId, receiver.url);
      const yesterday = new Date(Date.UTC(2026, 10, 24, 15));
      await appendUsage(database.db, tenantId, [
        { meter: 'messages', quantity: 7, dedupeKey: randomUUID(), occurredAt: yesterday },
        { meter: 'llm.tokens_in', quantity: 1234, dedupeKey: randomUUID(), occurredAt: yesterday },
        { meter: 'messages', quantity: 2, dedupeKey: randomUUID(), occurredAt: new Date(Date.UTC(2026, 10, 25, 1)) },
      ]);
      await appendUsage(database.db, other, [
        { meter: 'messages', quantity: 99, dedupeKey: randomUUID(), occurredAt: yesterday },
      ]);
      const now = new Date(Date.UTC(2026, 10, 25, 3));
      expect(await webhooks.sendDailySummaries(now)).toBeGreaterThanOrEqual(1);
      await webhooks.idle();
      expect(await webhooks.sendDailySummaries(now)).toBe(0);
      const mine = receiver.received
        .map(
          (request) =>
            new Webhook(secret).verify(request.body, request.headers as Record<string, string>) as {
              type: string;
              data: any;
            },
        )
        .filter((event) => event.data.tenantId === tenantId);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        type: 'usage.summary',
        data: { day: '2026-11-24', usage: { messages: 7, 'llm.tokens_in': 1234 }, monthToDate: { messages: 7 } },
      });
    } finally {
      await receiver.close();
    }
  });

  it('ssrf: refuses loopback, private, link-local and IPv4-mapped IPv6 URLs when they are set', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const webhooks = new UsageWebhooks(database.db, { backoffMs: [] });
      const port = new URL(receiver.url).port;
      const internal = [
        receiver.url,
        'http://169.254.169.254/latest/meta-data',
        'http://10.0.0.8/hook',
        'http://[::1]:9/hook',
        `http://[::ffff:127.0.0.1]:${port}/`,
        `http://[::ffff:7f00:1]:${port}/`,
        `http://[64:ff9b::7f00:1]:${port}/`,
        `http://[::127.0.0.1]:${port}/`,
        `http://[2002:7f00:1::]:${port}/`,
        'http://0x7f000001/hook',
        'http://2130706433/hook',
        'http://127.1/hook',
      ];
      const tenantId = await newTenant();
      for (const url of internal) {
        await expect(webhooks.configure(tenantId, url), url).rejects.toMatchObject({
          code: 'CS_WEBHOOK_URL_INVALID',
          status: 400,
        });
      }
      expect(await webhooks.get(tenantId)).toBeNull();
      for (const url of ['ftp://example.com/hook', 'not a url', 'https://user:pass@example.com/hook']) {
        await expect(webhooks.configure(tenantId, url)).rejects.toMatchObject({
          code: 'CS_WEBHOOK_URL_INVALID',
          status: 400,
        });
      }
      expect(receiver.received).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('ssrf: a name that later resolves to an internal address is refused at delivery, and logs no internal status', async () => {
    const receiver = await startWebhookReceiver();
    try {
      let answers = 0;
      // The DNS rebinding pattern: public when the URL is set, loopback afterwards.
      const resolve = async () => (answers++ === 0 ? ['93.184.216.34'] : ['127.0.0.1']);
      const webhooks = new UsageWebhooks(database.db, { backoffMs: [], resolve });
      const tenantId = await newTenant();
      await webhooks.configure(tenantId, `http://rebind.example:${new URL(receiver.url).port}/hook`);
      await webhooks.emit(tenantId, 'usage.summary', `usage.summary:${randomUUID()}`, {});
      await webhooks.idle();
      const [delivery] = await webhooks.deliveries(tenantId);
      expect(delivery).toMatchObject({
        status: 'failed',
        lastStatus: null,
        lastError: expect.stringMatching(/non-public/),
      });
      expect(receiver.received).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('connects to the address it vetted, never resolving the name a second time', async () => {
    const receiver = await startWebhookReceiver();
    try {
      let lookups = 0;
      // "hooks.kefu.invalid" exists only in this resolver: a second, system lookup would fail.
      const resolve = async () => {
        lookups += 1;
        return ['127.0.0.1'];
      };
      const webhooks = new UsageWebhooks(database.db, { allowPrivateNetwork: true, backoffMs: [], resolve });
      const tenantId = await newTenant();
      await webhooks.configure(tenantId, `http://hooks.kefu.invalid:${new URL(receiver.url).port}/hook`);
      lookups = 0;
      await webhooks.emit(tenantId, 'usage.summary', `usage.summary:${randomUUID()}`, { 备注: '每日用量' });
      await webhooks.idle();
      const [delivery] = await webhooks.deliveries(tenantId);
      expect(delivery).toMatchObject({ status: 'delivered', lastStatus: 200 });
      expect(lookups).toBe(1);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});

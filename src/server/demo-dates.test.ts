import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPack } from '../packs/index.js';
import { DEMO_DATA_WRITTEN_FOR, datePackDataAsOf, demoToday } from './demo-dates.js';

const shop = loadPack(path.resolve(import.meta.dirname, '../../examples/packs/shop-zh')).pack!;

describe('demo data dated relative to today', () => {
  it('moves every date and date-time by the same whole days, keeping times, offsets and ids', () => {
    const moved = datePackDataAsOf(shop, '2027-03-01');
    const before = shop.tables.find((table) => table.name === 'orders')!.rows[0]!;
    const after = moved.tables.find((table) => table.name === 'orders')!.rows[0]!;
    expect(after.order_no).toBe(before.order_no);
    expect(after.amount).toBe(before.amount);
    const days = (Date.parse('2027-03-01') - Date.parse(DEMO_DATA_WRITTEN_FOR)) / 86_400_000;
    expect((Date.parse(after.promised_delivery_date!) - Date.parse(before.promised_delivery_date!)) / 86_400_000).toBe(
      days,
    );
    expect(after.ordered_at!.slice(10)).toBe(before.ordered_at!.slice(10));
    expect((Date.parse(after.ordered_at!) - Date.parse(before.ordered_at!)) / 86_400_000).toBe(days);
    const scans = moved.tables.find((table) => table.name === 'logistics')!.rows;
    expect(scans.every((row) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/.test(row.time!))).toBe(true);
  });

  it('leaves the pack alone on the day it was written for', () => {
    expect(datePackDataAsOf(shop, DEMO_DATA_WRITTEN_FOR)).toBe(shop);
  });

  it('takes today in China', () => {
    expect(demoToday(new Date('2026-12-04T17:30:00Z'))).toBe('2026-12-05');
  });
});

describe('the demo shop, tried on any day', () => {
  it('still has an order on its way in time, one late, and one delivered (not every parcel lost)', async () => {
    const { createTestKefu } = await import('../../test/support/test-kefu.js');
    const kefu = await createTestKefu({ KEFU_TODAY: '2027-03-01' });
    try {
      const key = kefu.keyOf('shop-zh');
      const ask = async (order: string) => {
        const headers = { authorization: `Bearer ${key}` };
        const conversation = (await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers })).json();
        const post = (text: string) =>
          kefu.app.inject({
            method: 'POST',
            url: `/v1/conversations/${conversation.id}/messages`,
            headers,
            payload: { text },
          });
        await post('我的订单到哪了');
        return (await post(`订单号 ${order}`)).json().reply.text as string;
      };
      expect(await ask('XM20261121001')).toMatch(/正常时效/);
      expect(await ask('XM20261119002')).toMatch(/晚了 1 天|超时 1 天/);
      expect(await ask('XM20261121003')).toMatch(/签收/);
      // And the replies say dates as people do: 「原定 2月23日 送达」, not an ISO timestamp.
      const late = await ask('XM20261115003');
      expect(late).toMatch(/原定 2月23日 送达/);
      expect(late).not.toMatch(/T\d{2}:\d{2}|\+08:00/);
    } finally {
      await kefu.dispose();
    }
  }, 180_000);
});

import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { assessDeliveryDelay, deliveryAssessTool } from './delivery-delay.js';

const event = (time: string, text = '运输中') => ({ time, location: '甘肃省兰州市', event: text });

describe('assessDeliveryDelay', () => {
  const base = { status: '运输中', promisedDate: '2026-11-19', today: '2026-11-25' };

  it('late by whole days, compensated from the second day past the promised date', () => {
    const late = (today: string) =>
      assessDeliveryDelay({ ...base, today, events: [event('2026-11-23T16:30:00+08:00')] });
    expect(late('2026-11-19')).toMatchObject({ state: 'on-time', daysLate: 0, compensationEligible: false });
    expect(late('2026-11-20')).toMatchObject({ state: 'late', daysLate: 1, compensationEligible: false });
    expect(late('2026-11-21')).toMatchObject({ state: 'late', daysLate: 2, compensationEligible: true });
    expect(late('2026-11-25')).toMatchObject({ state: 'late', daysLate: 6, daysSinceUpdate: 2 });
  });

  it('lost after the configured days without any update, and lost is always compensated', () => {
    const events = [
      event('2026-11-10T06:35:00+08:00', '到达郑州转运中心'),
      event('2026-11-08T17:45:00+08:00', '已揽收'),
    ];
    const lost = assessDeliveryDelay({ ...base, promisedDate: '2026-11-12', events });
    expect(lost).toMatchObject({ state: 'lost', daysSinceUpdate: 15, daysLate: 13, compensationEligible: true });
    // Events are sorted by time: the latest one is reported whatever the input order.
    expect(lost.lastEvent?.event).toBe('到达郑州转运中心');
    expect(
      assessDeliveryDelay({
        ...base,
        promisedDate: '2026-11-30',
        today: '2026-11-16',
        events,
        lostAfterDaysWithoutUpdate: 7,
      }).state,
    ).toBe('on-time');
  });

  it('delivered, not shipped, cancelled and returning orders are not delays', () => {
    const signed = assessDeliveryDelay({
      ...base,
      status: '运输中',
      events: [event('2026-11-21T12:00:00+08:00', '已签收，签收人：本人')],
    });
    expect(signed).toMatchObject({ state: 'delivered', daysLate: 2, compensationEligible: false });
    expect(assessDeliveryDelay({ ...base, status: '待发货', events: [] }).state).toBe('not-shipped');
    expect(assessDeliveryDelay({ ...base, status: '已取消', events: [] }).state).toBe('cancelled');
    expect(assessDeliveryDelay({ ...base, status: '退货中', events: [] }).state).toBe('returning');
  });

  it('rejects dates it cannot read', () => {
    expect(() => assessDeliveryDelay({ ...base, today: '25/11/2026', events: [] })).toThrow(RangeError);
    expect(() => assessDeliveryDelay({ ...base, promisedDate: '2026-02-30', events: [] })).toThrow(/promisedDate/);
  });
});

describe('delivery.assess on the shop-zh demo data (today = 2026-11-25)', () => {
  const read = (file: string) =>
    parse(readFileSync(new URL(`../../examples/packs/shop-zh/data/${file}`, import.meta.url), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
  const orders = read('orders.csv');
  const logistics = read('logistics.csv');
  const assess = (orderNo: string) => {
    const order = orders.find((row) => row.order_no === orderNo)!;
    return deliveryAssessTool.run({
      status: order.status,
      promised_date: order.promised_delivery_date,
      today: '2026-11-25',
      events: logistics.filter((row) => row.tracking_no === order.tracking_no),
      compensation_after_days: 2,
      lost_after_days_without_update: 7,
    });
  };

  it.each([
    ['XM20261108002', 'lost', true],
    ['XM20261115003', 'late', true], // 6 days late, stuck at 兰州
    ['XM20261117002', 'late', true], // 4 days late, no update since leaving 嘉兴
    ['XM20261118001', 'late', true], // 3 days late
    ['XM20261120004', 'late', true], // exactly 2 days late
    ['XM20261119002', 'late', false], // 1 day late: expedite only
    ['XM20261121001', 'on-time', false],
    ['XM20261122002', 'on-time', false],
    ['XM20261123004', 'on-time', false],
    ['XM20261124001', 'not-shipped', false],
    ['XM20261121003', 'delivered', false],
    ['XM20261103001', 'cancelled', false],
    ['XM20261105002', 'returning', false],
  ])('%s is %s (compensated: %s)', (orderNo, state, compensated) => {
    expect(assess(orderNo)).toMatchObject({ state, compensation_eligible: compensated });
  });

  it('reports snake_case fields for templates', () => {
    expect(assess('XM20261115003')).toEqual({
      state: 'late',
      days_late: 6,
      days_until_promised: 6,
      days_since_update: 2,
      last_event: {
        time: '2026-11-23T16:30:00+08:00',
        location: '甘肃省兰州市',
        event: '到达兰州城关区营业部，等待派送',
      },
      compensation_eligible: true,
    });
  });
});

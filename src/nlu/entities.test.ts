import { describe, expect, it } from 'vitest';
import { extractEntities, type Entity } from './index.js';

// Wednesday 13 March 2024, 10:00 local time.
const now = new Date(2024, 2, 13, 10, 0, 0);
const pick = (entities: Entity[]) =>
  entities.map(({ type, text, value, unit, name }) => ({
    type,
    text,
    value,
    ...(unit ? { unit } : {}),
    ...(name ? { name } : {}),
  }));

describe('extractEntities', () => {
  it('reads Chinese-numeral amounts with currency', () => {
    expect(pick(extractEntities('退我一千二百元', { now }))).toEqual([
      { type: 'amount', text: '一千二百元', value: 1200, unit: 'CNY' },
    ]);
    expect(pick(extractEntities('两万三块钱', { now }))).toEqual([
      { type: 'amount', text: '两万三块钱', value: 23000, unit: 'CNY' },
    ]);
    expect(pick(extractEntities('分期3.5万元', { now }))[0]).toMatchObject({ value: 35000, unit: 'CNY' });
    expect(pick(extractEntities('charged $12.50 twice', { now }))).toEqual([
      { type: 'amount', text: '$12.50', value: 12.5, unit: 'USD' },
    ]);
    expect(pick(extractEntities('转账¥1,200.50', { now }))[0]).toMatchObject({ value: 1200.5, unit: 'CNY' });
    expect(pick(extractEntities('100 euros', { now }))[0]).toMatchObject({ value: 100, unit: 'EUR' });
  });

  it('resolves relative dates against now', () => {
    expect(pick(extractEntities('我昨天下的单，上周五就付款了', { now }))).toEqual([
      { type: 'date', text: '昨天', value: '2024-03-12' },
      { type: 'date', text: '上周五', value: '2024-03-08' },
    ]);
    expect(extractEntities('下周一送到', { now })[0].value).toBe('2024-03-18');
    expect(extractEntities('星期天', { now })[0].value).toBe('2024-03-17');
    expect(extractEntities('上週五', { now })[0].value).toBe('2024-03-08');
    expect(extractEntities('it arrived yesterday', { now })[0].value).toBe('2024-03-12');
    expect(extractEntities('ordered last friday', { now })[0]).toMatchObject({
      text: 'last friday',
      value: '2024-03-08',
    });
    expect(extractEntities('上个月的账单', { now })[0].value).toBe('2024-02');
    expect(extractEntities('2024年1月5日', { now })[0].value).toBe('2024-01-05');
    expect(extractEntities('三月八号', { now })[0].value).toBe('2024-03-08');
  });

  it('finds phone numbers in common formats with digits-only values', () => {
    expect(pick(extractEntities('打我电话138-0013-8000', { now }))).toEqual([
      { type: 'phone', text: '138-0013-8000', value: '13800138000' },
    ]);
    expect(extractEntities('+86 138 0013 8000', { now })[0].value).toBe('13800138000');
    expect(extractEntities('座机010-12345678', { now })[0].value).toBe('01012345678');
    expect(extractEntities('金额12345678901234元', { now }).some((entity) => entity.type === 'phone')).toBe(false);
  });

  it('finds order numbers and tenant regexes', () => {
    expect(pick(extractEntities('订单SO20240101001还没发货', { now }))).toEqual([
      { type: 'order_number', text: 'SO20240101001', value: 'SO20240101001' },
    ]);
    expect(extractEntities('订单号：88812345678', { now })[0]).toMatchObject({
      type: 'order_number',
      value: '88812345678',
    });
    expect(extractEntities('order #so-20240101001', { now })[0]).toMatchObject({
      type: 'order_number',
      value: 'SO20240101001',
    });
    expect(pick(extractEntities('工单 TK-12345 进度', { now, regexes: { ticket: 'TK-(\\d{5})' } }))).toEqual([
      { type: 'regex', text: 'TK-12345', value: '12345', name: 'ticket' },
    ]);
    expect(extractEntities('anything', { now, regexes: { broken: '([' } })).toEqual([]);
  });

  it('finds card last-4 digits', () => {
    expect(pick(extractEntities('尾号1234的信用卡', { now }))).toEqual([
      { type: 'card_last4', text: '1234', value: '1234' },
    ]);
    expect(extractEntities('card ending in 9876', { now })[0]).toMatchObject({ type: 'card_last4', value: '9876' });
  });

  it('finds e-mail addresses and tenant lists with offsets into the original text', () => {
    const text = '我在帝都，邮箱 Foo.Bar@Example.com';
    const entities = extractEntities(text, { now, lists: { city: { 北京: ['帝都', 'beijing'] } } });
    expect(pick(entities)).toEqual([
      { type: 'list', text: '帝都', value: '北京', name: 'city' },
      { type: 'email', text: 'Foo.Bar@Example.com', value: 'foo.bar@example.com' },
    ]);
    for (const entity of entities) expect(text.slice(entity.start, entity.end)).toBe(entity.text);
  });

  it('keeps offsets right for full-width and Traditional input', () => {
    const text = '訂單ＳＯ２０２４０１０１００１，尾號１２３４';
    const entities = extractEntities(text, { now });
    expect(pick(entities)).toEqual([
      { type: 'order_number', text: 'ＳＯ２０２４０１０１００１', value: 'SO20240101001' },
      { type: 'card_last4', text: '１２３４', value: '1234' },
    ]);
  });

  it('returns nothing for empty or non-string input', () => {
    expect(extractEntities('', { now })).toEqual([]);
    expect(extractEntities(null as never)).toEqual([]);
  });
});

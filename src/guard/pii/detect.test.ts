import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectPii } from './detect.js';
import { evaluatePii } from './evaluate.js';
import { parseMarkedRows } from './marked-rows.js';
import { generatePiiRows } from './synthetic.js';

const found = (text: string) => detectPii(text).map((span) => [span.type, span.value]);
const types = (text: string) => detectPii(text).map((span) => span.type);

describe('detectPii: each type in Simplified, Traditional and English', () => {
  it('mobile numbers: +86, 0086, spaces, dashes, full-width, zero-width, Chinese numerals', () => {
    expect(found('我的手机是13800138000')).toEqual([['phone', '13800138000']]);
    expect(found('call me on +86 138 0013 8000 please')).toEqual([['phone', '+86 138 0013 8000']]);
    expect(found('手機：0086-139-1234-5678')).toEqual([['phone', '0086-139-1234-5678']]);
    expect(found('电话１３８－００１３－８０００')).toEqual([['phone', '１３８－００１３－８０００']]);
    expect(found('电话138\u200b0013\u200b8000')).toEqual([['phone', '138\u200b0013\u200b8000']]);
    expect(found('电话一三八零零一三八零零零')).toEqual([['phone', '一三八零零一三八零零零']]);
    expect(found('手機0912-345-678')).toEqual([['phone', '0912-345-678']]);
    expect(found('WhatsApp +852 9123 4567')).toEqual([['phone', '+852 9123 4567']]);
  });

  it('landlines with area codes and extensions', () => {
    expect(found('座机010-6552 1234转808')).toEqual([['landline', '010-6552 1234转808']]);
    expect(found('公司電話 (0755) 8666 8888')).toEqual([['landline', '(0755) 8666 8888']]);
    expect(found('office line +86 21 6123 4567')).toEqual([['landline', '+86 21 6123 4567']]);
    expect(found('分机0571-88886666-8012')).toEqual([['landline', '0571-88886666-8012']]);
  });

  it('resident IDs (18 with check digit, 15 old form), bank cards with Luhn', () => {
    expect(found('身份证11010519491231002X')).toEqual([['id_card', '11010519491231002X']]);
    expect(found('身份證號碼 310115 19921105 0045')).toEqual([['id_card', '310115 19921105 0045']]);
    expect(found('old ID 110105710923582')).toEqual([['id_card', '110105710923582']]);
    expect(found('卡号6222 0210 0211 2238')).toEqual([['bank_card', '6222 0210 0211 2238']]);
    expect(found('refund to 4367-4212-3456-7896')).toEqual([['bank_card', '4367-4212-3456-7896']]);
    expect(found('信用卡９５５８８００２００００１２３４５６２')).toEqual([
      ['bank_card', '９５５８８００２００００１２３４５６２'],
    ]);
  });

  it('email, passports and permits, Hong Kong and Taiwan IDs', () => {
    expect(found('邮箱Zhang.Wei@163.com收不到')).toEqual([['email', 'Zhang.Wei@163.com']]);
    expect(found('护照E81234567，港澳通行证C12345678')).toEqual([
      ['passport', 'E81234567'],
      ['passport', 'C12345678'],
    ]);
    expect(found('香港身份證 K123456(0)')).toEqual([['hk_id', 'K123456(0)']]);
    expect(found('身分證字號A123456789')).toEqual([['tw_id', 'A123456789']]);
    expect(found('HKID A123456(4)')).toEqual([]); // wrong check digit
  });

  it('addresses in Chinese (both scripts) and English', () => {
    expect(found('寄到北京市朝阳区建国路88号3栋2单元501室，谢谢')).toEqual([
      ['address', '北京市朝阳区建国路88号3栋2单元501室'],
    ]);
    expect(found('請寄到臺北市大安區忠孝東路四段123號5樓')).toEqual([['address', '臺北市大安區忠孝東路四段123號5樓']]);
    expect(found('送到九龍旺角彌敦道700號12樓B室')).toEqual([['address', '九龍旺角彌敦道700號12樓B室']]);
    expect(found('Ship to 123 Main Street, Apt 4B, Springfield, IL 62704.')).toEqual([
      ['address', '123 Main Street, Apt 4B, Springfield, IL 62704'],
    ]);
  });

  it('names after 我叫 / 收件人 / 联系人 / my name is, and in a shipping block', () => {
    expect(found('我叫王小明，想退货')).toEqual([['name', '王小明']]);
    expect(found('收件人：陳大文')).toEqual([['name', '陳大文']]);
    expect(found('My name is Emily Chen.')).toEqual([['name', 'Emily Chen']]);
    expect(types('张伟 13800138000')).toEqual(['name', 'phone']);
    expect(found('我是会员，我叫了三次客服')).toEqual([]);
    expect(found('I am really upset')).toEqual([]);
  });
});

describe('detectPii: hard negatives stay unmasked', () => {
  it.each([
    '订单号 2024120512345673 还没发货', // Luhn-valid order number
    '订单号 6212345678901232', // Luhn-valid, UnionPay-looking, but an order
    '单号SF1402938475612 显示已签收',
    '京东单号 JD0088123456789',
    '快递单号：75312345678901',
    'tracking number YT7531234567890',
    '包裹 EA123456789CN 到哪了',
    '共支付¥1,299.00，优惠券抵扣50元',
    '价格是13800元',
    '一共13,800.00元',
    '我2024年12月3日买的，2024-12-05到',
    '型号 BCD-13912345 的冰箱',
    'SKU 13912345678',
    '货号13912345678',
    '发票号码 04412345，发票代码 044031900111',
    '验证码 662817',
    '客服热线 400-820-8820',
    '工单编号 13800138000',
    'IMEI 356938035643809',
    '会员卡号 8888 6666 1234 5678',
    'invoice 202412050001',
  ])('%s', (text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('detectPii: several items in one message', () => {
  it('masks every item, not just the first', () => {
    const text =
      '我叫赵敏，身份证110108200102145672，电话156-1234-5678，卡号6217002860001231，' +
      '邮箱zm@qq.com，住北京市海淀区中关村大街27号1号楼502室，订单号2024120512345673';
    expect(types(text)).toEqual(['name', 'id_card', 'phone', 'bank_card', 'email', 'address']);
  });

  it('two phones separated by a space or a slash are two phones', () => {
    expect(found('13312345678 13412345678')).toEqual([
      ['phone', '13312345678'],
      ['phone', '13412345678'],
    ]);
    expect(types('两个号码：17712345678 / 19912345678')).toEqual(['phone', 'phone']);
  });

  it('offsets are UTF-16 code units of the original text, past astral characters', () => {
    const text = '😀😀 电话 13800138000';
    const [span] = detectPii(text);
    expect(text.slice(span.start, span.end)).toBe('13800138000');
    expect(span.start).toBe(text.indexOf('1'));
  });
});

describe('bad input', () => {
  it('is bounded on huge and pathological messages', () => {
    const started = performance.now();
    detectPii('北京市朝阳区'.repeat(5_000));
    detectPii('1 '.repeat(20_000));
    detectPii('a@'.repeat(20_000));
    const spans = detectPii(`${'你好'.repeat(10_000)}电话13800138000`);
    expect(spans.map((span) => span.type)).toEqual(['phone']);
    expect(performance.now() - started).toBeLessThan(8_000);
  });

  it('empty and non-string input', () => {
    expect(detectPii('')).toEqual([]);
    expect(detectPii(undefined as unknown as string)).toEqual([]);
  });
});

describe('labelled sets (the full synthetic run is bench:pii)', () => {
  it('the hand-written set, phrased apart from the generator', () => {
    const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__/handwritten.txt');
    const rows = parseMarkedRows(readFileSync(file, 'utf8'));
    expect(rows.length).toBeGreaterThanOrEqual(150);
    const result = evaluatePii(rows);
    expect(result.recall).toBeGreaterThanOrEqual(0.98);
    expect(result.precision).toBeGreaterThanOrEqual(0.98);
  });

  it('a 300-row synthetic sample with its seed', () => {
    const rows = generatePiiRows(300, 7);
    expect(rows.filter((row) => row.spans.length >= 2).length).toBeGreaterThan(100);
    const result = evaluatePii(rows);
    expect(result.recall).toBeGreaterThanOrEqual(0.995);
    expect(result.precision).toBeGreaterThanOrEqual(0.99);
  });
});

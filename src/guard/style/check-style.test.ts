import { describe, expect, it } from 'vitest';
import { checkStyle, compileStyleGuide, styleFileSchema, type StyleContext } from './index.js';

const guide = compileStyleGuide(
  styleFileSchema.parse({
    forbidden: ['亲亲', '系统就是这样'],
    replacements: { 亲亲: '您', 优惠卷: '优惠券' },
    phrases: [
      { phrase: '没办法', except: ['您没办法', '没办法签收'] },
      { phrase: 'calm down', replacement: 'I understand how frustrating this is' },
    ],
    competitors: [{ name: '京东', aliases: ['JD.com'], except: ['京东方'] }, 'Taobao'],
    greeting: { accept: ['您好', 'hello', 'hi'], text: { zh: '您好，', en: 'Hello! ' } },
    closing: {
      accept: ['感谢', '祝您', 'thank'],
      text: { zh: '感谢您的咨询！', en: 'Thank you for shopping with us!' },
    },
    emoji: { policy: 'none' },
    length: { max_chars_zh: 40, max_words_en: 20 },
  }),
);
const check = (text: string, context: StyleContext = {}) => checkStyle(text, guide, context);
const rules = (text: string, context: StyleContext = {}) =>
  check(text, context)
    .violations.map((v) => v.rule)
    .sort();

describe('the style checker and fixer (Simplified Chinese)', () => {
  it('passes a clean reply unchanged', () => {
    const result = check('您好，您的订单已发货，预计明天送达。');
    expect(result).toMatchObject({ passed: true, fixed: '您好，您的订单已发货，预计明天送达。', remaining: [] });
  });

  it('replaces forbidden phrases, addresses the customer as 您 and removes emoji', () => {
    const result = check('亲亲，你的订单已经发货啦😊 优惠卷已发放');
    expect(result.violations.map((v) => v.rule).sort()).toEqual(['address', 'emoji', 'forbidden', 'forbidden']);
    expect(result.fixed).toBe('您，您的订单已经发货啦优惠券已发放');
    expect(result.remaining).toEqual([]);
    const address = result.violations.find((v) => v.rule === 'address')!;
    expect(address.message).toContain('您');
    expect(address).toMatchObject({ match: '你', start: 3, end: 4 });
  });

  it('keeps 你 where 您 would be wrong: 你们, quotes, 迷你', () => {
    expect(rules('您说「你们发错货了」，我们马上处理；这款迷你杯和你们门店的一样。')).toEqual([]);
  });

  it('reports a forbidden phrase without a replacement as still to mend, but not inside its exceptions', () => {
    const result = check('这个真的没办法。');
    expect(result.remaining.map((v) => v.rule)).toEqual(['forbidden']);
    expect(result.remaining[0]!.suggestion).toMatch(/删去|换一种说法/);
    expect(rules('如果您没办法签收，可以改约时间。')).toEqual([]);
  });

  it('flags a competitor, suggests the reply without its sentence, and spares a longer word that contains it', () => {
    const result = check('京东也有卖。您的订单已发货。');
    expect(result.remaining[0]).toMatchObject({ rule: 'competitor', fix: null, suggestedText: '您的订单已发货。' });
    expect(rules('屏幕用的是京东方的面板。')).toEqual([]);
  });

  it('adds the greeting to a first reply and the sign-off to a closing message', () => {
    expect(check('订单已发货。', { firstReply: true }).fixed).toBe('您好，订单已发货。');
    expect(check('好的，已为您登记', { closing: true }).fixed).toBe('好的，已为您登记。感谢您的咨询！');
    expect(rules('您好，订单已发货。', { firstReply: true })).toEqual([]);
    // Greeting and sign-off rules apply only where they belong.
    expect(rules('订单已发货。')).toEqual([]);
  });

  it('flags a reply over the length limit, which no mechanical fix mends', () => {
    const result = check('非常抱歉'.repeat(12));
    expect(result.remaining.map((v) => v.rule)).toEqual(['length']);
  });

  it('reads zero-width characters and full-width forms as the phrase they hide', () => {
    expect(rules('亲\u200b亲，欢迎光临')).toEqual(['forbidden']);
    expect(check('亲\u200b亲，欢迎光临').fixed).toBe('您，欢迎光临');
    expect(rules('ＪＤ.ｃｏｍ 也有')).toEqual(['competitor']);
  });
});

describe('the style checker and fixer (Traditional Chinese)', () => {
  it('matches Simplified phrases in Traditional text and fixes them in Traditional', () => {
    const result = check('親親，妳的訂單已經發貨了，優惠卷已發放');
    expect(result.violations.map((v) => v.rule).sort()).toEqual(['address', 'forbidden', 'forbidden']);
    expect(result.fixed).toBe('您，您的訂單已經發貨了，優惠券已發放');
  });

  it('adds a Traditional greeting to a Traditional first reply', () => {
    expect(check('訂單已經發貨。', { firstReply: true }).fixed).toBe('您好，訂單已經發貨。');
  });

  it('flags 系統就是這樣 and 京東', () => {
    expect(rules('系統就是這樣，京東也一樣')).toEqual(['competitor', 'forbidden']);
  });
});

describe('the style checker and fixer (English)', () => {
  it('removes an over-familiar form of address, but not the same word as a noun', () => {
    expect(check('Thanks, buddy! Your parcel is on its way.').fixed).toBe('Thanks! Your parcel is on its way.');
    expect(check('Honey, your order shipped.').fixed).toBe('Your order shipped.');
    expect(rules('Our raw honey comes from a single farm.')).toEqual([]);
  });

  it('replaces a forbidden phrase and matches competitor names as whole words', () => {
    expect(check('Calm down, it will arrive.').fixed).toBe('I understand how frustrating this is, it will arrive.');
    expect(rules('You can find it on Taobao.')).toEqual(['competitor']);
    expect(rules('Our taobaoish style range')).toEqual([]);
  });

  it('counts words against the English limit and capitalises after a greeting', () => {
    expect(rules('word '.repeat(25).trim())).toEqual(['length']);
    expect(check('your order shipped', { firstReply: true }).fixed).toBe('Hello! Your order shipped');
    expect(check('Your order shipped.', { firstReply: true }).violations[0]!.rule).toBe('greeting');
    expect(rules('Hi, your order shipped.', { firstReply: true })).toEqual([]);
  });

  it('removes emoji and emoticons when the policy is none', () => {
    expect(check('Refund done! 🎉').fixed).toBe('Refund done!');
    expect(check('All sorted :)').fixed).toBe('All sorted');
    expect(rules('Call us 9:30–18:00 (weekdays).')).toEqual([]);
  });
});

describe('compliance rules', () => {
  const finance = { domain: 'finance' } as const;
  it('blocks promised returns in finance, and not a statement that returns are not promised', () => {
    for (const text of [
      '这款理财保本保息',
      '年化收益 4.5% 稳拿',
      '保證收益',
      'We guarantee returns of 5%.',
      'a risk-free investment',
    ])
      expect(check(text, finance).blocked, text).toBe(true);
    for (const text of [
      '本产品不保本，不保证收益。',
      '我们无法承诺任何收益。',
      'Returns are not guaranteed.',
      'We cannot guarantee returns.',
    ])
      expect(check(text, finance).passed, text).toBe(true);
    expect(check('这款理财保本保息').passed).toBe(true);
  });

  it('blocks account data before the customer is verified, and allows it after', () => {
    const text = '您的可用额度为 32,000 元。';
    expect(check(text, finance).violations.map((v) => v.rule)).toEqual(['account_data']);
    expect(check(text, { ...finance, verified: true }).passed).toBe(true);
    expect(check('年费为 200 元，最低还款额为账单金额的 10%。', finance).passed).toBe(true);
    expect(check('Your statement balance is 3,280.50 yuan.', finance).blocked).toBe(true);
  });

  it('blocks a diagnosis or a prescription in medical, and not a referral to a doctor', () => {
    const medical = { domain: 'medical' } as const;
    for (const text of [
      '您这是急性肠胃炎',
      '建议您服用布洛芬缓释胶囊',
      '您這是感冒',
      'You most likely have a sinus infection.',
      'Take 400 mg of ibuprofen.',
    ])
      expect(check(text, medical).blocked, text).toBe(true);
    for (const text of [
      '我们无法在线诊断，建议您尽快就医。',
      '药品请遵医嘱服用。',
      'You have an appointment at 9:30.',
      '您是要预约皮肤科还是过敏专科？',
    ])
      expect(check(text, medical).passed, text).toBe(true);
  });

  it('says what broke in the reader’s language', () => {
    const english = checkStyle('这款理财保本保息', guide, { domain: 'finance', readerLocale: 'en' });
    expect(english.violations[0]!.message).toMatch(/^Finance compliance/);
    const chinese = checkStyle('这款理财保本保息', guide, { domain: 'finance', readerLocale: 'zh-CN' });
    expect(chinese.violations[0]!.message).toMatch(/^金融合规/);
  });
});

describe('bad input', () => {
  it('checks a huge message with thousands of violations in linear time', () => {
    const huge = '亲亲，你的订单已发货😊 Thanks, buddy! 京东也有。'.repeat(3000);
    const started = performance.now();
    const result = check(huge, { domain: 'finance' });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result.violations.filter((v) => v.rule === 'competitor')).toHaveLength(3000);
    expect(result.fixed).not.toContain('亲亲');
    expect(result.fixed).not.toContain('buddy');
  });

  it('ignores an empty or blank message', () => {
    expect(check('   ').passed).toBe(true);
  });
});

describe('stored guides of the original format', () => {
  it('reads forbidden phrases and replacements as before', () => {
    const legacy = compileStyleGuide({ forbidden: ['七天'], replacements: { 您好: '您好呀' }, exemplary_replies: [] });
    expect(checkStyle('您好！七天内可退', legacy).fixed).toBe('您好呀！七天内可退');
    expect(checkStyle('您好！七天内可退', legacy).remaining.map((v) => v.match)).toEqual(['七天']);
  });
});

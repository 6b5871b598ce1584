import { describe, expect, it } from 'vitest';
import { menuPrompt, spokenAmounts, stripMarkup, toSpeechText } from '../../src/voice/index.js';
import {
  dateToEnglish,
  integerToChinese,
  integerToEnglish,
  yuanToChinese,
  yuanToEnglish,
} from '../../src/voice/spoken-numbers.js';
import {
  basicAuthorization,
  kefuSignature,
  parseTarget,
  renderHttapi,
  renderTwiml,
  twilioSignature,
  verifyTwilioSignature,
} from '../../src/voice/index.js';

describe('Chinese numerals for the ear', () => {
  it.each([
    [0, '零'],
    [10, '十'],
    [12, '十二'],
    [110, '一百一十'],
    [1079, '一千零七十九'],
    [12000, '一万二千'],
    [100010, '十万零一十'],
    [20260000, '二千零二十六万'],
    [100000000, '一亿'],
  ])('%d → %s', (value, spoken) => expect(integerToChinese(value)).toBe(spoken));

  it('reads money in 元角分', () => {
    expect(yuanToChinese('1,079.20')).toBe('一千零七十九元二角');
    expect(yuanToChinese('5.05')).toBe('五元零五分');
    expect(yuanToChinese('12000')).toBe('一万二千元');
    expect(yuanToChinese('0.5')).toBe('零元五角');
  });
});

describe('English numbers for the ear', () => {
  it('reads integers, money and dates', () => {
    expect(integerToEnglish(1079)).toBe('one thousand and seventy-nine');
    expect(integerToEnglish(12000)).toBe('twelve thousand');
    expect(yuanToEnglish('1,079.20')).toBe('one thousand and seventy-nine yuan and twenty cents');
    expect(dateToEnglish('2026', 11, 25)).toBe('November twenty-fifth, twenty twenty-six');
  });
});

describe('toSpeechText', () => {
  it('removes markdown, links and emoji (zh-CN)', () => {
    const spoken = toSpeechText('退款 **¥1,079.20** 已提交 😊 详见 [订单](https://shop.example.com/o/1)', 'zh-CN');
    expect(spoken).toBe('退款一千零七十九元二角已提交，详见订单。');
  });

  it('reads order numbers, dates and phone numbers digit by digit (zh-CN)', () => {
    const spoken = toSpeechText(
      '订单 XM20261115003 预计 2026-11-28 送达，客服电话 400-820-8820，手机 13800138000。',
      'zh-CN',
    );
    expect(spoken).toContain('X M 二零二六幺幺幺五零零三');
    expect(spoken).toContain('二〇二六年十一月二十八日');
    expect(spoken).toContain('四零零八二零八八二零');
    expect(spoken).toContain('幺三八零零幺三八零零零');
    expect(spoken).not.toMatch(/\d/);
  });

  it('reads amounts, percentages and periods (zh-CN)', () => {
    expect(toSpeechText('12000元分12期，每期手续费率0.6%，每月还1,072元', 'zh-CN')).toBe(
      '一万二千元分十二期，每期手续费率百分之零点六，每月还一千零七十二元。',
    );
    expect(toSpeechText('分 2 期也可以', 'zh-CN')).toBe('分两期也可以。');
  });

  it('speaks Traditional Chinese for zh-HK', () => {
    const spoken = toSpeechText('您的訂單將於 11月28日 送達，金額 1,079.20 元，共 12000 元', 'zh-HK');
    expect(spoken).toContain('十一月二十八日');
    expect(spoken).toContain('一千零七十九元二角');
    expect(spoken).toContain('一萬二千元');
    expect(spoken).not.toMatch(/\d/);
  });

  it('speaks English', () => {
    const spoken = toSpeechText(
      'Your refund of ¥1,079.20 for order XM20261115003 arrives on 2026-11-28. Call 400-820-8820. 😀',
      'en',
    );
    expect(spoken).toContain('one thousand and seventy-nine yuan and twenty cents');
    expect(spoken).toContain('X M, two zero two six one one one five zero zero three');
    expect(spoken).toContain('November twenty-eighth, twenty twenty-six');
    expect(spoken).toContain('four zero zero, eight two zero, eight eight two zero');
    expect(spoken).not.toMatch(/\d|😀/u);
  });

  it('keeps replies short, cutting at a sentence end', () => {
    const long = '这是第一句话，内容比较长一些。'.repeat(30);
    const spoken = toSpeechText(long, 'zh-CN', { maxChars: 40 });
    expect(spoken.length).toBeLessThanOrEqual(40);
    expect(spoken.endsWith('。')).toBe(true);
  });

  it('turns lists and headings into sentences', () => {
    expect(stripMarkup('## 退款\n- 第一步\n- 第二步')).toBe('退款。 第一步。 第二步。');
  });
});

describe('menus and confirmations', () => {
  it('turns quick replies into keypad menus', () => {
    expect(menuPrompt(['加急', '退款'], 'zh-CN')).toBe('按 1 加急，按 2 退款。');
    expect(menuPrompt(['Expedite', 'Refund'], 'en')).toBe('Press 1 for Expedite. Press 2 for Refund.');
    expect(menuPrompt(['加急', '退款'], 'zh-HK')).toBe('按 1 加急，按 2 退款。');
  });

  it('finds the amounts to confirm', () => {
    expect(spokenAmounts('确认退款 ¥1,079.20 吗？', 'zh-CN')).toEqual(['一千零七十九元二角']);
    expect(spokenAmounts('Refund ¥1,079.20?', 'en')).toEqual(['one thousand and seventy-nine yuan and twenty cents']);
  });
});

describe('signatures and wire formats', () => {
  it("computes Twilio's documented example signature", () => {
    // The example from Twilio's "Webhooks security" page.
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    };
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    expect(twilioSignature('12345', url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(verifyTwilioSignature('12345', url, params, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(true);
    expect(verifyTwilioSignature('12345', url, { ...params, Digits: '9' }, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(false);
  });

  it('signs kefu webhooks and basic credentials', () => {
    expect(kefuSignature('s', '1', 'n', '{}')).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(basicAuthorization('a', 'b')).toBe('Basic YTpi');
  });

  it('parses transfer targets', () => {
    expect(parseTarget('sip:1001@pbx.example.com')).toEqual({ kind: 'sip', value: 'sip:1001@pbx.example.com' });
    expect(parseTarget('queue:support')).toEqual({ kind: 'queue', value: 'support' });
    expect(parseTarget('+86 138-0013-8000')).toEqual({ kind: 'phone', value: '+8613800138000' });
  });

  it('renders TwiML and httapi with escaped text', () => {
    const actions = [
      {
        type: 'gather' as const,
        input: ['speech' as const, 'dtmf' as const],
        prompt: [{ type: 'say' as const, text: '您好 <&>', language: 'zh-CN' as const }],
        bargeIn: true,
        timeoutSeconds: 6,
        maxDigits: 1,
        language: 'zh-CN' as const,
        nextSeq: 3,
      },
    ];
    const url = (seq: number, hold?: boolean) => `https://kefu.example/v1/voice/x?seq=${seq}${hold ? '&hold=1' : ''}`;
    const twiml = renderTwiml(actions, url);
    expect(twiml).toContain('<Gather input="speech dtmf" action="https://kefu.example/v1/voice/x?seq=3"');
    expect(twiml).toContain('<Say language="zh-CN">您好 &lt;&amp;&gt;</Say></Gather>');
    const httapi = renderHttapi([...actions, { type: 'hangup' }], url, 'c1');
    expect(httapi).toContain('<document type="xml/freeswitch-httapi">');
    expect(httapi).toContain('<hangup cause="NORMAL_CLEARING"/>');
  });
});

describe('menus speak their options', () => {
  it('says amounts in options as words, quantities as counts', () => {
    expect(menuPrompt(['加急催件', '领 5 元补偿券'], 'zh-CN')).toBe('按 1 加急催件，按 2 领五元补偿券。');
    expect(toSpeechText('电动牙刷白色×1；刷头四支装×2', 'zh-CN')).toBe('电动牙刷白色一件；刷头四支装两件。');
  });
});

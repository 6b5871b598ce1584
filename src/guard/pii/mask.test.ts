import { describe, expect, it } from 'vitest';
import { PiiMasker, maskDeep, maskPii, restorePii } from './mask.js';

describe('masking and restoring', () => {
  it('typed, numbered placeholders in the text language, restored exactly', () => {
    const text = '我叫王小明，手机13800138000，备用13900139000，再说一次13800138000';
    const { masked, placeholders } = maskPii(text);
    expect(masked).toBe('我叫〔姓名1〕，手机〔手机号1〕，备用〔手机号2〕，再说一次〔手机号1〕');
    expect(placeholders).toEqual({ '〔姓名1〕': '王小明', '〔手机号1〕': '13800138000', '〔手机号2〕': '13900139000' });
    expect(restorePii(masked, placeholders)).toBe(text);
  });

  it('English placeholders, and a model that changed the brackets or spacing still restores', () => {
    const { masked, placeholders } = maskPii('email me at li@example.com or call +86 138 0013 8000');
    expect(masked).toBe('email me at [EMAIL_1] or call [PHONE_1]');
    expect(restorePii('Sure, we will call [PHONE 1] and write to ［EMAIL_1］.', placeholders)).toBe(
      'Sure, we will call +86 138 0013 8000 and write to li@example.com.',
    );
    expect(restorePii('〔手机号1〕', placeholders)).toBe('〔手机号1〕'); // unknown placeholder stays
  });

  it('one masker keeps numbering across the texts of a conversation', () => {
    const masker = new PiiMasker();
    expect(masker.mask('手机13800138000')).toBe('手机〔手机号1〕');
    expect(masker.mask('换成13900139000，原来是13800138000')).toBe('换成〔手机号2〕，原来是〔手机号1〕');
    expect(masker.restore('已将〔手机号1〕改为【手机号2】')).toBe('已将13800138000改为13900139000');
  });

  it('a streamed reply is restored even when a placeholder is split across deltas', () => {
    const masker = new PiiMasker();
    masker.mask('my card is 6222 0210 0211 2238');
    const stream = masker.streamRestorer();
    const out = ['Refunded to [BANK', '_CARD', '_1] in 3 days [1]', '.'].map((delta) => stream.push(delta)).join('');
    expect(out + stream.flush()).toBe('Refunded to 6222 0210 0211 2238 in 3 days [1].');
  });

  it('maskDeep masks every string of a trace and keeps its shape and non-strings', () => {
    const trace = {
      input: { normalized: '我的身份证11010519491231002x', length: 20 },
      entities: [{ type: 'phone', value: '13800138000' }],
      reasons: ['customer gave card 6228480012345671'],
      confidence: 0.9,
      when: new Date(0),
    };
    const masked = maskDeep(trace);
    expect(JSON.stringify(masked)).not.toMatch(/13800138000|11010519491231002|6228480012345671/);
    expect(masked.input.length).toBe(20);
    expect(masked.confidence).toBe(0.9);
    expect(masked.when).toBeInstanceOf(Date);
    expect(masked.entities[0].type).toBe('phone');
  });

  it('maskDeep keeps identifier-like strings as they are and still masks bare numbers and addresses', () => {
    const trace = {
      stage: 'intent-answer',
      intent: 'faq-33',
      model: 'intent-classifier@v1',
      phone: '13800138000',
      passport: 'E12345678',
      email: 'wang.fang@example.com',
      said: '我叫王芳，电话 138 0013 8000',
      english: 'call me on +1 415 555 0100',
    };
    const masked = maskDeep(trace);
    expect(masked).toMatchObject({ stage: 'intent-answer', intent: 'faq-33', model: 'intent-classifier@v1' });
    for (const field of ['phone', 'passport', 'email', 'said', 'english'] as const)
      expect(masked[field], field).not.toBe(trace[field]);
    expect(masked.said).not.toContain('138 0013 8000');
  });
});

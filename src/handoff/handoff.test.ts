import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { editDistance } from './edit-distance.js';
import { agentFitsQueue, handoffSettingsSchema, pickQueue, resolveHandoffSettings } from './handoff-settings.js';
import { generatePassword, hashPassword, verifyPassword } from './password.js';

describe('editDistance (Levenshtein on characters)', () => {
  it('counts Chinese characters, Traditional variants, English letters and emoji as one each', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('退货', '退貨')).toBe(1);
    expect(editDistance('请稍等', '請稍等一下')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('好的👍', '好的🙏')).toBe(1);
    expect(editDistance('非常抱歉', '')).toBe(4);
  });

  it('is a metric: symmetric, zero only for equal strings, and obeys the triangle inequality', () => {
    const text = fc.string({ unit: fc.constantFrom('退', '貨', '运', '费', 'a', 'b', '😀', ' '), maxLength: 12 });
    fc.assert(
      fc.property(text, text, text, (a, b, c) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
        expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c));
        expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max([...a].length, [...b].length));
      }),
      { numRuns: 200 },
    );
  });
});

describe('agent passwords (scrypt)', () => {
  it('verifies the right password in Chinese and English and refuses a wrong or malformed one', async () => {
    for (const password of ['客服密码2026', '客服密碼2026', 'correct horse battery staple']) {
      const hash = await hashPassword(password);
      expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
      expect(hash).not.toContain(password);
      expect(await verifyPassword(password, hash)).toBe(true);
      expect(await verifyPassword(`${password}!`, hash)).toBe(false);
    }
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$0$8$1$AA$AA')).toBe(false);
    expect(generatePassword()).not.toBe(generatePassword());
  });
});

describe('queue settings', () => {
  const settings = resolveHandoffSettings({
    default_queue: '通用',
    queues: [
      { name: '售后', skills: ['售后'], intents: ['return.request'] },
      { name: '投诉', skills: ['投诉'], intents: ['complaint'], reasons: ['regulator', 'legal'] },
      { name: '通用' },
    ],
  });

  it('routes by intent, then by a word in the hand-over reason, else to the default queue', () => {
    expect(pickQueue(settings, { intent: 'return.request', reason: null }).name).toBe('售后');
    expect(pickQueue(settings, { intent: 'complaint', reason: 'intent complaint has no answer' }).name).toBe('投诉');
    expect(
      pickQueue(settings, { intent: null, reason: 'hand-over rule complaint.regulator: a complaint to a Regulator' })
        .name,
    ).toBe('投诉');
    expect(pickQueue(settings, { intent: 'greeting', reason: 'the customer asked for a person' }).name).toBe('通用');
  });

  it('needs every skill a queue names; a queue without skills takes everyone', () => {
    const [aftersales, complaints, general] = settings.queues;
    expect(agentFitsQueue(['售后', '投诉'], complaints!)).toBe(true);
    expect(agentFitsQueue(['售后'], complaints!)).toBe(false);
    expect(agentFitsQueue([], general!)).toBe(true);
    expect(agentFitsQueue(['投诉'], aftersales!)).toBe(false);
  });

  it('defaults to one queue for everyone and refuses duplicate names or an unknown default', () => {
    const defaults = resolveHandoffSettings(undefined);
    expect(defaults.queues.map((queue) => queue.name)).toEqual(['通用']);
    expect(defaults.queues[0]!.sla).toEqual({ first_response_seconds: 120, resolution_seconds: 1800 });
    expect(handoffSettingsSchema.safeParse({ queues: [{ name: 'A' }, { name: 'A' }] }).success).toBe(false);
    expect(handoffSettingsSchema.safeParse({ default_queue: 'B', queues: [{ name: 'A' }] }).success).toBe(false);
    expect(handoffSettingsSchema.safeParse({ queues: [{ name: 'A', assignment: 'random' }] }).success).toBe(false);
  });
});

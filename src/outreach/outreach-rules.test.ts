import { describe, expect, it } from 'vitest';
import {
  capReached,
  gate,
  inQuietHours,
  outreachSettingsSchema,
  readOutreachSettings,
  templateFor,
} from './outreach-rules.js';

const settings = outreachSettingsSchema.parse({
  quiet_hours: { start: '21:00', end: '09:00' },
  cap: { per_day: 2, per_week: 5 },
  rules: [{ name: 'delay', event: 'order.delayed', template: { 'zh-CN': '您的订单延迟了', en: 'Your order is late' } }],
});
const rule = settings.rules[0]!;
const none = { day: 0, week: 0, ruleDay: 0, ruleWeek: 0 };

describe('quiet hours in the contact’s time zone', () => {
  // 2026-11-25 14:30 UTC = 22:30 in Shanghai, 09:30 in New York, 14:30 in London.
  const at = new Date('2026-11-25T14:30:00Z');
  it('holds a window that crosses midnight, per zone', () => {
    expect(inQuietHours(at, 'Asia/Shanghai', settings.quiet_hours)).toBe(true);
    expect(inQuietHours(at, 'America/New_York', settings.quiet_hours)).toBe(false);
    expect(inQuietHours(at, 'Europe/London', settings.quiet_hours)).toBe(false);
    // 08:59 in Shanghai is still quiet; 09:00 is not.
    expect(inQuietHours(new Date('2026-11-25T00:59:00Z'), 'Asia/Shanghai', settings.quiet_hours)).toBe(true);
    expect(inQuietHours(new Date('2026-11-25T01:00:00Z'), 'Asia/Shanghai', settings.quiet_hours)).toBe(false);
    expect(inQuietHours(new Date('2026-11-25T06:00:00Z'), 'America/Los_Angeles', settings.quiet_hours)).toBe(true);
  });
  it('handles a same-day window and its edges', () => {
    const window = { start: '12:00', end: '14:00' };
    expect(inQuietHours(new Date('2026-06-01T04:00:00Z'), 'Asia/Shanghai', window)).toBe(true);
    expect(inQuietHours(new Date('2026-06-01T06:00:00Z'), 'Asia/Shanghai', window)).toBe(false);
    expect(inQuietHours(new Date('2026-06-01T03:59:00Z'), 'Asia/Shanghai', window)).toBe(false);
  });
});

describe('caps, consent and expiry', () => {
  const now = new Date('2026-11-25T02:00:00Z');
  it('refuses once any cap is reached, and a flood never passes it', () => {
    expect(capReached({ ...none, day: 2 }, settings.cap, undefined)).toBe('cap_day');
    expect(capReached({ ...none, week: 5, day: 1 }, settings.cap, undefined)).toBe('cap_week');
    expect(capReached({ ...none, ruleDay: 1 }, settings.cap, { per_day: 1 })).toBe('rule_cap_day');
    // 1,000 events in a row for one contact: the running count admits exactly per_day.
    let day = 0;
    let admitted = 0;
    for (let index = 0; index < 1000; index += 1) {
      const skip = gate({ rule, settings, consent: {}, caps: { ...none, day, week: day }, eventExpiresAt: null, now });
      if (!skip) {
        admitted += 1;
        day += 1;
      }
    }
    expect(admitted).toBe(2);
  });
  it('respects consent and expiry', () => {
    const base = { rule, settings, caps: none, eventExpiresAt: null, now };
    expect(gate({ ...base, consent: { proactive: false } })).toBe('consent');
    expect(gate({ ...base, consent: {} })).toBeNull();
    expect(gate({ ...base, rule: { ...rule, consent: 'marketing' }, consent: {} })).toBe('consent');
    expect(gate({ ...base, rule: { ...rule, consent: 'marketing' }, consent: { marketing: true } })).toBeNull();
    expect(gate({ ...base, consent: {}, eventExpiresAt: new Date('2026-11-25T01:00:00Z') })).toBe('expired');
  });
  it('reads malformed rules as none, with the problem', () => {
    const read = readOutreachSettings({ rules: [{ name: 'x', event: 'bad event', template: 'hi' }] });
    expect(read.settings.rules).toEqual([]);
    expect(read.problem).toContain('outreach.rules.0.event');
  });
  it('writes in the contact’s language, Traditional converted from Simplified', () => {
    expect(templateFor(rule.template, 'en-US')).toBe('Your order is late');
    expect(templateFor(rule.template, 'zh-CN')).toBe('您的订单延迟了');
    expect(templateFor(rule.template, 'zh-TW')).toBe('您的訂單延遲了');
  });
});

import { describe, expect, it } from 'vitest';
import { formatForPeople, templateLanguage } from './format-for-people.js';
import { renderTemplate, renderValue } from './template.js';

const now = new Date('2026-12-04T12:00:00Z');

describe('values formatted for people', () => {
  it('writes dates and times as Chinese and English readers write them, keeping the source wall clock', () => {
    expect(formatForPeople('2026-11-23T16:30:00+08:00', 'zh', now)).toBe('11月23日 16:30');
    expect(formatForPeople('2026-11-23T16:30:00+08:00', 'en', now)).toBe('Nov 23, 16:30');
    expect(formatForPeople('2025-12-31T23:05:00Z', 'zh', now)).toBe('2025年12月31日 23:05');
    expect(formatForPeople('2026-11-24', 'zh', now)).toBe('11月24日');
    expect(formatForPeople('2027-01-02', 'en', now)).toBe('Jan 2, 2027');
    for (const other of ['XM20261115003', '2026-13-01', '12,000.00', '2026-11-24 到达', ''])
      expect(formatForPeople(other, 'zh', now)).toBe(other);
  });

  it('knows a template language by its script', () => {
    expect(templateLanguage('包裹自 {{t}} 到达')).toBe('zh');
    expect(templateLanguage('包裹自 {{t}} 到達')).toBe('zh');
    expect(templateLanguage('Your parcel arrived at {{t}}')).toBe('en');
  });

  it('formats replies but never the values handed to connectors', () => {
    const scopes = [{ event: { time: '2026-11-23T16:30:00+08:00' }, promised: '2026-11-24' }];
    expect(renderTemplate('包裹自 {{event.time}} 到达，原定 {{promised}} 送达', scopes, { forPeople: true, now })).toBe(
      '包裹自 11月23日 16:30 到达，原定 11月24日 送达',
    );
    expect(renderTemplate('Arrived {{event.time}}', scopes, { forPeople: true, now })).toBe('Arrived Nov 23, 16:30');
    expect(renderTemplate('{{event.time}}', scopes)).toBe('2026-11-23T16:30:00+08:00');
    expect(renderValue({ since: '{{event.time}}', range: '{{promised}}..{{event.time}}' }, scopes)).toEqual({
      since: '2026-11-23T16:30:00+08:00',
      range: '2026-11-24..2026-11-23T16:30:00+08:00',
    });
  });
});

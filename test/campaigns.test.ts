import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueOccurrence, nextOccurrence } from '../src/outreach/campaigns.js';
import { readOutreachSettings } from '../src/outreach/outreach-rules.js';
import { OutreachService } from '../src/outreach/outreach-service.js';
import { widgetPresence } from '../src/outreach/widget-presence.js';
import { createTestKefu, type TestKefu } from './support/test-kefu.js';

/**
 * Campaigns (docs/personal.md, "Campaigns"): an audience chosen by tag, tier and custom
 * attributes, run through the API or on a cron schedule, through the same rules as events
 * (consent, caps, quiet hours, channels, language), each run once, attributed to the campaign.
 */

const rule = {
  name: 'winter-sale',
  event: 'campaign.winter_sale',
  template: {
    'zh-CN': '{{contact.name | "您"}}您好，冬季特惠：{{event.city}}机+酒套餐立减 {{event.discount}} 元。',
    en: 'Hello {{contact.name | "there"}}, winter deal: ¥{{event.discount}} off flight + hotel to {{event.city}}.',
  },
  channels: ['widget', 'queue'],
  consent: 'marketing',
  cap: { per_day: 1 },
  quiet_hours: true,
};

const campaign = {
  name: 'winter-sale',
  event: 'campaign.winter_sale',
  audience: { tag: '常旅客', attributes: { home_city: '上海' } },
  schedule: '0 10 * * 1',
  payload: { city: '三亚', discount: 300 },
};

describe('campaign settings', () => {
  it('read a valid campaign and refuse a bad one with a reason', () => {
    expect(readOutreachSettings({ rules: [rule], campaigns: [campaign] }).problem).toBeNull();
    expect(readOutreachSettings({ rules: [], campaigns: [campaign] }).problem).toMatch(
      /campaigns\.0\.event: no outreach rule handles "campaign.winter_sale"/,
    );
    expect(
      readOutreachSettings({ rules: [rule], campaigns: [{ ...campaign, schedule: 'every monday' }] }).problem,
    ).toMatch(/campaigns\.0\.schedule: not a cron expression/);
    expect(readOutreachSettings({ rules: [rule], campaigns: [{ ...campaign, audience: {} }] }).problem).toMatch(
      /campaigns\.0\.audience: name at least one of tag, tier or attributes/,
    );
    expect(readOutreachSettings({ rules: [rule], campaigns: [campaign, campaign] }).problem).toMatch(/used twice/);
  });

  it('find the due occurrence in the tenant’s time zone, within the window only', () => {
    // Monday 2026-12-07 10:00 in Shanghai is 02:00 UTC.
    const at = (iso: string) => new Date(iso);
    expect(dueOccurrence('0 10 * * 1', 'Asia/Shanghai', at('2026-12-07T02:00:00Z'), 600_000)?.toISOString()).toBe(
      '2026-12-07T02:00:00.000Z',
    );
    expect(dueOccurrence('0 10 * * 1', 'Asia/Shanghai', at('2026-12-07T02:09:00Z'), 600_000)?.toISOString()).toBe(
      '2026-12-07T02:00:00.000Z',
    );
    expect(dueOccurrence('0 10 * * 1', 'Asia/Shanghai', at('2026-12-07T02:11:00Z'), 600_000)).toBeNull();
    expect(dueOccurrence('0 10 * * 1', 'Asia/Shanghai', at('2026-12-07T01:59:00Z'), 600_000)).toBeNull();
    // 10:00 in New York is a different instant.
    expect(dueOccurrence('0 10 * * 1', 'America/New_York', at('2026-12-07T02:00:00Z'), 600_000)).toBeNull();
    expect(nextOccurrence('0 10 * * 1', 'Asia/Shanghai', at('2026-12-07T02:00:00Z'))?.toISOString()).toBe(
      '2026-12-14T02:00:00.000Z',
    );
    expect(nextOccurrence(undefined, 'Asia/Shanghai', at('2026-12-07T02:00:00Z'))).toBeNull();
  });
});

describe('campaigns end to end', () => {
  let kefu: TestKefu;
  let auth: { authorization: string };
  let tenantId: string;
  const contacts: Record<string, string> = {};

  beforeAll(async () => {
    kefu = await createTestKefu();
    auth = { authorization: `Bearer ${kefu.keyOf('shop-zh')}` };
    tenantId = (
      await kefu.database.db.selectFrom('tenants').select('id').where('slug', '=', 'shop-zh').executeTakeFirstOrThrow()
    ).id;
    const outreach = {
      // No quiet hours for these tests (a window of zero length), whatever the clock says.
      quiet_hours: { start: '00:00', end: '00:00' },
      cap: { per_day: 3, per_week: 10 },
      rules: [rule],
      campaigns: [campaign],
    };
    await sql`update tenants set settings = settings || ${JSON.stringify({ outreach })}::jsonb where id = ${tenantId}`.execute(
      kefu.database.db,
    );
    await kefu.bus.publish({ type: 'tenant.updated', tenantId });
    const people = [
      // In the audience: Simplified, Traditional and English readers.
      { key: 'lin', name: '林晓雨', tags: ['常旅客'], attributes: { home_city: '上海' }, locale: 'zh-CN' },
      { key: 'chen', name: '陳美玲', tags: ['常旅客', '金卡'], attributes: { home_city: '上海' }, locale: 'zh-TW' },
      { key: 'emily', name: 'Emily', tags: ['常旅客'], attributes: { home_city: '上海' }, locale: 'en' },
      // In the audience but said no to marketing.
      {
        key: 'zhou',
        name: '周建国',
        tags: ['常旅客'],
        attributes: { home_city: '上海' },
        locale: 'zh-CN',
        consent: { marketing: false },
      },
      // Outside it: another city, no tag.
      { key: 'wang', name: '王芳', tags: ['常旅客'], attributes: { home_city: '北京' }, locale: 'zh-CN' },
      { key: 'li', name: '李四', tags: [], attributes: { home_city: '上海' }, locale: 'zh-CN' },
    ];
    for (const person of people) {
      const { key, consent, ...profile } = person;
      const created = await kefu.app.inject({
        method: 'POST',
        url: '/v1/contacts',
        headers: auth,
        payload: {
          ...profile,
          externalIds: [{ id: `C-${key}` }],
          consent: { marketing: true, ...consent },
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      contacts[key] = created.json().id;
    }
  }, 240_000);
  afterAll(async () => kefu?.dispose());

  const deliveriesOf = (eventId: string) =>
    kefu.database.db
      .selectFrom('outreach_deliveries')
      .select(['contact_id', 'status', 'reason', 'text'])
      .where('tenant_id', '=', tenantId)
      .where('event_id', '=', eventId)
      .execute();

  it('runs through the API for its audience only, in each contact’s language, honouring consent', async () => {
    const response = await kefu.app.inject({
      method: 'POST',
      url: '/v1/campaigns/winter-sale/runs',
      headers: auth,
      payload: { id: 'run-1' },
    });
    expect(response.statusCode, response.body).toBe(202);
    const result = response.json();
    expect(result).toMatchObject({ campaign: 'winter-sale', run: 'run-1', duplicate: false, contacts: 4 });
    expect(result.counts).toEqual({ queued: 3, skipped: 1 });
    const rows = await deliveriesOf(result.eventId);
    const byContact = Object.fromEntries(rows.map((row) => [row.contact_id, row]));
    expect(byContact[contacts.lin!]!.text).toBe('林晓雨您好，冬季特惠：三亚机+酒套餐立减 300 元。');
    // The event's own data (the city) is written as the business sent it.
    expect(byContact[contacts.chen!]!.text).toBe('陳美玲您好，冬季特惠：三亚機+酒套餐立減 300 元。');
    expect(byContact[contacts.emily!]!.text).toBe('Hello Emily, winter deal: ¥300 off flight + hotel to 三亚.');
    expect(byContact[contacts.zhou!]).toMatchObject({ status: 'skipped', reason: 'consent' });
    expect(byContact[contacts.wang!]).toBeUndefined();
    expect(byContact[contacts.li!]).toBeUndefined();

    // A retried call with the same id is the same run.
    const again = await kefu.app.inject({
      method: 'POST',
      url: '/v1/campaigns/winter-sale/runs',
      headers: auth,
      payload: { id: 'run-1' },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ eventId: result.eventId, duplicate: true });
    expect(await deliveriesOf(result.eventId)).toHaveLength(4);

    // Another run the same day: the rule's cap (one a day) holds every contact back.
    const second = (
      await kefu.app.inject({
        method: 'POST',
        url: '/v1/campaigns/winter-sale/runs',
        headers: auth,
        payload: { id: 'run-2' },
      })
    ).json();
    expect(second.counts).toEqual({ skipped: 4 });
    const reasons = (await deliveriesOf(second.eventId)).map((row) => row.reason).sort();
    expect(reasons).toEqual(['consent', 'rule_cap_day', 'rule_cap_day', 'rule_cap_day']);
  });

  it('lists campaigns with their next run and their runs (deliveries attributed to each)', async () => {
    const listed = await kefu.app.inject({ method: 'GET', url: '/v1/campaigns', headers: auth });
    expect(listed.statusCode).toBe(200);
    const winter = listed.json().campaigns.find((entry: { name: string }) => entry.name === 'winter-sale');
    expect(winter.nextRunAt).toMatch(/T02:00:00\.000Z$/);
    expect(new Date(winter.nextRunAt).getUTCDay()).toBe(1);
    expect(winter.runs.map((run: { run: string }) => run.run).sort()).toEqual(['run-1', 'run-2']);
    const first = winter.runs.find((run: { run: string }) => run.run === 'run-1');
    expect(first).toMatchObject({ contacts: 4, counts: { queued: 3, skipped: 1 } });
  });

  it('runs a scheduled campaign once per occurrence, even when two nodes ask at once', async () => {
    // A second campaign, due every minute (added now, so it cannot run before the tests above).
    await sql`update tenants set settings = jsonb_set(settings, '{outreach,campaigns}', ${JSON.stringify([
      campaign,
      { ...campaign, name: 'every-minute', schedule: '* * * * *' },
    ])}::jsonb) where id = ${tenantId}`.execute(kefu.database.db);
    const now = new Date('2026-12-07T02:03:00Z'); // Monday 10:03 in Shanghai
    const node = (clock: Date) =>
      new OutreachService({ db: kefu.database.db, bus: kefu.bus, presence: widgetPresence, now: () => clock });
    const [a, b] = await Promise.all([node(now).runDueCampaigns(), node(now).runDueCampaigns()]);
    const runs = [...a, ...b].filter((run) => run.tenantId === tenantId);
    // winter-sale (Monday 10:00) and every-minute (10:03) are both due; each runs exactly once.
    expect(runs.map((run) => `${run.campaign}@${run.run}`).sort()).toEqual([
      'every-minute@2026-12-07T02:03:00.000Z',
      'winter-sale@2026-12-07T02:00:00.000Z',
    ]);
    const later = await node(new Date('2026-12-07T02:03:30Z')).runDueCampaigns();
    expect(later.filter((run) => run.tenantId === tenantId)).toEqual([]);
    const events = await kefu.database.db
      .selectFrom('outreach_events')
      .select('external_id')
      .where('tenant_id', '=', tenantId)
      .where('external_id', 'like', 'campaign:%:2026-12-07T02:0%')
      .execute();
    expect(events.map((event) => event.external_id).sort()).toEqual([
      'campaign:every-minute:2026-12-07T02:03:00.000Z',
      'campaign:winter-sale:2026-12-07T02:00:00.000Z',
    ]);
  });

  it('runs from the job queue on its schedule', async () => {
    const minute = dueOccurrence('* * * * *', 'Asia/Shanghai', new Date(), 600_000)!;
    await kefu.jobs.enqueue('outreach.campaigns-due', {});
    await kefu.jobs.drain();
    const runs = await kefu.database.db
      .selectFrom('outreach_events')
      .select('external_id')
      .where('tenant_id', '=', tenantId)
      .where('external_id', 'like', 'campaign:every-minute:%')
      .execute();
    // This minute's occurrence (or the next one, had the minute turned meanwhile) has run.
    expect(
      runs.some((run) => Date.parse(run.external_id!.slice('campaign:every-minute:'.length)) >= minute.getTime()),
    ).toBe(true);
  });

  it('refuses unknown campaigns and keeps tenants apart', async () => {
    const unknown = await kefu.app.inject({
      method: 'POST',
      url: '/v1/campaigns/no-such/runs',
      headers: auth,
      payload: {},
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    const bank = { authorization: `Bearer ${kefu.keyOf('bank-zh')}` };
    const other = await kefu.app.inject({
      method: 'POST',
      url: '/v1/campaigns/winter-sale/runs',
      headers: bank,
      payload: { id: 'run-1' },
    });
    expect(other.statusCode).toBe(404);
    const list = await kefu.app.inject({ method: 'GET', url: '/v1/campaigns', headers: bank });
    expect(list.json()).toEqual({ campaigns: [] });
    const bad = await kefu.app.inject({
      method: 'POST',
      url: '/v1/campaigns/winter-sale/runs',
      headers: auth,
      payload: { id: 'x', surprise: true },
    });
    expect(bad.statusCode).toBe(400);
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signUserId } from '../src/contacts/identity.js';
import { widgetPresence } from '../src/outreach/widget-presence.js';
import { frameText } from './support/socket-text.js';
import { createTestKefu, type TestKefu } from './support/test-kefu.js';

/**
 * Personal service end to end (docs/personal.md): a CSV import with Chinese headers, a verified
 * widget session, a proactive event arriving in the open widget, an offer after a resolved
 * question, its click and its conversion, and the funnel report.
 */

let kefu: TestKefu;
let base: string;
let auth: { authorization: string };
let tenantId: string;

beforeAll(async () => {
  kefu = await createTestKefu();
  base = await kefu.app.listen({ port: 0, host: '127.0.0.1' });
  auth = { authorization: `Bearer ${kefu.keyOf('shop-zh')}` };
  tenantId = (
    await kefu.database.db.selectFrom('tenants').select('id').where('slug', '=', 'shop-zh').executeTakeFirstOrThrow()
  ).id;
  const personal = {
    outreach: {
      quiet_hours: { start: '00:00', end: '00:00' },
      cap: { per_day: 2, per_week: 5 },
      rules: [
        {
          name: 'order-delayed',
          event: 'order.delayed',
          template: {
            'zh-CN': '{{contact.name | "您"}}您好，您的订单 {{event.order_no}} 会晚到 {{event.days | 1}} 天，抱歉。',
            en: 'Hi {{contact.name | "there"}}, order {{event.order_no}} is running late.',
          },
        },
      ],
    },
    offers: {
      holdout: 0,
      items: [
        {
          id: 'free-shipping-pack',
          kind: 'bundle',
          title: { 'zh-CN': '包邮组合装', en: 'Free-shipping pack' },
          text: {
            'zh-CN': '{{contact.name | "您"}}，凑单满 99 包邮：组合装 {{offer.price}} 元，省 {{offer.saving}} 元。',
          },
          products: [
            { sku: 'cream', price: 59.9 },
            { sku: 'cup', price: 58 },
          ],
          price: 99,
          intents: ['faq-33'],
        },
      ],
    },
  };
  await sql`update tenants set settings = settings || ${JSON.stringify(personal)}::jsonb where id = ${tenantId}`.execute(
    kefu.database.db,
  );
});
afterAll(async () => kefu?.dispose());

const csv = [
  '会员号,姓名,手机号,邮箱,会员等级,积分',
  'M001,林晓雨,13800571001,lin@example.com,金卡,1280',
  'M002,周建国,138-0057-1002,,普通,12',
  'M003,王芳,12ab,,普通,10',
  'M001,重复的人,13900000009,,普通,1',
  'M004,"坏"行,,,普通,1',
  'M005,Emily Chen,+1 415 555 0100,emily@example.com,VIP,99',
  'M006,赵六,13800571006,,普通,很多',
  'M007,钱七,13800571007,,普通,1,多出来的字段',
  'M008,"未闭合的引号',
].join('\n');

async function importCsv(query: string) {
  return kefu.app.inject({
    method: 'POST',
    url: `/v1/contacts/import?${query}`,
    headers: { ...auth, 'content-type': 'text/csv' },
    payload: csv,
  });
}

async function connect(token: string, conversationId: string) {
  const url = new URL('/widget/v1/ws', base.replace('http', 'ws'));
  url.searchParams.set('token', token);
  url.searchParams.set('conversationId', conversationId);
  const socket = new WebSocket(url);
  const events: any[] = [];
  socket.on('message', (data) => events.push(JSON.parse(frameText(data))));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const until = async (predicate: () => boolean, what: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(events).slice(-1500)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { socket, events, until };
}

const texts = (events: any[]) =>
  events
    .filter((event) => event.type === 'message.created')
    .map((event) => event.message as { text: string; parts: any[] });

describe('contacts, outreach and offers', () => {
  it('imports a CSV with a dry run first, and reports bad rows by line with a reason', async () => {
    const dry = await importCsv('dryRun=true&map=积分%3Dattr.points:number');
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, rows: 9, created: 4, skipped: 5 });
    const none = await kefu.database.db
      .selectFrom('contact_external_ids')
      .select('external_id')
      .where('tenant_id', '=', tenantId)
      .execute();
    expect(none).toEqual([]);

    const real = (await importCsv('map=积分%3Dattr.points:number')).json();
    expect(real).toMatchObject({ dryRun: false, rows: 9, created: 4, updated: 0, skipped: 5 });
    const codes = Object.fromEntries(real.errors.map((error: any) => [error.line, error.code]));
    expect(codes).toEqual({
      4: 'bad_phone',
      5: 'duplicate_external_id',
      8: 'bad_value',
      9: 'malformed',
      10: 'malformed',
    });

    const list = (await kefu.app.inject({ method: 'GET', url: '/v1/contacts?tier=金卡', headers: auth })).json();
    expect(list.contacts).toHaveLength(1);
    expect(list.contacts[0]).toMatchObject({
      name: '林晓雨',
      phones: ['13800571001'],
      externalIds: [{ source: 'user', id: 'M001' }],
      attributes: { points: 1280 },
    });
    // Importing again updates, never duplicates, and a bad field is refused on PATCH.
    expect((await importCsv('map=积分%3Dattr.points:number')).json()).toMatchObject({ created: 0, updated: 4 });
    const id = list.contacts[0].id as string;
    const bad = await kefu.app.inject({
      method: 'PATCH',
      url: `/v1/contacts/${id}`,
      headers: auth,
      payload: { phones: ['not a phone'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const exported = await kefu.app.inject({ method: 'GET', url: '/v1/contacts/export', headers: auth });
    expect(exported.body.split('\n')[0]).toContain('external_id');
    expect(exported.body).toContain('林晓雨');
    // Another tenant's key sees none of it.
    const other = { authorization: `Bearer ${kefu.keyOf('bank-zh')}` };
    expect((await kefu.app.inject({ method: 'GET', url: `/v1/contacts/${id}`, headers: other })).statusCode).toBe(404);
  });

  it('refuses a forged widget signature and links a verified one to the imported contact', async () => {
    const { secret } = (
      await kefu.app.inject({ method: 'GET', url: '/v1/contacts/identity-secret', headers: auth })
    ).json();
    const start = (body: Record<string, unknown>) =>
      fetch(`${base}/widget/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'shop-zh', ...body }),
      });
    const forged = await start({ userId: 'M001', userHash: signUserId('M001', 'guessed secret') });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { code: string }).code).toBe('CS_IDENTITY_SIGNATURE_INVALID');

    const anonymous = (await (await start({})).json()) as { contactId: string; visitorId: string };
    const verified = (await (
      await start({ visitorId: anonymous.visitorId, userId: 'M001', userHash: signUserId('M001', secret) })
    ).json()) as { contactId: string; visitorId: string };
    const owner = await kefu.database.db
      .selectFrom('contact_external_ids')
      .select('contact_id')
      .where('tenant_id', '=', tenantId)
      .where('external_id', '=', 'M001')
      .executeTakeFirstOrThrow();
    expect(verified.contactId).toBe(owner.contact_id);
    const merges = (
      await kefu.app.inject({ method: 'GET', url: `/v1/contacts/${owner.contact_id}/merges`, headers: auth })
    ).json();
    expect(merges.merges[0]).toMatchObject({ mergedContactId: anonymous.contactId, source: 'widget' });
    // The same visitor id without a signature is a stranger again: it never reaches the profile.
    const stranger = (await (await start({ visitorId: verified.visitorId })).json()) as {
      contactId: string;
      visitorId: string;
    };
    expect(stranger.contactId).not.toBe(owner.contact_id);
    expect(stranger.visitorId).not.toBe(verified.visitorId);
  });

  it('delivers an event to the open widget, caps a flood, rejects unknown contacts; an offer is shown, clicked and converted', async () => {
    const { secret } = (
      await kefu.app.inject({ method: 'GET', url: '/v1/contacts/identity-secret', headers: auth })
    ).json();
    const session = (await (
      await fetch(`${base}/widget/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'shop-zh', userId: 'M002', userHash: signUserId('M002', secret) }),
      })
    ).json()) as { token: string; conversationId: string; contactId: string };
    const widget = await connect(session.token, session.conversationId);
    await widget.until(
      () => widgetPresence.openConversations(tenantId, session.contactId).includes(session.conversationId),
      'the widget to be open',
    );

    const unknown = await kefu.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: { type: 'order.delayed', contact: { externalId: 'nobody' }, payload: { order_no: 'XM1' } },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('CS_EVENT_CONTACT_UNKNOWN');

    const post = (id: string) =>
      kefu.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: auth,
        payload: { type: 'order.delayed', id, contact: { externalId: 'M002' }, payload: { order_no: 'XM20261025002' } },
      });
    const first = await post('evt-1');
    expect(first.statusCode).toBe(202);
    expect(first.json().deliveries[0]).toMatchObject({ status: 'delivered', channel: 'widget' });
    await widget.until(
      () => texts(widget.events).some((m) => m.text.includes('XM20261025002')),
      'the proactive message',
    );
    expect(texts(widget.events).find((m) => m.text.includes('XM20261025002'))!.text).toContain('周建国您好');
    // A retried POST is the same event; a flood of new ones never passes the cap (2 a day).
    expect((await post('evt-1')).json().duplicate).toBe(true);
    const flood = await Promise.all(Array.from({ length: 8 }, (_, index) => post(`evt-flood-${index}`)));
    const statuses = flood.map((response) => response.json().deliveries[0].status);
    expect(statuses.filter((status) => status === 'delivered')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'skipped')).toHaveLength(7);
    const delivered = await kefu.database.db
      .selectFrom('messages')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', session.conversationId)
      .where('external_id', 'like', 'outreach:%')
      .execute();
    expect(delivered).toHaveLength(2);

    // A resolved question in an intent the catalogue names: the offer follows the answer.
    widget.socket.send(JSON.stringify({ type: 'message.create', clientId: 'q1', text: '运费怎么算？' }));
    const isOffer = (m: { parts: any[] }) =>
      m.parts.some((part: any) => part.type === 'quick_replies' && part.options.includes('不再推荐'));
    await widget.until(() => texts(widget.events).some(isOffer), 'the offer');
    const offer = texts(widget.events).find(isOffer)!;
    expect(offer.text).toBe('周建国，凑单满 99 包邮：组合装 99 元，省 18.9 元。');
    const click = await fetch(`${base}/widget/v1/offers/free-shipping-pack/click`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ conversationId: session.conversationId }),
    });
    expect(click.status).toBe(200);
    const conversion = await kefu.app.inject({
      method: 'POST',
      url: '/v1/conversions',
      headers: auth,
      payload: { contact: { externalId: 'M002' }, offerId: 'free-shipping-pack', orderId: 'XM-9', orderValue: 99 },
    });
    expect(conversion.json()).toMatchObject({ recorded: true, arm: 'treatment', eligible: true });
    // The same order reported twice counts once.
    await kefu.app.inject({
      method: 'POST',
      url: '/v1/conversions',
      headers: auth,
      payload: { contact: { externalId: 'M002' }, offerId: 'free-shipping-pack', orderId: 'XM-9', orderValue: 99 },
    });
    const report = (await kefu.app.inject({ method: 'GET', url: '/v1/offers/report', headers: auth })).json();
    expect(report.offers[0]).toMatchObject({
      offerId: 'free-shipping-pack',
      treatment: { eligible: 1, shown: 1, clicked: 1, conversions: 1, orderValueCents: 9900 },
    });
    const csvReport = await kefu.app.inject({ method: 'GET', url: '/v1/offers/report?format=csv', headers: auth });
    expect(csvReport.body).toContain('free-shipping-pack,treatment,1,1,1,1,1,1,1,99.00');
    widget.socket.close();
  });
});

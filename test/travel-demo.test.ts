// ci: embedded only (it checks the embedded default and skips itself on PostgreSQL; .ci/run runs it embedded on both Node versions)
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdoutShare, inHoldout, readCatalogue } from '../src/offers/catalogue.js';
import { readOutreachSettings } from '../src/outreach/outreach-rules.js';
import { loadPack } from '../src/packs/index.js';
import { datePackDataAsOf } from '../src/server/demo-dates.js';
import { createTestKefu, type TestKefu } from './support/test-kefu.js';

/**
 * The travel demo tenant (examples/packs/travel-zh, 云途旅行): the pack stands alone and loads
 * with the other demo tenants; it answers travel questions in Simplified, Traditional and English;
 * its booking connector (data/bookings.csv) is dated relative to the day the demo loads; and its
 * flight + hotel bundle follows a resolved flight question, except for the holdout.
 */

const folder = path.resolve('examples/packs/travel-zh');
const OFFER = 'flight-hotel-bundle';
// Engine and HTTP behaviour, not storage: the PostgreSQL pass of CI leaves this to the embedded pass.
const onPostgres = Boolean(process.env.DATABASE_URL);

describe('the travel-zh pack', () => {
  it('loads with its 40 FAQs, a booking table, an offer catalogue and outreach rules', () => {
    const { pack, problems } = loadPack(folder);
    expect(problems).toEqual([]);
    expect(pack!.tenant.slug).toBe('travel-zh');
    expect(pack!.faq.map((entry) => entry.id)).toEqual(
      Array.from({ length: 40 }, (_, index) => `faq-${String(index + 1).padStart(2, '0')}`),
    );
    expect(pack!.tables.map((table) => table.name)).toEqual(['bookings']);
    const raw = pack!.tenant as unknown as { offers: unknown; outreach: unknown };
    const { catalogue, problem } = readCatalogue(raw.offers);
    expect(problem).toBeNull();
    const bundle = catalogue.items.find((item) => item.id === OFFER)!;
    expect(bundle.kind).toBe('bundle');
    expect(holdoutShare(catalogue, bundle)).toBe(0.2);
    // A bundle is cheaper than its parts.
    expect(bundle.price).toBeLessThan(bundle.products.reduce((sum, product) => sum + product.price, 0));
    expect(readOutreachSettings(raw.outreach).problem).toBeNull();
  });

  it('refuses a malformed offers or outreach section with the field that is wrong', () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'kefu-travel-'));
    try {
      cpSync(folder, copy, { recursive: true });
      const yaml = readFileSync(path.join(copy, 'tenant.yaml'), 'utf8');
      writeFileSync(
        path.join(copy, 'tenant.yaml'),
        yaml.replace('  holdout: 0.2', '  holdout: 2').replace('      event: checkin.open', '      event: checkin'),
      );
      const { problems } = loadPack(copy);
      const errors = problems.filter((problem) => problem.severity === 'error').map((problem) => problem.message);
      expect(errors.join('\n')).toMatch(/offers\.holdout/);
      expect(errors.join('\n')).toMatch(/outreach\.rules\.1\.event/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('dates its bookings relative to the day the demo loads', () => {
    const { pack } = loadPack(folder);
    const moved = datePackDataAsOf(pack!, '2026-12-05');
    const row = (table: typeof pack, no: string) => table!.tables[0]!.rows.find((entry) => entry.booking_no === no)!;
    // Written for 2026-11-25: a flight three days ahead stays three days ahead.
    expect(row(pack, 'YT2026111001').travel_date).toBe('2026-11-28');
    expect(row(moved, 'YT2026111001').travel_date).toBe('2026-12-08');
    expect(row(moved, 'YT2026111002').return_date).toBe('2026-12-10');
    expect(row(moved, 'YT2026111001').booked_at).toBe('2026-11-20T20:15:00+08:00');
    expect(row(moved, 'YT2026111001').booking_no).toBe('YT2026111001');
  });
});

describe.skipIf(onPostgres)('the travel demo tenant', () => {
  let kefu: TestKefu;
  let headers: { authorization: string };
  let tenantId: string;

  beforeAll(async () => {
    kefu = await createTestKefu();
    headers = { authorization: `Bearer ${kefu.keyOf('travel-zh')}` };
    tenantId = (
      await kefu.database.db
        .selectFrom('tenants')
        .select('id')
        .where('slug', '=', 'travel-zh')
        .executeTakeFirstOrThrow()
    ).id;
  }, 240_000);
  afterAll(async () => kefu?.dispose());

  async function ask(text: string, conversationId?: string) {
    const id =
      conversationId ??
      (await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers })).json<{ id: string }>().id;
    const response = await kefu.app.inject({
      method: 'POST',
      url: `/v1/conversations/${id}/messages`,
      headers,
      payload: { text },
    });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json<{ reply: { text: string }; turn: { route: string; intent: string | null } }>();
    return { conversationId: id, ...body };
  }

  const contactOf = async (conversationId: string) =>
    (
      await kefu.database.db
        .selectFrom('conversations')
        .select('contact_id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', conversationId)
        .executeTakeFirstOrThrow()
    ).contact_id;

  async function offerEvents(contactId: string, kinds: string[], timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await kefu.database.db
        .selectFrom('offer_events')
        .select(['kind', 'offer_id', 'arm'])
        .where('tenant_id', '=', tenantId)
        .where('contact_id', '=', contactId)
        .execute();
      if (kinds.every((kind) => rows.some((row) => row.kind === kind)) || Date.now() > deadline) return rows;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('is loaded with the other demo tenants', () => {
    expect(kefu.demo.map((tenant) => tenant.slug)).toEqual(expect.arrayContaining(['bank-zh', 'shop-zh', 'travel-zh']));
  });

  it('answers travel questions in zh-CN, zh-TW and English', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['机票退了手续费多少', 'faq-01', /退票费/],
      ['坐飛機能帶多少行李？', 'faq-03', /託運/],
      ['酒店訂單可以取消嗎？', 'faq-09', /取消/],
      ['What is the baggage allowance?', 'faq-03', /checked baggage/],
      ['how do I check in online', 'faq-04', /boarding pass/],
      ['can I cancel my hotel booking', 'faq-09', /cancellation/],
      ['机加酒套餐包含什么', 'faq-38', /往返经济舱机票/],
    ];
    for (const [question, intent, answer] of cases) {
      const { turn, reply } = await ask(question);
      expect(turn.route, `${question} → ${JSON.stringify(turn)}`).toBe('auto');
      expect(turn.intent, question).toBe(intent);
      expect(reply.text, question).toMatch(answer);
      if (/[飛機訂單嗎]/.test(question)) expect(reply.text, question).not.toMatch(/[这么费说请为订单]/);
    }
  }, 90_000);

  it('gives the console its funnel report, titled in the agent’s language, to its own agents only', async () => {
    const agent = kefu.demo.find((tenant) => tenant.slug === 'travel-zh')!.agent!;
    const login = await kefu.app.inject({
      method: 'POST',
      url: '/v1/agent/sessions',
      payload: { tenant: 'travel-zh', email: agent.email, password: agent.password },
    });
    expect(login.statusCode, login.body).toBe(201);
    const bearer = { authorization: `Bearer ${login.json().token}` };
    const titles: Record<string, string> = { 'zh-CN': '机+酒套餐', 'zh-TW': '機+酒套餐', en: 'Flight + hotel bundle' };
    for (const [locale, title] of Object.entries(titles)) {
      const report = await kefu.app.inject({
        method: 'GET',
        url: `/v1/agent/offers/report?locale=${locale}`,
        headers: bearer,
      });
      expect(report.statusCode).toBe(200);
      const offer = report.json().offers.find((entry: { offerId: string }) => entry.offerId === OFFER);
      expect(offer).toMatchObject({ title, kind: 'bundle', price: 1799, holdoutShare: 0.2, inCatalogue: true });
    }
    // Without a session, or with an API key instead of one: refused. Another tenant's agent sees its own catalogue.
    expect((await kefu.app.inject({ method: 'GET', url: '/v1/agent/offers/report' })).statusCode).toBe(401);
    expect((await kefu.app.inject({ method: 'GET', url: '/v1/agent/offers/report', headers })).statusCode).toBe(401);
    const shopAgent = kefu.demo.find((tenant) => tenant.slug === 'shop-zh')!.agent!;
    const shopLogin = await kefu.app.inject({
      method: 'POST',
      url: '/v1/agent/sessions',
      payload: { tenant: 'shop-zh', email: shopAgent.email, password: shopAgent.password },
    });
    const shop = await kefu.app.inject({
      method: 'GET',
      url: '/v1/agent/offers/report',
      headers: { authorization: `Bearer ${shopLogin.json().token}` },
    });
    expect(shop.statusCode).toBe(200);
    expect(shop.json().offers.map((entry: { offerId: string }) => entry.offerId)).not.toContain(OFFER);
  });

  it('looks a booking up through its booking connector', async () => {
    const { turn, reply } = await ask('帮我查一下订单 YT2026111501');
    expect(turn.intent).toBe('booking.status');
    expect(reply.text).toContain('YT2026111501');
    expect(reply.text).toContain('航班变动');
    expect(reply.text).toContain('11月26日');
  }, 60_000);

  it('follows a resolved flight question with the flight + hotel bundle, except in the holdout', async () => {
    const arms = { treatment: 0, holdout: 0 };
    for (let attempt = 0; attempt < 12 && (arms.treatment === 0 || arms.holdout === 0); attempt += 1) {
      const { conversationId, turn } = await ask('免费托运多少公斤');
      expect(turn.intent).toBe('faq-03');
      const contactId = await contactOf(conversationId);
      const heldOut = inHoldout(OFFER, contactId, 0.2);
      const rows = await offerEvents(contactId, heldOut ? ['held_out'] : ['exposed', 'shown']);
      const offers = await kefu.database.db
        .selectFrom('messages')
        .select('text')
        .where('tenant_id', '=', tenantId)
        .where('conversation_id', '=', conversationId)
        .where('external_id', 'like', 'offer:%')
        .execute();
      if (heldOut) {
        arms.holdout += 1;
        expect(rows.map((row) => `${row.kind}/${row.arm}`)).toEqual(['held_out/holdout']);
        expect(offers).toEqual([]);
      } else {
        arms.treatment += 1;
        expect(rows.map((row) => `${row.kind}/${row.arm}`).sort()).toEqual(['exposed/treatment', 'shown/treatment']);
        expect(offers).toHaveLength(1);
        expect(offers[0]!.text).toBe(
          '您，机票 + 酒店一起订更划算：往返机票和 2 晚酒店套餐价 1799 元，比分开订省 241 元。',
        );
      }
    }
    expect(arms.treatment).toBeGreaterThan(0);

    // A hotel question is not one the bundle follows.
    const hotel = await ask('退酒店扣钱吗');
    expect(hotel.turn.intent).toBe('faq-09');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await offerEvents(await contactOf(hotel.conversationId), [], 0)).toEqual([]);

    // English: the bundle in English after an English flight question (for a contact in the treatment arm).
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const { conversationId } = await ask('What is the baggage allowance?');
      const contactId = await contactOf(conversationId);
      if (inHoldout(OFFER, contactId, 0.2)) continue;
      await offerEvents(contactId, ['shown']);
      const offer = await kefu.database.db
        .selectFrom('messages')
        .select('text')
        .where('tenant_id', '=', tenantId)
        .where('conversation_id', '=', conversationId)
        .where('external_id', 'like', 'offer:%')
        .executeTakeFirstOrThrow();
      expect(offer.text).toBe(
        'Book your flight and hotel together: return flights and 2 hotel nights for ¥1799, ¥241 less than booking them apart.',
      );
      break;
    }
  }, 120_000);
});

// ci: embedded only (the browser suites skip themselves on PostgreSQL; .ci/run runs them embedded on both Node versions)
// Personal service end to end in a real browser (issue 19): on the travel demo tenant (云途旅行) a
// proactive message sent through the events API arrives in the customer's open widget; after a
// resolved flight question the flight + hotel bundle is offered in the widget, the customer
// clicks it, the business reports the order through the conversion API, and the agent console's
// funnel report (#/offers) shows it, with its charts and a CSV export. Skips only when chromium is
// missing outside CI.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inHoldout } from '../../src/offers/catalogue.js';
import { createTestKefu, type TestKefu } from '../support/test-kefu.js';
import { browserAvailable, ensureWebBuilt, launchBrowser } from './browser.js';

// What the browser shows does not depend on the database: the PostgreSQL pass of CI leaves it to the embedded pass.
const run = browserAvailable() && !process.env.DATABASE_URL;
const repo = path.resolve(import.meta.dirname, '../..');
// `npm run screenshots` sets this to refresh the README's pictures; otherwise they go to a scratch folder.
const shots =
  process.env.KEFU_UPDATE_SCREENSHOTS === 'true'
    ? path.join(repo, 'docs/screenshots')
    : path.join(repo, 'bench/results/tmp/screenshots');

const SLUG = 'travel-zh';

interface Customer {
  contactId: string;
  heldOut: boolean;
}
const OFFER = 'flight-hotel-bundle';
const HOLDOUT = 0.2;
const FLIGHT_QUESTION = '免费托运多少公斤';

async function demoAgent(kefu: TestKefu, slug: string): Promise<{ email: string; password: string }> {
  const tenant = kefu.demo.find((entry) => entry.slug === slug) as
    { agent?: { email: string; password: string } } | undefined;
  if (tenant?.agent) return tenant.agent;
  const row = await kefu.database.db
    .selectFrom('system_settings')
    .select('value')
    .where('key', '=', `demo_agent_password:${slug}`)
    .executeTakeFirstOrThrow();
  return { email: `agent@${slug}.demo`, password: row.value };
}

/** Sends `text` in the widget and waits for the bot's reply to it; returns that reply's text. */
async function askInWidget(page: Page, text: string): Promise<string> {
  const bot = page.locator('[data-kefu-widget] .row[data-sender="bot"]');
  const before = await bot.count();
  const input = page.getByLabel('输入消息…');
  await input.fill(text);
  await input.press('Enter');
  await expect.poll(() => bot.count(), { timeout: 15_000 }).toBeGreaterThan(before);
  return (await bot.nth(before).textContent()) ?? '';
}

describe.skipIf(!run)('browser: proactive messages, offers and the funnel report', () => {
  let kefu: TestKefu;
  let base: string;
  let browser: Browser;
  let headers: { authorization: string };
  let tenantId: string;

  beforeAll(async () => {
    await ensureWebBuilt();
    mkdirSync(shots, { recursive: true });
    mkdirSync(path.join(repo, 'bench/results/tmp/screenshots'), { recursive: true });
    kefu = await createTestKefu();
    base = await kefu.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    headers = { authorization: `Bearer ${kefu.keyOf(SLUG)}` };
    tenantId = (
      await kefu.database.db.selectFrom('tenants').select('id').where('slug', '=', SLUG).executeTakeFirstOrThrow()
    ).id;
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await kefu?.dispose();
  });

  /** The contact of the tenant's most recent conversation (the widget's visitor). */
  async function latestContact(): Promise<string> {
    const row = await kefu.database.db
      .selectFrom('conversations')
      .select('contact_id')
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    return row.contact_id!;
  }

  /** An API customer asks the flight question (so the report has both arms); returns its contact. */
  async function apiCustomer(): Promise<Customer> {
    const conversation = (await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers })).json<{
      id: string;
    }>();
    const answer = await kefu.app.inject({
      method: 'POST',
      url: `/v1/conversations/${conversation.id}/messages`,
      headers,
      payload: { text: FLIGHT_QUESTION },
    });
    expect(answer.statusCode).toBe(201);
    const row = await kefu.database.db
      .selectFrom('conversations')
      .select('contact_id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', conversation.id)
      .executeTakeFirstOrThrow();
    const contactId = row.contact_id!;
    const heldOut = inHoldout(OFFER, contactId, HOLDOUT);
    // The offer engine records the contact's arm after the turn.
    await expect
      .poll(
        async () =>
          (
            await kefu.database.db
              .selectFrom('offer_events')
              .select('id')
              .where('tenant_id', '=', tenantId)
              .where('contact_id', '=', contactId)
              .where('kind', '=', heldOut ? 'held_out' : 'exposed')
              .execute()
          ).length,
        { timeout: 10_000 },
      )
      .toBe(1);
    return { contactId, heldOut };
  }

  it('event → widget, offer → click → conversion, then the console funnel shows it', async () => {
    const customers: BrowserContext[] = [];
    const agentContext = await browser.newContext({
      viewport: { width: 1440, height: 720 },
      locale: 'zh-CN',
      acceptDownloads: true,
    });
    try {
      // A visitor in the offer's treatment arm (the arm is a hash of the contact: a held-out
      // visitor would never see the bundle, so the test takes the next visitor, in a fresh browser
      // context so that it is a new contact).
      let shop: Page | null = null;
      let contactId = '';
      for (let attempt = 0; attempt < 10 && !shop; attempt += 1) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
        customers.push(context);
        const page = await context.newPage();
        page.on('pageerror', (error) => console.error(`[travel page] ${error.message}`));
        await page.goto(`${base}/?tenant=${SLUG}&lang=zh-CN`);
        await page.getByRole('button', { name: '在线客服' }).click();
        const hello = await askInWidget(page, '你好');
        expect(hello).toContain('云途旅行');
        contactId = await latestContact();
        if (!inHoldout(OFFER, contactId, HOLDOUT)) shop = page;
      }
      expect(shop).not.toBeNull();
      const widget = shop!;

      // 1. The business reports a flight change through the events API: the open widget shows it.
      const event = await kefu.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers,
        payload: {
          type: 'flight.changed',
          id: 'evt-mu5137-1',
          contact: { id: contactId },
          payload: { flight_no: 'MU5137', change: '起飞时间改为 15:40' },
        },
      });
      expect(event.statusCode, event.body).toBe(202);
      const proactive = widget
        .locator('[data-kefu-widget] .row[data-sender="bot"]')
        .filter({ hasText: '您的航班 MU5137 有变动：起飞时间改为 15:40' });
      await proactive.waitFor({ timeout: 10_000 });

      // 2. A resolved flight question: the answer, then the flight + hotel bundle with its quick replies.
      const answer = await askInWidget(widget, FLIGHT_QUESTION);
      expect(answer).toContain('免费托运20公斤');
      const offer = widget
        .locator('[data-kefu-widget] .row[data-sender="bot"]')
        .filter({ hasText: '机票 + 酒店一起订更划算' });
      await offer.waitFor({ timeout: 10_000 });
      expect(await offer.textContent()).toContain('套餐价 1799 元，比分开订省 241 元');
      const cta = widget.getByRole('group', { name: /快捷/ }).getByRole('button', { name: '看看套餐' });
      await cta.waitFor();
      expect(await widget.getByRole('group', { name: /快捷/ }).getByRole('button', { name: '不再推荐' }).count()).toBe(
        1,
      );
      await widget.screenshot({ path: path.join(repo, 'bench/results/tmp/screenshots/offers-widget.png') });

      // 3. The customer clicks the offer in the widget.
      await cta.click();
      await expect
        .poll(
          async () =>
            (
              await kefu.database.db
                .selectFrom('offer_events')
                .select('kind')
                .where('tenant_id', '=', tenantId)
                .where('contact_id', '=', contactId)
                .where('kind', '=', 'clicked')
                .execute()
            ).length,
          { timeout: 10_000 },
        )
        .toBe(1);

      // 4. The business reports the order (retried once: counted once).
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const conversion = await kefu.app.inject({
          method: 'POST',
          url: '/v1/conversions',
          headers,
          payload: { contact: { id: contactId }, offerId: OFFER, orderId: 'YT-ORDER-1', orderValue: 1799 },
        });
        expect(conversion.statusCode, conversion.body).toBe(200);
        expect(conversion.json()).toMatchObject({ recorded: attempt === 0, arm: 'treatment', eligible: true });
      }

      // More customers through the API, so both arms have people; some of them buy.
      const others: Customer[] = [];
      // Enough customers that the holdout has a few people (one in five is held out, by hash).
      while (others.length < 60 && (others.length < 16 || others.filter((entry) => entry.heldOut).length < 4))
        others.push(await apiCustomer());
      // Half of the exposed customers buy, a third of the held-out ones (counted within each group).
      const rank = new Map(
        others.map((entry) => [entry, others.filter((other) => other.heldOut === entry.heldOut).indexOf(entry)]),
      );
      const buys = (entry: Customer) => rank.get(entry)! % (entry.heldOut ? 3 : 2) === 0;
      let order = 0;
      const clicks = (entry: Customer) => !entry.heldOut && (buys(entry) || rank.get(entry) === 1);
      for (const other of others) {
        if (!clicks(other)) continue;
        const click = await kefu.app.inject({
          method: 'POST',
          url: `/v1/offers/${OFFER}/clicks`,
          headers,
          payload: { contact: { id: other.contactId } },
        });
        expect(click.json()).toEqual({ recorded: true });
      }
      for (const other of others) {
        if (!buys(other)) continue;
        order += 1;
        const bought = await kefu.app.inject({
          method: 'POST',
          url: '/v1/conversions',
          headers,
          payload: {
            contact: { id: other.contactId },
            offerId: OFFER,
            orderId: `YT-ORDER-${order + 1}`,
            orderValue: other.heldOut ? 1280 : 1799,
          },
        });
        expect(bought.statusCode).toBe(200);
      }
      const treatment = [{ contactId, heldOut: false }, ...others].filter((entry) => !entry.heldOut);
      const holdout = others.filter((entry) => entry.heldOut);
      const convertedTreatment = 1 + others.filter((entry) => buys(entry) && !entry.heldOut).length;
      const convertedHoldout = others.filter((entry) => buys(entry) && entry.heldOut).length;

      // 5. The agent opens the funnel report in the console.
      const credentials = await demoAgent(kefu, SLUG);
      const page = await agentContext.newPage();
      page.on('pageerror', (error) => console.error(`[console] ${error.message}`));
      await page.goto(`${base}/console?lang=zh-CN`);
      await page.getByLabel('租户').fill(SLUG);
      await page.getByLabel('邮箱').fill(credentials.email);
      await page.getByLabel('密码').fill(credentials.password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('link', { name: '推荐转化' }).click();
      await page.getByRole('heading', { name: '推荐转化漏斗' }).waitFor();
      const row = page.getByTestId('offers-table').locator(`tr[data-offer-id="${OFFER}"]`);
      await row.waitFor({ timeout: 10_000 });
      const cell = (name: string) => row.locator(`[data-cell="${name}"]`).textContent();
      expect(await row.locator('.offer-title').textContent()).toBe('机+酒套餐');
      expect(await cell('eligible')).toBe(`${treatment.length} / ${holdout.length}`);
      expect(await cell('shown')).toBe(String(treatment.length));
      const clickedTreatment = 1 + others.filter(clicks).length;
      expect(await cell('clicked')).toBe(String(clickedTreatment));
      expect(await cell('converted')).toBe(String(convertedTreatment));
      const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
      expect(await cell('rate-exposed')).toBe(percent(convertedTreatment / treatment.length));
      if (holdout.length > 0) expect(await cell('rate-holdout')).toBe(percent(convertedHoldout / holdout.length));
      // The two charts are drawn (Chart.js canvases with a size).
      for (const chart of ['funnel-chart', 'rate-chart']) {
        const box = await page.getByTestId(chart).boundingBox();
        expect(box!.width).toBeGreaterThan(200);
        expect(box!.height).toBeGreaterThan(100);
      }
      // The report matches the API's JSON report.
      const report = (await kefu.app.inject({ method: 'GET', url: '/v1/offers/report', headers })).json();
      const funnel = report.offers.find((entry: { offerId: string }) => entry.offerId === OFFER);
      expect(funnel.treatment).toMatchObject({
        eligible: treatment.length,
        clickedContacts: clickedTreatment,
        convertedContacts: convertedTreatment,
      });
      await page.screenshot({ path: path.join(shots, 'offers-funnel.png'), fullPage: true });

      // 6. CSV export: UTF-8 with a BOM, the offer's title, one row per group.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: '导出 CSV' }).click(),
      ]);
      const file = await download.path();
      const csv = readFileSync(file!, 'utf8');
      expect(csv.charCodeAt(0)).toBe(0xfeff);
      const lines = csv.slice(1).trim().split('\r\n');
      expect(lines[0]!.startsWith('offer_id,推荐,组别')).toBe(true);
      expect(lines.filter((line) => line.startsWith(`${OFFER},机+酒套餐,曝光组,${treatment.length},`))).toHaveLength(1);
      expect(lines.filter((line) => line.startsWith(`${OFFER},机+酒套餐,对照组,${holdout.length},`))).toHaveLength(1);
    } finally {
      for (const context of customers) await context.close();
      await agentContext.close();
    }
  }, 240_000);
});

// ci: embedded only (the browser suites skip themselves on PostgreSQL; .ci/run runs them embedded on both Node versions)
// The analytics screen in a real browser (issue 18): a few days of conversations are asked through
// the real API in zh-CN, zh-TW and English and moved to the last days, then a trainer opens
// #/analytics: the Chart.js charts are drawn (pixels on every canvas) with the API's numbers, the
// clusters show a proposed FAQ question, and an export downloads a CSV with a BOM. Skips only when
// chromium is missing outside CI.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayIn } from '../../src/reports/analytics.js';
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

/** What each of the last days brings: [text, hour in Shanghai]. */
const DAYS: Array<Array<[string, number]>> = [
  [
    ['运费多少', 9],
    ['What is the shipping fee?', 10],
    ['可以分期付款吗', 11],
    ['你们卖宠物粮吗', 12],
    ['转人工', 15],
  ],
  [
    ['運費多少', 9],
    ['能分期吗', 10],
    ['你們賣寵物糧嗎', 11],
    ['有没有卖宠物粮的', 12],
    ['Do you sell pet food?', 13],
    ['我要投诉', 14],
  ],
  [
    ['发票怎么开', 9],
    ['What is the shipping fee?', 10],
    ['宠物粮你们卖不卖', 11],
    ['轉人工', 12],
    ['可以分期付款吗', 13],
    ['运费多少', 14],
    ['What is the shipping fee?', 16],
  ],
];

/** The set of canvas pixels that are not transparent. */
async function paintedPixels(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).evaluate((element) => {
    // The page's canvas (this file is type-checked without the DOM library).
    const canvas = element as unknown as {
      width: number;
      height: number;
      getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
    };
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted += 1;
    return painted;
  });
}

describe.skipIf(!run)('browser: the analytics screen', () => {
  let kefu: TestKefu;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuilt();
    mkdirSync(shots, { recursive: true });
    kefu = await createTestKefu();
    base = await kefu.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await kefu?.dispose();
  });

  it('draws the trends with the API’s numbers, lists clusters with a proposed question, and exports CSV', async () => {
    const db = kefu.database.db;
    const key = kefu.keyOf('shop-zh');
    const inject = async (method: string, url: string, auth: string | null, payload?: object) => {
      const response = await kefu.app.inject({
        method: method as 'GET',
        url,
        headers: auth ? { authorization: `Bearer ${auth}` } : {},
        ...(payload ? { payload } : {}),
      });
      return { status: response.statusCode, body: response.body ? response.json() : null };
    };

    // Seed the last three days (Shanghai's calendar), through the API, then move each conversation to its hour.
    const today = dayIn(new Date(), 'Asia/Shanghai');
    for (const [offset, messages] of DAYS.entries()) {
      const date = new Date(`${today}T00:00:00Z`);
      date.setUTCDate(date.getUTCDate() - (DAYS.length - offset));
      const day = date.toISOString().slice(0, 10);
      for (const [text, hour] of messages) {
        const session = await inject('POST', '/widget/v1/sessions', null, { tenant: 'shop-zh' });
        const conversationId = session.body.conversationId as string;
        const posted = await inject('POST', `/v1/conversations/${conversationId}/messages`, key, { text });
        expect(posted.status).toBeLessThan(300);
        const at = new Date(`${day}T${String(hour).padStart(2, '0')}:00:00+08:00`);
        if (posted.body.turn.route === 'human') {
          // A person took it and closed it; the customer rated it.
          await db
            .updateTable('handoffs')
            .set({ status: 'closed', closed_at: at })
            .where('conversation_id', '=', conversationId)
            .execute();
          const rated = await inject('POST', `/widget/v1/conversations/${conversationId}/csat`, session.body.token, {
            score: text === '我要投诉' ? 2 : 5,
          });
          expect(rated.status).toBe(201);
        }
        await db
          .updateTable('conversations')
          .set({ created_at: at, updated_at: at, last_message_at: at })
          .where('id', '=', conversationId)
          .execute();
        for (const table of ['messages', 'turn_traces', 'handoff_events'] as const)
          await db.updateTable(table).set({ created_at: at }).where('conversation_id', '=', conversationId).execute();
        await db
          .updateTable('handoffs')
          .set({ requested_at: at, queued_at: at })
          .where('conversation_id', '=', conversationId)
          .execute();
        // The ledger: each turn cost ¥0.002.
        await db
          .updateTable('turn_traces')
          .set({ cost_micros: 2000 })
          .where('conversation_id', '=', conversationId)
          .execute();
      }
    }

    // The tenant's admin makes the demo agent a trainer; the test's own session reads the API for comparison.
    const credentials = await demoAgent(kefu, 'shop-zh');
    const agent = await db
      .selectFrom('agents')
      .innerJoin('tenants', 'tenants.id', 'agents.tenant_id')
      .select('agents.id')
      .where('tenants.slug', '=', 'shop-zh')
      .where('agents.email', '=', credentials.email)
      .executeTakeFirstOrThrow();
    expect((await inject('PUT', `/v1/agents/${agent.id}/trainer`, key, { allowed: true })).status).toBe(200);
    const session = await inject('POST', '/v1/agent/sessions', null, { tenant: 'shop-zh', ...credentials });
    const trends = (await inject('GET', '/v1/agent/analytics/trends', session.body.token)).body;
    const clusters = (await inject('GET', '/v1/agent/analytics/clusters?limit=20', session.body.token)).body;
    expect(trends.totals.conversations).toBe(DAYS.flat().length);
    expect(clusters.clusters.length).toBeGreaterThan(0);

    const context = await browser.newContext({ viewport: { width: 1440, height: 1200 }, locale: 'zh-CN' });
    try {
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`[console] ${error.message}`));
      await page.goto(`${base}/console?lang=zh-CN`);
      await page.getByLabel('租户').fill('shop-zh');
      await page.getByLabel('邮箱').fill(credentials.email);
      await page.getByLabel('密码').fill(credentials.password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('link', { name: '数据分析' }).click();
      await page.getByRole('heading', { name: '数据分析', level: 2 }).waitFor();
      await page.getByTestId('chart-volume').waitFor({ timeout: 15_000 });

      // The charts show the API's series.
      const series = async (testId: string) =>
        JSON.parse((await page.getByTestId(testId).getAttribute('data-series')) ?? '[]') as Array<{
          label: string;
          data: Array<number | null>;
        }>;
      const volume = await series('chart-volume');
      expect(volume.map((entry) => entry.label)).toEqual([
        ...trends.intents.map((intent: { name: string }) => intent.name),
        '其他问题',
        '未识别',
      ]);
      for (const [index, intent] of trends.intents.entries())
        expect(volume[index]!.data).toEqual(trends.days.map((day: any) => day.volume[intent.id] ?? 0));
      expect(volume.at(-1)!.data).toEqual(trends.days.map((day: any) => day.unrecognisedVolume));
      const rates = await series('chart-rates');
      expect(rates[0]!.label).toBe('机器人解决率');
      expect(rates[0]!.data).toEqual(
        trends.days.map((day: any) => (day.containment === null ? null : Math.round(day.containment * 1000) / 10)),
      );
      expect(rates[1]!.data).toEqual(
        trends.days.map((day: any) => (day.handoverRate === null ? null : Math.round(day.handoverRate * 1000) / 10)),
      );
      expect((await series('chart-csat'))[0]!.data).toEqual(trends.days.map((day: any) => day.csatAverage));
      expect((await series('chart-cost'))[0]!.data).toEqual(trends.days.map((day: any) => day.costPerResolution));
      // The last three days have data; the chart's own labels are the days.
      expect(trends.days.slice(-4, -1).every((day: any) => day.conversations > 0)).toBe(true);

      // Every canvas has been drawn on.
      for (const testId of ['chart-volume', 'chart-rates', 'chart-csat', 'chart-cost'])
        expect([testId, (await paintedPixels(page, testId)) > 2000]).toEqual([testId, true]);

      // The totals and the clusters, with the proposed question of the largest one.
      const totals = page.getByTestId('analytics-totals');
      expect(await totals.textContent()).toContain(String(trends.totals.conversations));
      const proposed = page.getByTestId('proposed-question');
      await proposed.first().waitFor();
      expect(await proposed.allTextContents()).toEqual(
        clusters.clusters.map((cluster: { proposedQuestion: string }) => cluster.proposedQuestion),
      );
      expect(await page.getByTestId('analytics-clusters').textContent()).toMatch(/宠物粮|寵物糧/);

      // The last 7 days: the picker's range, the same numbers as the API's for it (the README's picture).
      await page.getByRole('button', { name: '近 7 天' }).click();
      await expect.poll(async () => (await series('chart-volume'))[0]!.data.length).toBe(7);
      const from = await page.locator('input[name=from]').inputValue();
      const to = await page.locator('input[name=to]').inputValue();
      expect(to).toBe(trends.to);
      const week = (await inject('GET', `/v1/agent/analytics/trends?from=${from}&to=${to}`, session.body.token)).body;
      expect(week.days).toHaveLength(7);
      expect((await series('chart-csat'))[0]!.data).toEqual(week.days.map((day: any) => day.csatAverage));
      expect(await paintedPixels(page, 'chart-volume')).toBeGreaterThan(2000);
      await page.screenshot({ path: path.join(shots, 'analytics.png') });

      // The volume chart's CSV, downloaded with the session's token: BOM, header, Chinese names intact.
      const volumeCard = page.locator('section', { has: page.getByTestId('chart-volume') });
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        volumeCard.getByRole('button', { name: '导出 CSV' }).click(),
      ]);
      const csv = readFileSync((await download.path())!, 'utf8');
      expect(csv.charCodeAt(0)).toBe(0xfeff);
      expect(csv.slice(1).split('\r\n')[0]).toBe('day,bucket,intent_id,intent,turns');
      expect(csv).toContain(trends.intents[0].name);
      expect(download.suggestedFilename()).toBe(`kefu-volume-${from}-${to}.csv`);

      // English labels in place; the clusters button leads to the trainer.
      await page.getByLabel('语言').selectOption('en');
      await page.getByRole('heading', { name: 'Analytics', level: 2 }).waitFor();
      expect((await series('chart-rates'))[0]!.label).toBe('Resolved by the bot');
      await page.getByTestId('analytics-clusters').getByRole('link', { name: 'Train' }).first().click();
      await expect
        .poll(() => page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash))
        .toBe('#/trainer');
    } finally {
      await context.close();
    }
  }, 240_000);
});

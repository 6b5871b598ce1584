// ci: embedded only (the browser suites skip themselves on PostgreSQL; .ci/run runs them embedded on both Node versions)
// The trainer's console end to end in a real browser (issue 18): customers ask the demo shop
// questions it fails on; the trainer labels a whole phrasing cluster (the same question in
// Simplified and Traditional Chinese) to the right FAQ entry from the keyboard, creates a new FAQ
// entry from a turn an agent answered (question and answer prefilled), retrains, compares the
// candidate with the active version, activates it, and both questions are then answered live,
// within 5 s. Skips only when chromium is missing outside CI.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const QUESTION = '钱啥时候能回到我卡上';
/** The start of faq-14's answer (退款多久能到账？) in the demo shop's sheet. */
const ANSWER = '仓库收到退货并验收后 48 小时内完成退款审核';
/** A question no FAQ entry of the demo shop answers, and what an agent replied to it. */
const NEW_QUESTION = '你们的仓库在哪个城市';
const AGENT_ANSWER = '我们的发货仓库在浙江嘉兴，江浙沪次日达，其他地区一般两到三天送达。';

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

describe.skipIf(!run)("browser: the trainer's console", () => {
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

  it('fix → retrain → compare → activate: the question a customer asked is answered live within 5 s', async () => {
    const credentials = await demoAgent(kefu, 'shop-zh');
    // The tenant's admin makes the demo agent a trainer.
    const agent = await kefu.database.db
      .selectFrom('agents')
      .innerJoin('tenants', 'tenants.id', 'agents.tenant_id')
      .select('agents.id')
      .where('tenants.slug', '=', 'shop-zh')
      .where('agents.email', '=', credentials.email)
      .executeTakeFirstOrThrow();
    const granted = await kefu.app.inject({
      method: 'PUT',
      url: `/v1/agents/${agent.id}/trainer`,
      headers: { authorization: `Bearer ${kefu.keyOf('shop-zh')}` },
      payload: { allowed: true },
    });
    expect(granted.statusCode).toBe(200);

    const customer = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    const otherCustomer = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    const trainerContext = await browser.newContext({ viewport: { width: 1440, height: 960 }, locale: 'zh-CN' });
    try {
      // The customer asks; the day-one shop does not answer with the refund FAQ.
      const shop = await customer.newPage();
      shop.on('pageerror', (error) => console.error(`[shop page] ${error.message}`));
      await shop.goto(`${base}/?tenant=shop-zh&lang=zh-CN`);
      await shop.getByRole('button', { name: '在线客服' }).click();
      // Two more it does not get, in Traditional Chinese and English, so the queue has a choice.
      await askInWidget(shop, '錢啥時候能回到我卡上');
      await askInWidget(shop, 'Can I pay in instalments?');
      const first = await askInWidget(shop, QUESTION);
      expect(first).not.toContain(ANSWER);

      // Another customer asks what no FAQ entry answers, asks for a person, and an agent answers.
      const other = await otherCustomer.newPage();
      await other.goto(`${base}/?tenant=shop-zh&lang=zh-CN`);
      await other.getByRole('button', { name: '在线客服' }).click();
      const input = other.getByLabel('输入消息…');
      const handoff = async () => {
        const row = await kefu.database.db
          .selectFrom('messages')
          .innerJoin('tenants', 'tenants.id', 'messages.tenant_id')
          .leftJoin('turn_traces', 'turn_traces.inbound_message_id', 'messages.id')
          .leftJoin('handoffs', 'handoffs.conversation_id', 'messages.conversation_id')
          .select(['messages.conversation_id', 'turn_traces.id as trace', 'handoffs.status'])
          .where('tenants.slug', '=', 'shop-zh')
          .where('messages.text', '=', NEW_QUESTION)
          .executeTakeFirst();
        return row ?? null;
      };
      await input.fill(NEW_QUESTION);
      await input.press('Enter');
      await expect.poll(async () => (await handoff())?.trace ?? null, { timeout: 15_000 }).not.toBeNull();
      // kefu may hand the unanswered question over itself; otherwise the customer asks for a person.
      if ((await handoff())?.status !== 'waiting') {
        await input.fill('转人工');
        await input.press('Enter');
      }
      const asked = { conversation_id: (await handoff())!.conversation_id };
      const session = await kefu.app.inject({
        method: 'POST',
        url: '/v1/agent/sessions',
        payload: { tenant: 'shop-zh', email: credentials.email, password: credentials.password },
      });
      const token = session.json().token as string;
      // The hand-over is waiting for an agent.
      await expect
        .poll(
          async () =>
            (
              await kefu.database.db
                .selectFrom('handoffs')
                .select('status')
                .where('conversation_id', '=', asked.conversation_id)
                .executeTakeFirst()
            )?.status,
          { timeout: 15_000 },
        )
        .toBe('waiting');
      for (const [url, payload] of [
        [`/v1/agent/conversations/${asked.conversation_id}/accept`, undefined],
        [`/v1/agent/conversations/${asked.conversation_id}/messages`, { text: AGENT_ANSWER }],
      ] as const) {
        const answer = await kefu.app.inject({
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${token}` },
          ...(payload ? { payload } : {}),
        });
        expect(answer.statusCode, answer.body).toBeLessThan(300);
      }

      // The trainer opens the console's trainer tab.
      const page = await trainerContext.newPage();
      page.on('pageerror', (error) => console.error(`[console] ${error.message}`));
      await page.goto(`${base}/console?lang=zh-CN`);
      await page.getByLabel('租户').fill('shop-zh');
      await page.getByLabel('邮箱').fill(credentials.email);
      await page.getByLabel('密码').fill(credentials.password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('link', { name: '训练' }).click();
      await page.getByRole('heading', { name: '训练师控制台' }).waitFor();
      const queue = page.getByTestId('trainer-queue');
      const item = queue.locator('li').filter({ hasText: QUESTION }).first();
      await item.waitFor({ timeout: 15_000 });
      // kefu's guess is shown by its FAQ question, with its confidence.
      expect(await item.textContent()).toContain('退款多久能到账？');

      // Keyboard: j/k until the question is selected, / to search, Enter to pick the first match.
      const items = await queue.locator('li').allTextContents();
      const position = items.findIndex((text) => text.includes(QUESTION));
      expect(position).toBeGreaterThanOrEqual(0);
      await page.locator('#trainer-title').click();
      for (let step = 0; step < position; step++) await page.keyboard.press('j');
      await expect.poll(() => item.getAttribute('aria-selected')).toBe('true');
      await page.keyboard.press('k');
      if (position > 0) await expect.poll(() => item.getAttribute('aria-selected')).toBe('false');
      if (position > 0) await page.keyboard.press('j');
      await expect.poll(() => item.getAttribute('aria-selected')).toBe('true');
      // c: the next label goes to the whole phrasing cluster (the Simplified and Traditional question).
      const twin = queue.locator('li').filter({ hasText: '錢啥時候能回到我卡上' }).first();
      await page.keyboard.press('c');
      await expect.poll(() => page.getByTestId('trainer-cluster').textContent()).toContain('2');
      expect(await twin.getAttribute('class')).toContain('in-cluster');
      await page.keyboard.press('/');
      await page.keyboard.type('退款多久');
      await expect.poll(() => page.getByTestId('trainer-choices').locator('li').count()).toBe(1);
      await page.keyboard.press('Enter');
      await item.getByTestId('trainer-label').filter({ hasText: '退款多久能到账？' }).waitFor();
      await twin.getByTestId('trainer-label').filter({ hasText: '退款多久能到账？' }).waitFor();
      // The instalments question is another cluster: not labelled.
      expect(
        await queue.locator('li').filter({ hasText: 'Can I pay in instalments?' }).getByTestId('trainer-label').count(),
      ).toBe(0);

      // n: a new FAQ entry from the turn the agent answered, prefilled with the question and the agent's answer.
      const unanswered = queue.locator('li').filter({ hasText: NEW_QUESTION }).first();
      await unanswered.click();
      await expect.poll(() => unanswered.getAttribute('aria-selected')).toBe('true');
      await page.keyboard.press('n');
      const form = page.getByTestId('trainer-faq');
      await form.waitFor();
      expect(await form.getByLabel('问题').inputValue()).toBe(NEW_QUESTION);
      expect(await form.getByLabel('答案').inputValue()).toContain(AGENT_ANSWER);
      await form.getByLabel('问题').fill(`${NEW_QUESTION}？`);
      await page.keyboard.press('Control+Enter');
      await unanswered
        .getByTestId('trainer-label')
        .filter({ hasText: `${NEW_QUESTION}？` })
        .waitFor();

      // Retrain: the comparison shows the active version failing the labelled turn and the candidate right.
      await page.getByRole('button', { name: '重新训练' }).click();
      const comparison = page.getByTestId('trainer-run');
      await comparison.waitFor({ timeout: 60_000 });
      await expect.poll(() => page.getByTestId('candidate-accuracy').textContent()).toBe('100.0%');
      expect(await page.getByTestId('active-accuracy').textContent()).toBe('0.0%');
      expect(await comparison.locator('.trainer-results').textContent()).toContain(QUESTION);
      expect(await comparison.locator('.trainer-results').textContent()).toContain(NEW_QUESTION);
      await page.screenshot({ path: path.join(shots, 'trainer.png') });

      // Activate; the same question is answered with the FAQ's answer within 5 s.
      await comparison.getByRole('button', { name: '启用候选版本' }).click();
      await page.getByTestId('trainer-activated').waitFor();
      const activatedAt = Date.now();
      let answer = '';
      while (Date.now() - activatedAt < 5000) {
        answer = await askInWidget(shop, QUESTION);
        if (answer.includes(ANSWER)) break;
      }
      expect(answer).toContain(ANSWER);
      console.info(`activation → the FAQ's answer in the widget: ${Date.now() - activatedAt} ms`);
      expect(Date.now() - activatedAt).toBeLessThan(5000);
      // The new entry answers too, with the agent's answer.
      let created = '';
      while (Date.now() - activatedAt < 5000) {
        created = await askInWidget(shop, NEW_QUESTION);
        if (created.includes(AGENT_ANSWER)) break;
      }
      expect(created).toContain(AGENT_ANSWER);
      console.info(`activation → the new FAQ's answer in the widget: ${Date.now() - activatedAt} ms`);
      expect(Date.now() - activatedAt).toBeLessThan(5000);
      // One history point per evaluation run, the last one active.
      await page.getByTestId('trainer-history').getByText('使用中').waitFor();
    } finally {
      await customer.close();
      await otherCustomer.close();
      await trainerContext.close();
    }
  }, 180_000);
});

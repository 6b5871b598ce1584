// ci: embedded only (the browser suites skip themselves on PostgreSQL; .ci/run runs them embedded on both Node versions)
// The rating card at the end of a conversation, laid out in a real browser at a phone's width
// (360 px) and a desktop's (1280 px): its title on one or two lines, a comment box as wide as the
// card, a button wider than its label, nothing sticking out (issue 14). The geometry comes from
// the elements' bounding boxes; the screenshots go to docs/screenshots/ only when
// KEFU_UPDATE_SCREENSHOTS=true (`npm run screenshots`).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../support/test-kefu.js';
import { browserAvailable, ensureWebBuilt, launchBrowser } from './browser.js';

// What the browser shows does not depend on the database: the PostgreSQL pass of CI leaves it to the embedded pass.
const run = browserAvailable() && !process.env.DATABASE_URL;
const repo = path.resolve(import.meta.dirname, '../..');
const shots =
  process.env.KEFU_UPDATE_SCREENSHOTS === 'true'
    ? path.join(repo, 'docs/screenshots')
    : path.join(repo, 'bench/results/tmp/screenshots');

/** What the card's boxes measure, read in the page (the widget's shadow root is open). */
interface CardLayout {
  card: { left: number; right: number; width: number; scrollWidth: number; clientWidth: number };
  title: { height: number; lineHeight: number; text: string };
  comment: { width: number };
  button: { width: number; height: number; labelWidth: number; labelLines: number; lineHeight: number };
  /** Children whose box leaves the card's, with how far (px). */
  overflowing: Array<{ element: string; left: number; right: number }>;
}

/** The little of the DOM the measurement reads (the test project compiles without the DOM library). */
interface Box {
  left: number;
  right: number;
  top: number;
  width: number;
  height: number;
}
interface Element_ {
  getBoundingClientRect(): Box;
  querySelector(selector: string): Element_ | null;
  querySelectorAll(selector: string): Iterable<Element_>;
  readonly shadowRoot: Element_ | null;
  readonly textContent: string | null;
  readonly tagName: string;
  readonly className: string;
  readonly scrollWidth: number;
  readonly clientWidth: number;
}
interface Window_ {
  document: Element_ & {
    createRange(): { selectNodeContents(node: Element_): void; getClientRects(): Iterable<Box> };
  };
  getComputedStyle(element: Element_): { lineHeight: string; fontSize: string; position: string };
  requestAnimationFrame(callback: () => void): void;
  localStorage: { getItem(key: string): string | null };
}

async function measureCard(page: Page): Promise<CardLayout> {
  return page.evaluate(() => {
    const window = globalThis as unknown as Window_;
    const document = window.document;
    const getComputedStyle = (element: Element_) => window.getComputedStyle(element);
    const host = document.querySelector('[data-kefu-widget]')!;
    const root = host.shadowRoot ?? host;
    const card = root.querySelector('[data-testid="csat"]')!;
    const title = card.querySelector('#kefu-csat-title')!;
    const comment = card.querySelector('textarea')!;
    const button = card.querySelector('button.send')!;
    const box = card.getBoundingClientRect();
    const lineHeightOf = (element: Element_) => {
      const style = getComputedStyle(element);
      const value = parseFloat(style.lineHeight);
      // `normal` has no number: about 1.2 em, an upper bound for CJK fonts is 1.5 em.
      return Number.isFinite(value) ? value : parseFloat(style.fontSize) * 1.5;
    };
    // The label's own box: a Range over its text, one rect per line it takes.
    const range = document.createRange();
    range.selectNodeContents(button);
    const labelRects = [...range.getClientRects()].filter((rect) => rect.width > 0);
    const overflowing: CardLayout['overflowing'] = [];
    for (const element of card.querySelectorAll('*')) {
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 || getComputedStyle(element).position === 'absolute') continue;
      if (rect.left < box.left - 0.5 || rect.right > box.right + 0.5)
        overflowing.push({
          element: `${element.tagName.toLowerCase()}.${element.className}`,
          left: Math.round(box.left - rect.left),
          right: Math.round(rect.right - box.right),
        });
    }
    return {
      card: {
        left: box.left,
        right: box.right,
        width: box.width,
        scrollWidth: card.scrollWidth,
        clientWidth: card.clientWidth,
      },
      title: {
        height: title.getBoundingClientRect().height,
        lineHeight: lineHeightOf(title),
        text: title.textContent ?? '',
      },
      comment: { width: comment.getBoundingClientRect().width },
      button: {
        width: button.getBoundingClientRect().width,
        height: button.getBoundingClientRect().height,
        labelWidth:
          Math.max(0, ...labelRects.map((rect) => rect.right)) - Math.min(...labelRects.map((rect) => rect.left)),
        labelLines: new Set(labelRects.map((rect) => Math.round(rect.top))).size,
        lineHeight: lineHeightOf(button),
      },
      overflowing,
    };
  });
}

/** The layout a person can use: what the issue saw broken, in numbers. */
function expectUsableCard(layout: CardLayout, where: string): void {
  const { card, title, comment, button } = layout;
  expect(title.text, where).not.toBe('');
  // One or two lines, not one character per line (a line is its line-height; half a line of slack).
  expect(title.height, `${where}: title height vs its line-height ${title.lineHeight}`).toBeLessThanOrEqual(
    title.lineHeight * 2.5,
  );
  expect(comment.width, `${where}: comment box vs card ${card.width}`).toBeGreaterThanOrEqual(card.width * 0.6);
  // The label fits on one line inside the button.
  expect(button.labelLines, `${where}: button label lines`).toBe(1);
  expect(button.width, `${where}: button vs its label`).toBeGreaterThanOrEqual(button.labelWidth);
  expect(button.height, `${where}: button height`).toBeLessThan(button.lineHeight * 2.5);
  expect(layout.overflowing, `${where}: outside the card`).toEqual([]);
  expect(card.scrollWidth, `${where}: card scrolls sideways`).toBeLessThanOrEqual(card.clientWidth + 1);
}

describe.skipIf(!run)('browser: the rating card', () => {
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

  /** The demo agent takes the widget's conversation and closes it: the widget shows the rating card. */
  async function closeByAgent(page: Page, slug: string): Promise<void> {
    const { conversationId } = await page.evaluate(
      (key) =>
        JSON.parse((globalThis as unknown as Window_).localStorage.getItem(key) ?? '{}') as { conversationId: string },
      `kefu.widget.${slug}`,
    );
    expect(conversationId).toBeTruthy();
    const tenant = kefu.demo.find((entry) => entry.slug === slug);
    const credentials =
      tenant?.agent ??
      (await kefu.database.db
        .selectFrom('system_settings')
        .select('value')
        .where('key', '=', `demo_agent_password:${slug}`)
        .executeTakeFirstOrThrow()
        .then((row) => ({ email: `agent@${slug}.demo`, password: row.value })));
    const login = await kefu.app.inject({
      method: 'POST',
      url: '/v1/agent/sessions',
      payload: { tenant: slug, ...credentials },
    });
    expect(login.statusCode).toBe(201);
    const headers = { authorization: `Bearer ${login.json().token as string}` };
    // Accepting takes it whether it waits in the queue or was already assigned to this agent.
    await expect
      .poll(
        async () =>
          (
            await kefu.app.inject({
              method: 'POST',
              url: `/v1/agent/conversations/${conversationId}/accept`,
              headers,
            })
          ).statusCode,
        { timeout: 15_000 },
      )
      .toBeLessThan(500);
    const closed = await kefu.app.inject({
      method: 'POST',
      url: `/v1/agent/conversations/${conversationId}/close`,
      headers,
      payload: { resolutionCode: 'resolved' },
    });
    expect(closed.statusCode).toBe(200);
  }

  for (const { lang, label, open, input, ask, name } of [
    { lang: 'zh-CN', label: '请为本次服务打分', open: '在线客服', input: '输入消息…', ask: '转人工', name: 'zh' },
    {
      lang: 'en',
      label: 'How did we do?',
      open: 'Chat with us',
      input: 'Type a message…',
      ask: 'talk to a person',
      name: 'en',
    },
  ]) {
    it(`${lang}: title on one or two lines, a wide comment box and a whole button, at 1280 px and at 360 px`, async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: lang });
      try {
        const page = await context.newPage();
        page.on('pageerror', (error) => console.error(`[rating ${lang}] ${error.message}`));
        await page.goto(`${base}/?tenant=shop-zh&lang=${lang}`);
        await page.getByRole('button', { name: open }).click();
        const box = page.getByLabel(input);
        await box.fill(ask);
        await box.press('Enter');
        await page.locator('[data-kefu-widget] [data-testid="handoff"]').waitFor({ timeout: 20_000 });
        await closeByAgent(page, 'shop-zh');
        const card = page.locator('[data-kefu-widget] [data-testid="csat"]');
        await card.waitFor({ timeout: 20_000 });
        await card.locator('#kefu-csat-title').filter({ hasText: label }).waitFor();
        // A star picked, so the button is in its enabled state.
        await card.getByRole('radio').nth(3).click();

        for (const width of [1280, 360]) {
          await page.setViewportSize({ width, height: width === 360 ? 740 : 860 });
          await card.scrollIntoViewIfNeeded();
          // Layout settles in the next frame after a resize.
          await page.evaluate(
            () =>
              new Promise((resolve) => (globalThis as unknown as Window_).requestAnimationFrame(() => resolve(null))),
          );
          await page.screenshot({ path: path.join(shots, `widget-rating-${name}-${width}.png`) });
          expectUsableCard(await measureCard(page), `${lang} at ${width} px`);
        }
      } finally {
        await context.close();
      }
    }, 90_000);
  }
});

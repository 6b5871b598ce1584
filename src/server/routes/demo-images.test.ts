import { readdirSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IMAGES_PATH, renderDemoPage, SHOPFRONTS, type DemoLanguage } from './demo-page.js';
import { demoImagesDirectory, staticRoutes } from './static.js';

// The demo page's product pictures are SVG files the repository ships (web/demo-images), not
// emoji: a server without an emoji font showed boxes (issue 14).
let app: FastifyInstance;
let root: string;

beforeAll(async () => {
  // No web build is needed for the pictures: an empty build folder still serves them.
  root = mkdtempSync(path.join(tmpdir(), 'kefu-web-'));
  app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  await app.register(async (scope) => staticRoutes(scope, { root }));
});
afterAll(async () => {
  await app?.close();
  rmSync(root, { recursive: true, force: true });
});

const tenants = [
  { slug: 'bank-zh', name: '青禾银行信用卡中心', domain: 'finance' },
  { slug: 'shop-zh', name: '小满优品', domain: 'ecommerce' },
];
const PICTOGRAPH = /\p{Extended_Pictographic}/u;

function imagesOf(html: string): string[] {
  return [...html.matchAll(/<img src="([^"]+)"/g)].map((match) => match[1]!);
}

describe('demo page pictures', () => {
  it('shows every product as one of the repository’s images, in every language, and no emoji', () => {
    for (const tenant of tenants) {
      for (const lang of ['zh-CN', 'zh-TW', 'en'] as DemoLanguage[]) {
        const html = renderDemoPage({
          tenants,
          selected: tenant.slug,
          lang,
          origin: 'http://127.0.0.1:3000',
          assetsBuilt: true,
        });
        const items = html.slice(html.indexOf('<ul class="items">'), html.indexOf('</ul>'));
        const images = imagesOf(items);
        expect(images, `${tenant.slug} ${lang}`).toHaveLength(SHOPFRONTS[tenant.domain]!.items.length);
        for (const src of images) expect(src.startsWith(DEMO_IMAGES_PATH)).toBe(true);
        expect(items).not.toMatch(PICTOGRAPH);
      }
    }
    // Each product has a picture of its own.
    const all = Object.values(SHOPFRONTS).flatMap((front) => front.items.map((item) => item.image));
    expect(new Set(all).size).toBe(all.length);
  });

  it('serves each picture the page names as image/svg+xml, with a policy that lets it only draw', async () => {
    const named = new Set(Object.values(SHOPFRONTS).flatMap((front) => front.items.map((item) => item.image)));
    // Every file shipped is used, and every file used is shipped.
    expect(new Set(readdirSync(demoImagesDirectory).filter((file) => file.endsWith('.svg')))).toEqual(named);
    for (const file of named) {
      const response = await app.inject({ url: `${DEMO_IMAGES_PATH}${file}` });
      expect(response.statusCode, file).toBe(200);
      expect(response.headers['content-type'], file).toMatch(/^image\/svg\+xml/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("default-src 'none'");
      expect(response.headers['cache-control']).toBe('public, max-age=86400');
      expect(response.body.trimStart().startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(response.body).toMatch(/viewBox="0 0 120 120"/);
      // Small, original drawings: no script, no embedded raster, nothing fetched from elsewhere.
      expect(response.body).not.toMatch(/<script|<image|href=|url\(/i);
      expect(response.body.length).toBeLessThan(4096);
    }
  });

  it('answers 404 for a name that is not a demo picture, and never leaves the folder', async () => {
    for (const url of [
      `${DEMO_IMAGES_PATH}nope.svg`,
      `${DEMO_IMAGES_PATH}headphones.png`,
      `${DEMO_IMAGES_PATH}..%2F..%2Fpackage.json`,
      `${DEMO_IMAGES_PATH}.hidden.svg`,
    ]) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).not.toContain('"name": "kefu"');
    }
  });
});

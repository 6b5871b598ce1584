import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoLanguage, renderDemoPage } from './demo-page.js';
import { staticRoutes } from './static.js';

// A made-up build output, so these tests do not depend on (or race with) `npm run build:web`.
let root: string;
let app: FastifyInstance;
let empty: FastifyInstance;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'kefu-web-'));
  mkdirSync(path.join(root, 'widget'));
  mkdirSync(path.join(root, 'console/assets'), { recursive: true });
  const widget = '(function(){/* widget */})();'.repeat(50);
  writeFileSync(path.join(root, 'widget/widget.js'), widget);
  writeFileSync(path.join(root, 'widget/widget.js.gz'), gzipSync(widget));
  writeFileSync(
    path.join(root, 'console/index.html'),
    '<!doctype html><script type="module" src="/console/assets/index-AbC123.js"></script>',
  );
  writeFileSync(path.join(root, 'console/assets/index-AbC123.js'), 'console.log(1)');
  app = Fastify({ routerOptions: { ignoreTrailingSlash: true } }); // as createApp
  await app.register(async (scope) => staticRoutes(scope, { root }));
  empty = Fastify();
  await empty.register(async (scope) => staticRoutes(scope, { root: path.join(root, 'missing') }));
});
afterAll(async () => {
  await app?.close();
  await empty?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('static web assets', () => {
  it('serves /widget.js briefly cached, revalidated by ETag, gzip-encoded when accepted, loadable from any origin', async () => {
    const plain = await app.inject({ url: '/widget.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toMatch(/javascript/);
    expect(plain.headers['cache-control']).toBe('public, max-age=300');
    expect(plain.headers['access-control-allow-origin']).toBe('*');
    expect(plain.body).toContain('/* widget */');
    const gzipped = await app.inject({ url: '/widget.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(Number(gzipped.headers['content-length'])).toBeLessThan(plain.body.length);
    const again = await app.inject({ url: '/widget.js', headers: { 'if-none-match': String(plain.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('serves the console page uncached and its hashed assets immutable for a year', async () => {
    for (const url of ['/console', '/console/']) {
      const page = await app.inject({ url });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['x-frame-options']).toBe('DENY');
    }
    const asset = await app.inject({ url: '/console/assets/index-AbC123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers a missing asset with 404 and refuses path traversal', async () => {
    expect((await app.inject({ url: '/console/assets/nope.js' })).statusCode).toBe(404);
    const traversal = await app.inject({ url: '/console/assets/..%2F..%2Fwidget%2Fwidget.js' });
    expect([403, 404]).toContain(traversal.statusCode);
    expect(traversal.body).not.toContain('/* widget */');
  });

  it('answers 503 problem+json naming the build command when the assets were not built', async () => {
    for (const url of ['/widget.js', '/console', '/console/assets/index-AbC123.js']) {
      const response = await empty.inject({ url });
      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 503, code: 'CS_WEB_ASSETS_MISSING' });
      expect(response.json().detail).toContain('npm run build:web');
    }
  });
});

describe('demo page', () => {
  const tenants = [
    { slug: 'bank-zh', name: '青禾银行信用卡中心', domain: 'finance' },
    { slug: 'shop-zh', name: '小满优品', domain: 'ecommerce' },
  ];

  it('shows the shop tenant by default with the widget embedded by one script tag, tabs for every tenant, and links to /console and /docs', () => {
    const html = renderDemoPage({
      tenants,
      selected: undefined,
      lang: 'zh-CN',
      origin: 'http://127.0.0.1:3000',
      assetsBuilt: true,
    });
    expect(html).toContain('<script src="/widget.js" data-tenant="shop-zh" data-locale="zh-CN"');
    expect(html).toContain('href="/?tenant=bank-zh&amp;lang=zh-CN"');
    expect(html).toContain('href="/console"');
    expect(html).toContain('href="/docs"');
    expect(html).toContain('&#60;script src=&#34;http://127.0.0.1:3000/widget.js&#34; data-tenant=&#34;shop-zh&#34;');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
  });

  it('renders the bank tenant in Traditional Chinese and in English', () => {
    const hant = renderDemoPage({ tenants, selected: 'bank-zh', lang: 'zh-TW', origin: 'http://x', assetsBuilt: true });
    expect(hant).toContain('<html lang="zh-TW">');
    expect(hant).toContain('data-tenant="bank-zh" data-locale="zh-TW"');
    expect(hant).toContain('帳單分期');
    const en = renderDemoPage({ tenants, selected: 'bank-zh', lang: 'en', origin: 'http://x', assetsBuilt: true });
    expect(en).toContain('Agent console');
    expect(en).toContain('data-locale="en"');
  });

  it('says how to build the assets instead of embedding a script that would 503', () => {
    const html = renderDemoPage({ tenants, selected: 'shop-zh', lang: 'en', origin: 'http://x', assetsBuilt: false });
    expect(html).toContain('npm run build:web');
    expect(html).not.toContain('<script src="/widget.js"');
  });

  it('escapes tenant names and ignores an unknown tenant parameter', () => {
    const html = renderDemoPage({
      tenants: [{ slug: 'x', name: '<img src=x onerror=alert(1)>', domain: 'other' }],
      selected: '"><script>',
      lang: 'zh-CN',
      origin: 'http://x',
      assetsBuilt: true,
    });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('"><script>');
    expect(html).toContain('&#60;img src=x');
  });

  it('picks the language from ?lang=, then Accept-Language, else Simplified Chinese', () => {
    expect(demoLanguage('en', 'zh-CN')).toBe('en');
    expect(demoLanguage(undefined, 'zh-HK,zh;q=0.9')).toBe('zh-TW');
    expect(demoLanguage(undefined, 'en-GB,en;q=0.8')).toBe('en');
    expect(demoLanguage('fr', undefined)).toBe('zh-CN');
    expect(demoLanguage(undefined, undefined)).toBe('zh-CN');
  });
});

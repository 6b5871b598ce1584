import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBytes, sitemapSource, urlSource } from './web-source.js';

let server: Server;
let base: string;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    hits.push(request.url ?? '');
    const url = request.url ?? '/';
    const xml = (body: string) =>
      response
        .writeHead(200, { 'content-type': 'application/xml' })
        .end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
    if (url === '/sitemap.xml')
      return xml(
        `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${base}/sitemap-a.xml</loc></sitemap><sitemap><loc>${base}/sitemap.xml</loc></sitemap><sitemap><loc>https://elsewhere.example/sitemap.xml</loc></sitemap></sitemapindex>`,
      );
    if (url === '/sitemap-a.xml')
      return xml(
        `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${base}/help/shipping</loc><lastmod>2026-11-01</lastmod></url><url><loc>${base}/help/returns#top</loc></url><url><loc>https://elsewhere.example/x</loc></url></urlset><!-- loops back: --><sitemapindex><sitemap><loc>${base}/sitemap.xml</loc></sitemap></sitemapindex>`,
      );
    if (url === '/loop-1.xml')
      return xml(`<sitemapindex><sitemap><loc>${base}/loop-2.xml</loc></sitemap></sitemapindex>`);
    if (url === '/loop-2.xml')
      return xml(`<sitemapindex><sitemap><loc>${base}/loop-1.xml</loc></sitemap></sitemapindex>`);
    if (url === '/not-a-sitemap.xml') return void response.writeHead(200).end('<html><body>hello</body></html>');
    if (url === '/help/shipping')
      return void response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<html><head><title>配送</title></head><body><h1>配送</h1><p>订单满 99 元免运费。</p></body></html>');
    if (url === '/slow') return void setTimeout(() => response.writeHead(200).end('late'), 1500);
    if (url === '/big') return void response.writeHead(200).end('x'.repeat(5000));
    if (url === '/moved') return void response.writeHead(301, { location: '/help/shipping' }).end();
    response.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

// Tests talk to a server on loopback, which the SSRF guard refuses by default (web-source.ssrf.test.ts).
const local = { allowPrivateNetwork: true };

describe('sitemapSource', () => {
  it('lists same-host pages through sitemap indexes, reading each sitemap once despite loops', async () => {
    hits.length = 0;
    const items = await sitemapSource(`${base}/sitemap.xml`, local).list();
    expect(items).toEqual([
      { path: `${base}/help/shipping`, fingerprint: 'lastmod:2026-11-01' },
      { path: `${base}/help/returns` },
    ]);
    expect(hits.filter((url) => url === '/sitemap.xml')).toHaveLength(1);
    expect(await sitemapSource(`${base}/loop-1.xml`, local).list()).toEqual([]);
    expect(await sitemapSource(`${base}/sitemap.xml`, { ...local, maxPages: 1 }).list()).toHaveLength(1);
  });

  it('fails the listing clearly for a missing or invalid sitemap', async () => {
    await expect(sitemapSource(`${base}/missing.xml`, local).list()).rejects.toMatchObject({ code: 'http_404' });
    await expect(sitemapSource(`${base}/not-a-sitemap.xml`, local).list()).rejects.toThrow(/not a sitemap/);
  });
});

describe('fetchBytes and urlSource', () => {
  it('reads pages, follows redirects, and reports 404, slow and oversized responses with codes', async () => {
    const page = await fetchBytes(`${base}/moved`, local);
    expect(page.url).toBe(`${base}/help/shipping`);
    expect(new TextDecoder().decode(page.bytes)).toContain('订单满 99 元免运费');
    const source = urlSource([`${base}/help/shipping`, `${base}/help/shipping`, `${base}/gone`], local);
    expect(await source.list()).toEqual([{ path: `${base}/help/shipping` }, { path: `${base}/gone` }]);
    await expect(source.read(`${base}/gone`)).rejects.toMatchObject({ code: 'http_404' });
    await expect(fetchBytes(`${base}/slow`, { ...local, timeoutMs: 200 })).rejects.toMatchObject({ code: 'timeout' });
    await expect(fetchBytes(`${base}/big`, { ...local, maxBytes: 1000 })).rejects.toMatchObject({ code: 'too_large' });
  });
});

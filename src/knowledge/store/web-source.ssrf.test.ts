import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBytes, isNonPublicAddress, sitemapSource, urlSource } from './web-source.js';

// Threat: a tenant-supplied URL or sitemap makes kefu fetch internal services (its own admin API,
// a database console, the cloud metadata endpoint) — server-side request forgery.
let server: Server;
const hosts: string[] = [];
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/redirect-to-metadata')
      return void response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    hosts.push(request.headers.host ?? '');
    response.writeHead(200, { 'content-type': 'text/plain' }).end('internal secret');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('web sources refuse internal addresses', () => {
  it('classifies loopback, private, link-local, CGNAT, IPv6 local and mapped addresses as non-public', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
    ]) {
      expect(isNonPublicAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '114.114.114.114', '2400:3200::1'])
      expect(isNonPublicAddress(address), address).toBe(false);
  });

  it('does not fetch a loopback URL, a metadata IP or a non-http scheme', async () => {
    await expect(fetchBytes(`${base}/admin`)).rejects.toMatchObject({ code: 'blocked_address' });
    await expect(fetchBytes('http://169.254.169.254/latest/meta-data/')).rejects.toMatchObject({
      code: 'blocked_address',
    });
    await expect(fetchBytes('http://localhost:1/')).rejects.toMatchObject({ code: 'blocked_address' });
    await expect(fetchBytes('file:///etc/passwd')).rejects.toMatchObject({ code: 'unsupported_url' });
    await expect(urlSource([`${base}/admin`]).read(`${base}/admin`)).rejects.toMatchObject({ code: 'blocked_address' });
    await expect(sitemapSource(`${base}/sitemap.xml`).list()).rejects.toMatchObject({ code: 'blocked_address' });
  });

  it('checks every redirect hop, so a public page cannot bounce the request inside', async () => {
    // shop.example "resolves" to a public address; the test fetch serves it from the local server,
    // whose answer is a redirect to the metadata endpoint.
    const requested: string[] = [];
    const guarded = fetchBytes('http://shop.example/redirect-to-metadata', {
      resolve: async () => ['93.184.216.34'],
      fetch: async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : input);
        requested.push(url.href);
        return fetch(`${base}${url.pathname}`, init);
      },
    });
    await expect(guarded).rejects.toMatchObject({ code: 'blocked_address' });
    expect(requested).toEqual(['http://shop.example/redirect-to-metadata']);
  });

  it('refuses a host name that resolves to 127.0.0.1 unless private networks are allowed', async () => {
    const port = (server.address() as AddressInfo).port;
    const resolve = async (): Promise<string[]> => ['127.0.0.1'];
    await expect(fetchBytes(`http://intranet.example:${port}/`, { resolve })).rejects.toMatchObject({
      code: 'blocked_address',
    });
    await expect(
      urlSource([`http://intranet.example:${port}/`], { resolve }).read(`http://intranet.example:${port}/`),
    ).rejects.toMatchObject({ code: 'blocked_address' });
    const allowed = await fetchBytes(`http://intranet.example:${port}/page`, { resolve, allowPrivateNetwork: true });
    expect(new TextDecoder().decode(allowed.bytes)).toBe('internal secret');
  });

  it('connects to the address it vetted, so a second (rebinding) DNS answer is never used', async () => {
    // DNS rebinding: a name answers with a public address for the check, then with 127.0.0.1 for
    // the connection. kefu resolves once and connects to that address; the name below does not
    // exist in real DNS, so the page can only arrive if the connection used the vetted answer.
    const port = (server.address() as AddressInfo).port;
    let lookups = 0;
    const resolve = async (): Promise<string[]> => {
      lookups += 1;
      return lookups === 1 ? ['127.0.0.1'] : ['203.0.113.7'];
    };
    hosts.length = 0;
    const page = await fetchBytes(`http://pinned.invalid:${port}/doc`, { resolve, allowPrivateNetwork: true });
    expect(new TextDecoder().decode(page.bytes)).toBe('internal secret');
    expect(lookups).toBe(1);
    expect(hosts).toEqual([`pinned.invalid:${port}`]);

    // And the other way round: vetted public, re-resolving to loopback would reach the server.
    let calls = 0;
    const rebinding = async (): Promise<string[]> => (++calls === 1 ? ['93.184.216.34'] : ['127.0.0.1']);
    await expect(
      fetchBytes(`http://rebind.invalid:${port}/doc`, { resolve: rebinding, timeoutMs: 300 }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^(timeout|network_error)$/) });
    expect(calls).toBe(1);
  });
});

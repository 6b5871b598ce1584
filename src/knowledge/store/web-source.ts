import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { XMLParser } from 'fast-xml-parser';
import type { SourceItem, SourceReader } from './folder-source.js';

/** A per-item read failure with a stable code (`http_404`, `timeout`, `blocked_address`, …) for the change report. */
export class SourceReadError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SourceReadError';
  }
}

export interface WebSourceOptions {
  /**
   * Replaces the HTTP client (tests, an egress proxy). Without it kefu connects to the address it
   * resolved and vetted itself; an injected fetch resolves the name again, so it must be trusted
   * not to follow a rebinding DNS answer.
   */
  fetch?: typeof fetch;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Largest page or file read (default 20 MB). */
  maxBytes?: number;
  /** Pages a sitemap may list (default 2,000). */
  maxPages?: number;
  /**
   * Allow loopback, private, link-local and other non-public addresses (default false). Tenants
   * give us URLs; without this guard a sitemap could make kefu fetch its own admin port or a cloud
   * metadata endpoint (169.254.169.254).
   */
  allowPrivateNetwork?: boolean;
  userAgent?: string;
  /** Host name → addresses (default: the system resolver); injectable for tests. */
  resolve?: (host: string) => Promise<string[]>;
}

function ipv4Blocked(address: string): boolean {
  const [a, b] = address.split('.').map(Number) as [number, number, number, number];
  return (
    a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 198 && (b === 18 || b === 19)) || a >= 224
  );
}

/** Loopback, private, link-local, CGNAT, multicast and reserved addresses (IPv4, IPv6, IPv4-mapped IPv6). */
export function isNonPublicAddress(address: string): boolean {
  if (isIP(address) === 4) return ipv4Blocked(address);
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return ipv4Blocked(mapped[1]!);
  return lower === '::' || lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || lower.startsWith('ff');
}

/**
 * Resolves the host once and vets every address (unless private networks are allowed). The caller
 * connects to the returned address, never to the name again: resolving twice would let a DNS
 * answer with a short TTL switch to 127.0.0.1 between the check and the connection (DNS rebinding).
 */
async function vetAddress(url: URL, options: WebSourceOptions): Promise<{ address: string; family: 4 | 6 }> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SourceReadError('unsupported_url', `${url.href}: only http and https URLs can be synced`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const resolve = options.resolve ?? (async (name: string) => (await lookup(name, { all: true })).map((entry) => entry.address));
  const addresses = isIP(host)
    ? [host]
    : await resolve(host).catch((error: unknown) => {
        throw new SourceReadError('dns_failed', `${url.host} could not be resolved`, { cause: error });
      });
  if (addresses.length === 0) throw new SourceReadError('dns_failed', `${url.host} has no address`);
  if (!options.allowPrivateNetwork && addresses.some(isNonPublicAddress)) throw new SourceReadError('blocked_address', `${url.host} resolves to a non-public address; kefu does not fetch internal networks`);
  const address = addresses[0]!;
  return { address, family: isIP(address) === 6 ? 6 : 4 };
}

/**
 * A GET over node:http(s) whose socket connects to `pinned` (the Host header and TLS server name
 * stay the URL's host, so virtual hosts and certificates work as usual).
 */
function pinnedGet(url: URL, pinned: { address: string; family: 4 | 6 }, init: { headers: Record<string, string>; signal: AbortSignal }): Promise<Response> {
  return new Promise((resolvePromise, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: 'GET',
        headers: init.headers,
        signal: init.signal,
        lookup: (_host, options, callback) => {
          // Node asks for all addresses when autoSelectFamily is on; answer in the shape it asked for.
          if ((options as { all?: boolean }).all) (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [pinned]);
          else callback(null, pinned.address, pinned.family);
        },
      },
      (response) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value === undefined) continue;
          for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
        }
        const status = response.statusCode ?? 502;
        const body = status === 204 || status === 304 ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
        if (body === null) response.resume();
        resolvePromise(new Response(body, { status: status < 200 || status > 599 ? 502 : status, headers }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** GET with the address guard on every redirect hop, a timeout and a size cap. */
export async function fetchBytes(href: string, options: WebSourceOptions = {}): Promise<{ bytes: Uint8Array; url: string }> {
  const maxBytes = options.maxBytes ?? 20 * 1024 * 1024;
  let url = new URL(href);
  for (let hop = 0; hop <= 5; hop += 1) {
    const pinned = await vetAddress(url, options);
    let response: Response;
    try {
      const headers = { 'user-agent': options.userAgent ?? 'kefu-knowledge-sync/1.0', accept: '*/*' };
      const signal = AbortSignal.timeout(options.timeoutMs ?? 15_000);
      // An injected fetch (tests, proxies) gets the URL; the default connects to the vetted address.
      response = options.fetch ? await options.fetch(url, { redirect: 'manual', headers, signal }) : await pinnedGet(url, pinned, { headers, signal });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new SourceReadError('timeout', `${url.href} did not answer within ${options.timeoutMs ?? 15_000} ms`, { cause: error });
      throw new SourceReadError('network_error', `${url.href} could not be fetched: ${(error as Error).message}`, { cause: error });
    }
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
      await response.body?.cancel();
      url = new URL(response.headers.get('location')!, url);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new SourceReadError(`http_${response.status}`, `${url.href} returned HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw new SourceReadError('too_large', `${url.href} is larger than ${maxBytes} bytes`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of response.body ?? []) {
        total += (chunk as Uint8Array).byteLength;
        if (total > maxBytes) throw new SourceReadError('too_large', `${url.href} is larger than ${maxBytes} bytes`);
        chunks.push(chunk as Uint8Array);
      }
    } catch (error) {
      if (error instanceof SourceReadError) throw error;
      const name = (error as Error).name;
      throw new SourceReadError(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network_error', `${url.href} broke off: ${(error as Error).message}`, { cause: error });
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return { bytes, url: url.href };
  }
  throw new SourceReadError('too_many_redirects', `${href} redirects more than 5 times`);
}

/** A fixed list of URLs (pages or files). */
export function urlSource(urls: readonly string[], options: WebSourceOptions = {}): SourceReader {
  return {
    list: async () => [...new Set(urls)].map((path) => ({ path })),
    read: async (path) => (await fetchBytes(path, options)).bytes,
  };
}

const sitemapParser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, isArray: (name) => name === 'url' || name === 'sitemap' });

/**
 * Every page a sitemap (or sitemap index, followed to depth 5) lists, same host only, at most
 * `maxPages`. A sitemap that lists itself or loops through other sitemaps is read once. `<lastmod>`
 * becomes the fingerprint, so an unchanged page is not fetched again.
 */
export function sitemapSource(sitemapUrl: string, options: WebSourceOptions = {}): SourceReader {
  const maxPages = options.maxPages ?? 2000;
  return {
    async list() {
      const root = new URL(sitemapUrl);
      const visited = new Set<string>();
      const pages = new Map<string, SourceItem>();
      const visit = async (href: string, depth: number): Promise<void> => {
        if (visited.has(href) || depth > 5 || pages.size >= maxPages) return;
        visited.add(href);
        const { bytes } = await fetchBytes(href, options);
        let document: Record<string, { url?: { loc?: string; lastmod?: string }[]; sitemap?: { loc?: string }[] }>;
        try {
          document = sitemapParser.parse(new TextDecoder().decode(bytes)) as typeof document;
        } catch (error) {
          throw new Error(`${href} is not a sitemap: ${(error as Error).message}`);
        }
        for (const entry of document.sitemapindex?.sitemap ?? []) {
          const location = entry.loc?.trim();
          if (location && new URL(location, href).host === root.host) await visit(new URL(location, href).href, depth + 1);
        }
        for (const entry of document.urlset?.url ?? []) {
          const location = entry.loc?.trim();
          if (!location || pages.size >= maxPages) continue;
          const page = new URL(location, href);
          if (page.host !== root.host) continue;
          page.hash = '';
          pages.set(page.href, { path: page.href, ...(entry.lastmod ? { fingerprint: `lastmod:${entry.lastmod.trim()}` } : {}) });
        }
        if (document.urlset === undefined && document.sitemapindex === undefined) throw new Error(`${href} is not a sitemap (no <urlset> or <sitemapindex>)`);
      };
      await visit(root.href, 0);
      return [...pages.values()];
    },
    read: async (path) => (await fetchBytes(path, options)).bytes,
  };
}

import { pinnedRequest, UnsafeUrlError, vetUrl, type PinnedAddress } from '../../net/safe-fetch.js';
import { XMLParser } from 'fast-xml-parser';
import type { SourceItem, SourceReader } from './folder-source.js';

export { isNonPublicAddress } from '../../net/public-address.js';

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

/**
 * Resolves the host once and vets every address (unless private networks are allowed); the
 * caller connects to the returned address (src/net/safe-fetch.ts).
 */
async function vetAddress(url: URL, options: WebSourceOptions): Promise<PinnedAddress> {
  try {
    return await vetUrl(url, options);
  } catch (error) {
    if (error instanceof UnsafeUrlError) {
      const message =
        error.code === 'unsupported_url' ? `${url.href}: only http and https URLs can be synced` : error.message;
      throw new SourceReadError(error.code, message, { cause: error });
    }
    throw error;
  }
}

/** GET with the address guard on every redirect hop, a timeout and a size cap. */
export async function fetchBytes(
  href: string,
  options: WebSourceOptions = {},
): Promise<{ bytes: Uint8Array; url: string }> {
  const maxBytes = options.maxBytes ?? 20 * 1024 * 1024;
  let url = new URL(href);
  for (let hop = 0; hop <= 5; hop += 1) {
    const pinned = await vetAddress(url, options);
    let response: Response;
    try {
      const headers = { 'user-agent': options.userAgent ?? 'kefu-knowledge-sync/1.0', accept: '*/*' };
      const signal = AbortSignal.timeout(options.timeoutMs ?? 15_000);
      // An injected fetch (tests, proxies) gets the URL; the default connects to the vetted address.
      response = options.fetch
        ? await options.fetch(url, { redirect: 'manual', headers, signal })
        : await pinnedRequest(url, pinned, { headers, signal });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new SourceReadError('timeout', `${url.href} did not answer within ${options.timeoutMs ?? 15_000} ms`, {
          cause: error,
        });
      throw new SourceReadError('network_error', `${url.href} could not be fetched: ${(error as Error).message}`, {
        cause: error,
      });
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
      throw new SourceReadError(
        name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network_error',
        `${url.href} broke off: ${(error as Error).message}`,
        { cause: error },
      );
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

const sitemapParser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  isArray: (name) => name === 'url' || name === 'sitemap',
});

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
          throw new Error(`${href} is not a sitemap: ${(error as Error).message}`, { cause: error });
        }
        for (const entry of document.sitemapindex?.sitemap ?? []) {
          const location = entry.loc?.trim();
          if (location && new URL(location, href).host === root.host)
            await visit(new URL(location, href).href, depth + 1);
        }
        for (const entry of document.urlset?.url ?? []) {
          const location = entry.loc?.trim();
          if (!location || pages.size >= maxPages) continue;
          const page = new URL(location, href);
          if (page.host !== root.host) continue;
          page.hash = '';
          pages.set(page.href, {
            path: page.href,
            ...(entry.lastmod ? { fingerprint: `lastmod:${entry.lastmod.trim()}` } : {}),
          });
        }
        if (document.urlset === undefined && document.sitemapindex === undefined)
          throw new Error(`${href} is not a sitemap (no <urlset> or <sitemapindex>)`);
      };
      await visit(root.href, 0);
      return [...pages.values()];
    },
    read: async (path) => (await fetchBytes(path, options)).bytes,
  };
}

import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { isNonPublicAddress } from './public-address.js';

/**
 * The one way kefu calls a URL a tenant gave it (webhooks, knowledge sources). The host name is
 * resolved once, every address is vetted, and the connection goes to the vetted address: a name
 * is never resolved a second time, which would let a DNS answer with a short TTL switch to
 * 127.0.0.1 between the check and the connection (DNS rebinding). Redirects are not followed
 * here; a caller that follows one calls again, so every hop is vetted.
 */

export type SafeFetchFailure = 'unsupported_url' | 'dns_failed' | 'blocked_address';

export class UnsafeUrlError extends Error {
  constructor(
    readonly code: SafeFetchFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UnsafeUrlError';
  }
}

export interface SafeFetchOptions {
  /** Allow loopback, private and other non-public addresses (default false: an operator's choice). */
  allowPrivateNetwork?: boolean;
  /** Host name → addresses (default: the system resolver); injectable for tests. */
  resolve?: (host: string) => Promise<string[]>;
}

export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

const systemResolve = async (name: string) => (await lookup(name, { all: true })).map((entry) => entry.address);

/** Checks a URL's scheme and every address of its host; returns the address to connect to. */
export async function vetUrl(url: URL, options: SafeFetchOptions = {}): Promise<PinnedAddress> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnsafeUrlError('unsupported_url', `${url.href}: only http and https URLs are allowed`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await (options.resolve ?? systemResolve)(host).catch((error: unknown) => {
        throw new UnsafeUrlError('dns_failed', `${url.host} could not be resolved`, { cause: error });
      });
  if (addresses.length === 0) throw new UnsafeUrlError('dns_failed', `${url.host} has no address`);
  if (!options.allowPrivateNetwork && addresses.some(isNonPublicAddress)) {
    throw new UnsafeUrlError(
      'blocked_address',
      `${url.host} is a non-public address; kefu does not call internal networks`,
    );
  }
  const address = addresses[0]!;
  return { address, family: isIP(address) === 6 ? 6 : 4 };
}

export interface SafeRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

/**
 * A request over node:http(s) whose socket connects to `pinned` (the Host header and the TLS
 * server name stay the URL's host, so virtual hosts and certificates work as usual).
 */
export function pinnedRequest(url: URL, pinned: PinnedAddress, init: SafeRequestInit = {}): Promise<Response> {
  return new Promise((resolvePromise, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        ...(init.signal ? { signal: init.signal } : {}),
        lookup: (_host, options, callback) => {
          // Node asks for all addresses when autoSelectFamily is on; answer in the shape it asked for.
          if ((options as { all?: boolean }).all) {
            (callback as unknown as (error: null, addresses: PinnedAddress[]) => void)(null, [pinned]);
          } else {
            callback(null, pinned.address, pinned.family);
          }
        },
      },
      (response) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value === undefined) continue;
          for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
        }
        const status = response.statusCode ?? 502;
        const empty = status === 204 || status === 304 || init.method === 'HEAD';
        const body = empty ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
        if (body === null) response.resume();
        resolvePromise(new Response(body, { status: status < 200 || status > 599 ? 502 : status, headers }));
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
}

/** Vets the URL, then calls the vetted address. Redirects come back as 3xx responses. */
export async function safeFetch(
  href: string | URL,
  init: SafeRequestInit = {},
  options: SafeFetchOptions = {},
): Promise<Response> {
  const url = typeof href === 'string' ? new URL(href) : href;
  const pinned = await vetUrl(url, options);
  return pinnedRequest(url, pinned, init);
}

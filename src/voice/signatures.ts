import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio's request signature (X-Twilio-Signature): base64 HMAC-SHA1, keyed with the account's
 * auth token, of the full URL Twilio requested followed by every POST parameter's name and value,
 * sorted by name (a repeated name: each of its values, in sorted order).
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string | string[]>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const values = [params[name]!].flat().sort();
    for (const value of values) data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * Checks a Twilio signature against the URL as given and as Twilio may have written it (with or
 * without the default port), since a proxy in front of kefu can change either.
 */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string | string[]>,
  signature: string,
): boolean {
  const candidates = new Set([url]);
  try {
    const parsed = new URL(url);
    const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
    if (parsed.port) {
      const without = new URL(url);
      without.port = '';
      candidates.add(without.toString());
    } else {
      candidates.add(`${parsed.protocol}//${parsed.hostname}:${defaultPort}${parsed.pathname}${parsed.search}`);
    }
  } catch {
    return false;
  }
  return [...candidates].some((candidate) => safeEqual(twilioSignature(authToken, candidate, params), signature));
}

/** kefu's HMAC for the generic webhook and CTI events: hex HMAC-SHA256 of `timestamp.nonce.body`. */
export function kefuSignature(secret: string, timestamp: string, nonce: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${nonce}.${body}`, 'utf8').digest('hex')}`;
}

/** The cloud call-centre style: base64 HMAC-SHA256 of `timestamp\nnonce\nbody`. */
export function cloudSignature(secret: string, timestamp: string, nonce: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${nonce}\n${body}`, 'utf8').digest('base64');
}

/** HTTP Basic credentials as FreeSWITCH mod_httapi sends them (its `auth-scheme` basic). */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Compares in constant time (different lengths are simply unequal). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a widget contact token proves: this browser is this contact of this tenant. */
export interface WidgetTokenClaims {
  tenantId: string;
  contactId: string;
  identityId: string;
  /** Must equal the identity's token_version; bumping it revokes every token issued before. */
  version: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export const WIDGET_TOKEN_PREFIX = 'kefu_wt.';

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function issueWidgetToken(claims: WidgetTokenClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${WIDGET_TOKEN_PREFIX}${payload}.${sign(payload, secret)}`;
}

/** Returns the claims of a well-formed, correctly signed, unexpired token; otherwise null. */
export function readWidgetToken(token: string, secret: string, now = Date.now()): WidgetTokenClaims | null {
  if (!token.startsWith(WIDGET_TOKEN_PREFIX) || token.length > 2048) return null;
  const [payload, signature] = token.slice(WIDGET_TOKEN_PREFIX.length).split('.');
  if (!payload || !signature) return null;
  const expected = Buffer.from(sign(payload, secret));
  const actual = Buffer.from(signature);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as WidgetTokenClaims;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return null;
    if (
      typeof claims.tenantId !== 'string' ||
      typeof claims.contactId !== 'string' ||
      typeof claims.identityId !== 'string'
    )
      return null;
    return claims;
  } catch {
    return null;
  }
}

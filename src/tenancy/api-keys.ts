import { createHash, randomUUID } from 'node:crypto';
import { KefuError, ErrorCodes } from '../errors/index.js';
import type { Db } from '../store/database.js';
import { isScope, type Scope } from './scopes.js';
import { randomBase62 } from './random-base62.js';

/** Tenant secret keys look like `kefu_sk_` + 40 base62 characters, so a leaked one is greppable. */
export const API_KEY_PREFIX = 'kefu_sk_';
const KEY_BODY = /^kefu_sk_[0-9A-Za-z]{40}$/;

/** Keys carry 238 bits of randomness, so one unsalted SHA-256 is enough to store them. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface CreatedApiKey {
  id: string;
  /** The only time the plaintext key exists outside the caller's hands. */
  key: string;
  prefix: string;
  scopes: Scope[];
  expiresAt: Date | null;
}

export interface NewApiKey {
  name: string;
  scopes: readonly string[];
  expiresAt?: Date | null;
}

export async function createApiKey(db: Db, tenantId: string, input: NewApiKey): Promise<CreatedApiKey> {
  const invalid = input.scopes.filter((scope) => !isScope(scope));
  if (invalid.length > 0) throw new KefuError(ErrorCodes.validation, `unknown scope(s): ${invalid.join(', ')}`);
  if (input.scopes.length === 0) throw new KefuError(ErrorCodes.validation, 'an API key needs at least one scope');
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw new KefuError(ErrorCodes.validation, 'expiry must be in the future');
  }
  const key = API_KEY_PREFIX + randomBase62(40);
  const id = randomUUID();
  const prefix = key.slice(0, API_KEY_PREFIX.length + 6);
  const scopes = [...new Set(input.scopes)] as Scope[];
  await db
    .insertInto('api_keys')
    .values({
      id,
      tenant_id: tenantId,
      name: input.name,
      prefix,
      key_hash: hashApiKey(key),
      scopes: JSON.stringify(scopes),
      expires_at: input.expiresAt ?? null,
    })
    .execute();
  return { id, key, prefix, scopes, expiresAt: input.expiresAt ?? null };
}

export interface ApiKeyPrincipal {
  keyId: string;
  tenantId: string;
  scopes: string[];
}

export type ApiKeyCheck =
  | { ok: true; principal: ApiKeyPrincipal }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'expired' | 'tenant_suspended' };

/** Verifies a presented key. The failure reason is for logs; clients all see the same 401. */
export async function verifyApiKey(db: Db, presented: string, now = new Date()): Promise<ApiKeyCheck> {
  if (!KEY_BODY.test(presented)) return { ok: false, reason: 'malformed' };
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
    .select([
      'api_keys.id',
      'api_keys.tenant_id',
      'api_keys.scopes',
      'api_keys.expires_at',
      'api_keys.revoked_at',
      'api_keys.last_used_at',
      'tenants.status',
    ])
    .where('api_keys.key_hash', '=', hashApiKey(presented))
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'unknown' };
  // A revocation time in the future is a rotated key's grace period: it still works until then.
  if (row.revoked_at !== null && row.revoked_at.getTime() <= now.getTime()) return { ok: false, reason: 'revoked' };
  if (row.expires_at !== null && row.expires_at.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  if (row.status !== 'active') return { ok: false, reason: 'tenant_suspended' };
  // Record use at most once a minute per key so hot keys do not write on every request.
  if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { ok: true, principal: { keyId: row.id, tenantId: row.tenant_id, scopes: row.scopes } };
}

/**
 * Revokes a key now (also one still in a rotation grace period). There is no per-process key
 * cache: every request reads the key's row, so revocation holds on every node at once.
 */
export async function revokeApiKey(db: Db, tenantId: string, keyId: string, now = new Date()): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', keyId)
    .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** What may be shown about a key: never its hash. */
export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  rotatedAt: Date | null;
  replacedBy: string | null;
  createdAt: Date;
}

export async function listApiKeys(db: Db, tenantId: string): Promise<ApiKeySummary[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select([
      'id',
      'name',
      'prefix',
      'scopes',
      'expires_at',
      'last_used_at',
      'revoked_at',
      'rotated_at',
      'replaced_by',
      'created_at',
    ])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    rotatedAt: row.rotated_at,
    replacedBy: row.replaced_by,
    createdAt: row.created_at,
  }));
}

export interface RotateApiKeyOptions {
  /** How long the old key keeps working; 0 (the default) revokes it at once. */
  graceSeconds?: number;
  /** Expiry of the new key; by default the old key's, if that is still ahead. */
  expiresAt?: Date | null;
  now?: Date;
}

/**
 * Replaces a key with a new one (same name and scopes), returned once. The old key is claimed
 * with a conditional update before anything else, so of two concurrent rotations of one key
 * exactly one succeeds and the other gets 409. Run it inside a transaction (with its audit entry)
 * so a failed rotation leaves no new key behind.
 */
export async function rotateApiKey(
  db: Db,
  tenantId: string,
  keyId: string,
  options: RotateApiKeyOptions = {},
): Promise<{ previous: ApiKeySummary; created: CreatedApiKey }> {
  const now = options.now ?? new Date();
  const graceSeconds = options.graceSeconds ?? 0;
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > 30 * 86_400) {
    throw new KefuError(ErrorCodes.validation, 'graceSeconds must be a whole number from 0 to 2592000 (30 days)');
  }
  const revokeAt = new Date(now.getTime() + graceSeconds * 1000);
  const claimed = await db
    .updateTable('api_keys')
    .set({ rotated_at: now, revoked_at: revokeAt })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', keyId)
    .where('rotated_at', 'is', null)
    .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', now)]))
    .returning(['name', 'scopes', 'expires_at'])
    .executeTakeFirst();
  if (!claimed) {
    const exists = await db
      .selectFrom('api_keys')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', keyId)
      .executeTakeFirst();
    if (!exists) throw new KefuError(ErrorCodes.apiKeyNotFound, 'API key not found', { status: 404 });
    throw new KefuError(ErrorCodes.apiKeyAlreadyRotated, 'this key was already rotated or revoked', { status: 409 });
  }
  const inheritedExpiry =
    claimed.expires_at && claimed.expires_at.getTime() > now.getTime() ? claimed.expires_at : null;
  const created = await createApiKey(db, tenantId, {
    name: claimed.name,
    scopes: claimed.scopes,
    expiresAt: options.expiresAt === undefined ? inheritedExpiry : options.expiresAt,
  });
  await db
    .updateTable('api_keys')
    .set({ replaced_by: created.id })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', keyId)
    .execute();
  const previous = (await listApiKeys(db, tenantId)).find((key) => key.id === keyId)!;
  return { previous, created };
}

import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/database.js';
import { randomBase62 } from '../tenancy/random-base62.js';

/** Operator (reseller) keys: `kefu_op_` + 40 base62 characters, never valid as tenant keys. */
export const OPERATOR_KEY_PREFIX = 'kefu_op_';
const KEY_BODY = /^kefu_op_[0-9A-Za-z_-]{24,200}$/;
/** The actor id of the fixed key from KEFU_OPERATOR_KEY (it has no row). */
export const BOOTSTRAP_OPERATOR_ID = 'bootstrap';

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export interface OperatorPrincipal {
  /** The operator key's id, or `bootstrap` for KEFU_OPERATOR_KEY. */
  keyId: string;
  name: string;
}

export interface CreatedOperatorKey {
  id: string;
  name: string;
  prefix: string;
  /** Shown once; only its hash is stored. */
  key: string;
}

export async function createOperatorKey(db: Db, name: string): Promise<CreatedOperatorKey> {
  const key = OPERATOR_KEY_PREFIX + randomBase62(40);
  const id = randomUUID();
  const prefix = key.slice(0, OPERATOR_KEY_PREFIX.length + 6);
  await db
    .insertInto('operator_keys')
    .values({ id, name, prefix, key_hash: hashKey(key).toString('hex') })
    .execute();
  return { id, name, prefix, key };
}

export type OperatorKeyCheck =
  { ok: true; principal: OperatorPrincipal } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' };

/**
 * Checks a presented operator key: the KEFU_OPERATOR_KEY bootstrap key (its hash compared in
 * constant time), else a stored key by its hash. No cache: a revoked key fails on every node at once.
 */
export async function verifyOperatorKey(
  db: Db,
  presented: string,
  bootstrapKey?: string,
  now = new Date(),
): Promise<OperatorKeyCheck> {
  if (!KEY_BODY.test(presented)) return { ok: false, reason: 'malformed' };
  const presentedHash = hashKey(presented);
  if (bootstrapKey && timingSafeEqual(presentedHash, hashKey(bootstrapKey))) {
    return { ok: true, principal: { keyId: BOOTSTRAP_OPERATOR_ID, name: 'KEFU_OPERATOR_KEY' } };
  }
  const row = await db
    .selectFrom('operator_keys')
    .select(['id', 'name', 'revoked_at', 'last_used_at'])
    .where('key_hash', '=', presentedHash.toString('hex'))
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
  if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable('operator_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { ok: true, principal: { keyId: row.id, name: row.name } };
}

export interface OperatorKeySummary {
  id: string;
  name: string;
  prefix: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export async function listOperatorKeys(db: Db): Promise<OperatorKeySummary[]> {
  const rows = await db
    .selectFrom('operator_keys')
    .select(['id', 'name', 'prefix', 'last_used_at', 'revoked_at', 'created_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
  }));
}

export async function revokeOperatorKey(db: Db, keyId: string): Promise<boolean> {
  const result = await db
    .updateTable('operator_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

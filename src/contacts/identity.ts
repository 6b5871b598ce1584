import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';
import { createContact, mergeContacts, resolveContact } from './contact-store.js';
import { DEFAULT_ID_SOURCE } from './profile.js';

/**
 * Widget identity verification, the way Intercom does it: the business's server computes
 * `userHash = hex(HMAC-SHA256(identity secret, userId))` and the page passes both to the widget.
 * kefu recomputes it; a session whose hash matches speaks for the contact with that user id
 * (external id of source `user`), and only such a session reaches the profile. A wrong hash is
 * refused, never quietly downgraded, so a forged id is visible to whoever integrates.
 */

export function signUserId(userId: string, secret: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/** Constant-time check of a hex HMAC-SHA256 of `userId`. */
export function verifyUserHash(userId: string, userHash: string, secret: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(userHash)) return false;
  const expected = Buffer.from(signUserId(userId, secret), 'hex');
  const actual = Buffer.from(userHash.toLowerCase(), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export async function readIdentitySecret(db: Db, tenantId: string): Promise<string | null> {
  const row = await db
    .selectFrom('contact_identity_secrets')
    .select('secret')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return row?.secret ?? null;
}

/** Creates (or, with `rotate`, replaces) the tenant's identity secret and returns it. */
export async function ensureIdentitySecret(db: Db, tenantId: string, rotate = false): Promise<string> {
  const existing = await readIdentitySecret(db, tenantId);
  if (existing && !rotate) return existing;
  const secret = `kefu_is_${randomBytes(32).toString('base64url')}`;
  await db
    .insertInto('contact_identity_secrets')
    .values({ tenant_id: tenantId, secret })
    .onConflict((conflict) => conflict.column('tenant_id').doUpdateSet({ secret, created_at: new Date() }))
    .execute();
  return secret;
}

const invalid = () =>
  new KefuError(
    ErrorCodes.identitySignatureInvalid,
    'the user id signature (userHash) does not match: sign the user id with this tenant’s identity secret (HMAC-SHA256, hex)',
    { status: 401 },
  );

/**
 * Checks a widget session's claimed user. Returns null for an anonymous session (no userId),
 * the verified user id otherwise; throws 401 for a missing or forged hash, or when the tenant
 * has no identity secret yet (nothing could have signed it).
 */
export async function verifyWidgetUser(
  db: Db,
  tenantId: string,
  claim: { userId?: string | undefined; userHash?: string | undefined },
): Promise<string | null> {
  if (claim.userId === undefined && claim.userHash === undefined) return null;
  if (!claim.userId || !claim.userHash) throw invalid();
  const secret = await readIdentitySecret(db, tenantId);
  if (!secret || !verifyUserHash(claim.userId, claim.userHash, secret)) throw invalid();
  return claim.userId;
}

/**
 * After a verified session start: the widget identity (`identityId`, currently on `contactId`)
 * belongs to the contact with external id `user:userId`. An anonymous contact the visitor had is
 * merged into it (audited); a user id kefu has not seen yet gets a contact of its own. Returns the
 * contact the session now speaks for.
 */
export async function linkVerifiedIdentity(
  db: Db,
  tenantId: string,
  input: { identityId: string; contactId: string; userId: string },
): Promise<string> {
  let owner = await resolveContact(db, tenantId, { externalId: input.userId, source: DEFAULT_ID_SOURCE });
  if (!owner) {
    owner = (await createContact(db, tenantId, { externalIds: [{ source: DEFAULT_ID_SOURCE, id: input.userId }] })).id;
  }
  if (owner !== input.contactId) {
    // Only an anonymous contact folds in: one with an external id of its own is another customer.
    const hasIds = await db
      .selectFrom('contact_external_ids')
      .select('contact_id')
      .where('tenant_id', '=', tenantId)
      .where('contact_id', '=', input.contactId)
      .executeTakeFirst();
    if (hasIds) {
      await db
        .updateTable('contact_identities')
        .set({ contact_id: owner, token_version: (eb) => eb('token_version', '+', 1) })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', input.identityId)
        .execute();
    } else {
      await mergeContacts(db, tenantId, owner, input.contactId, {
        source: 'widget',
        reason: 'verified widget sign-in',
      });
    }
  }
  await db
    .insertInto('widget_verified_identities')
    .values({ identity_id: input.identityId, tenant_id: tenantId, user_id: input.userId })
    .onConflict((conflict) =>
      conflict.column('identity_id').doUpdateSet({ user_id: input.userId, verified_at: new Date() }),
    )
    .execute();
  return owner;
}

/** The verified user id of a widget identity, or null (anonymous, or verified as someone else). */
export async function verifiedUserOf(db: Db, tenantId: string, identityId: string): Promise<string | null> {
  const row = await db
    .selectFrom('widget_verified_identities')
    .select('user_id')
    .where('tenant_id', '=', tenantId)
    .where('identity_id', '=', identityId)
    .executeTakeFirst();
  return row?.user_id ?? null;
}

import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';

/** How far a signed request's timestamp may be from kefu's clock. */
export const REPLAY_WINDOW_SECONDS = 300;

/**
 * Refuses a signed request whose timestamp is outside the window or whose nonce this tenant has
 * already used: a captured request replayed later, or at once, is refused with a clear error.
 * The nonce is remembered for twice the window (after that its timestamp alone refuses it).
 */
export async function checkReplay(
  db: Db,
  tenantId: string,
  timestamp: string | undefined,
  nonce: string | undefined,
  now: Date = new Date(),
): Promise<void> {
  const seconds = Number(timestamp);
  if (!timestamp || !Number.isFinite(seconds)) {
    throw new KefuError(ErrorCodes.voiceRequestExpired, 'the request carries no valid timestamp', { status: 401 });
  }
  // Milliseconds are accepted too (some platforms send them).
  const at = seconds > 1e11 ? seconds / 1000 : seconds;
  if (Math.abs(now.getTime() / 1000 - at) > REPLAY_WINDOW_SECONDS) {
    throw new KefuError(
      ErrorCodes.voiceRequestExpired,
      `the request's timestamp is more than ${REPLAY_WINDOW_SECONDS} seconds from the server's clock`,
      { status: 401 },
    );
  }
  if (!nonce || nonce.length < 8 || nonce.length > 128) {
    throw new KefuError(ErrorCodes.voiceRequestReplayed, 'the request carries no valid nonce (8 to 128 characters)', {
      status: 401,
    });
  }
  const inserted = await db
    .insertInto('voice_nonces')
    .values({ tenant_id: tenantId, nonce, expires_at: new Date(now.getTime() + REPLAY_WINDOW_SECONDS * 2000) })
    .onConflict((conflict) => conflict.columns(['tenant_id', 'nonce']).doNothing())
    .returning(['nonce'])
    .executeTakeFirst();
  if (!inserted) {
    throw new KefuError(ErrorCodes.voiceRequestReplayed, 'this request was already received (nonce reused)', {
      status: 401,
    });
  }
}

/** Forgets nonces whose window has passed. */
export async function pruneNonces(db: Db, now: Date = new Date()): Promise<void> {
  await db.deleteFrom('voice_nonces').where('expires_at', '<', now).execute();
}

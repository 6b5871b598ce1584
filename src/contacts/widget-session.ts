import type { EventBus } from '../bus/index.js';
import { OutreachService } from '../outreach/outreach-service.js';
import { widgetPresence } from '../outreach/widget-presence.js';
import type { Db } from '../store/database.js';
import { refreshTemplateView } from './contact-store.js';
import { linkVerifiedIdentity, verifiedUserOf } from './identity.js';

/**
 * The widget session route's two personal steps (src/server/routes/widget.ts).
 *
 * Before: a visitor id that was signed in (verified) may only be resumed by a session signed for
 * the same user; anyone else (an anonymous start, another user) gets a fresh visitor, so knowing
 * a visitor id never reaches a verified customer's account data.
 */
export async function mustStartFreshVisitor(
  db: Db,
  tenantId: string,
  identityId: string,
  verifiedUser: string | null,
): Promise<boolean> {
  const verifiedAs = await verifiedUserOf(db, tenantId, identityId);
  return verifiedAs !== null && verifiedAs !== verifiedUser;
}

/**
 * After: a verified session's identity is linked to the user's contact (an anonymous contact it
 * had is merged in, audited), and messages queued for the contact appear in the conversation.
 * Returns the contact the session speaks for.
 */
export async function completeWidgetSession(
  deps: { db: Db; bus: EventBus },
  input: {
    tenantId: string;
    visitorId: string;
    contactId: string;
    conversationId: string;
    verifiedUser: string | null;
    /** A visitor seen for the first time (a contact created with this session). */
    newVisitor?: boolean;
  },
): Promise<string> {
  const { db } = deps;
  let contactId = input.contactId;
  if (input.verifiedUser) {
    const identity = await db
      .selectFrom('contact_identities')
      .select('id')
      .where('tenant_id', '=', input.tenantId)
      .where('contact_id', '=', input.contactId)
      .where('external_id', '=', input.visitorId)
      .executeTakeFirst();
    if (identity) {
      contactId = await linkVerifiedIdentity(db, input.tenantId, {
        identityId: identity.id,
        contactId: input.contactId,
        userId: input.verifiedUser,
      });
      await refreshTemplateView(db, input.tenantId, contactId);
    }
  }
  // Nothing can be queued for a contact created a moment ago, unless it was just linked to a known user.
  if (input.newVisitor && contactId === input.contactId) return contactId;
  await new OutreachService({ db, bus: deps.bus, presence: widgetPresence }).deliverQueued(
    input.tenantId,
    contactId,
    input.conversationId,
  );
  return contactId;
}

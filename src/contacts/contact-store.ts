import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';
import {
  DEFAULT_ID_SOURCE,
  EMPTY_PROFILE,
  applyInput,
  inputProblems,
  mergeProfiles,
  templateView,
  type ContactInput,
  type ContactProfile,
  type MergeOutcome,
} from './profile.js';

type ProfileFields = MergeOutcome['profile'];

/** How callers name a contact: by id, by an external id, or by a phone number or email. */
export type ContactRef =
  { id: string } | { externalId: string; source?: string } | { phone: string } | { email: string };

const notFound = () => new KefuError(ErrorCodes.contactNotFound, 'contact not found', { status: 404 });

const json = (value: unknown) => JSON.stringify(value);

/** Reads a contact's profile; a contact the widget made (no profile row yet) reads with defaults. */
export async function loadProfile(db: Db, tenantId: string, contactId: string): Promise<ContactProfile | null> {
  if (!/^[0-9a-f-]{36}$/i.test(contactId)) return null;
  return (await loadProfiles(db, tenantId, [contactId])).get(contactId) ?? null;
}

/** Several contacts' profiles in two queries (the importer's updates), by contact id. */
export async function loadProfiles(
  db: Db,
  tenantId: string,
  contactIds: readonly string[],
): Promise<Map<string, ContactProfile>> {
  const profiles = new Map<string, ContactProfile>();
  const wanted = [...new Set(contactIds)].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (wanted.length === 0) return profiles;
  const rows = await db
    .selectFrom('contacts')
    .leftJoin('contact_profiles', 'contact_profiles.contact_id', 'contacts.id')
    .select([
      'contacts.id',
      'contacts.name',
      'contacts.phone',
      'contacts.email',
      'contacts.created_at',
      'contact_profiles.phones',
      'contact_profiles.emails',
      'contact_profiles.tags',
      'contact_profiles.custom',
      'contact_profiles.consent',
      'contact_profiles.tier',
      'contact_profiles.time_zone',
      'contact_profiles.locale',
      'contact_profiles.version',
      'contact_profiles.updated_at',
    ])
    .where('contacts.tenant_id', '=', tenantId)
    .where('contacts.id', 'in', wanted)
    .execute();
  if (rows.length === 0) return profiles;
  const ids = await db
    .selectFrom('contact_external_ids')
    .select(['contact_id', 'source', 'external_id'])
    .where('tenant_id', '=', tenantId)
    .where(
      'contact_id',
      'in',
      rows.map((row) => row.id),
    )
    .orderBy('source')
    .orderBy('external_id')
    .execute();
  const idsOf = new Map<string, Array<{ source: string; id: string }>>();
  for (const entry of ids)
    idsOf.set(entry.contact_id, [
      ...(idsOf.get(entry.contact_id) ?? []),
      { source: entry.source, id: entry.external_id },
    ]);
  for (const row of rows) profiles.set(row.id, profileOf(row, idsOf.get(row.id) ?? []));
  return profiles;
}

function profileOf(
  row: {
    id: string;
    name: string | null;
    phone: string | null;
    email: string | null;
    created_at: Date;
    phones: string[] | null;
    emails: string[] | null;
    tags: string[] | null;
    custom: Record<string, unknown> | null;
    consent: Record<string, boolean> | null;
    tier: string | null;
    time_zone: string | null;
    locale: string | null;
    version: number | null;
    updated_at: Date | null;
  },
  externalIds: Array<{ source: string; id: string }>,
): ContactProfile {
  return {
    id: row.id,
    name: row.name,
    phones: row.phones ?? (row.phone ? [row.phone] : []),
    emails: row.emails ?? (row.email ? [row.email] : []),
    externalIds,
    tier: row.tier ?? null,
    tags: row.tags ?? [],
    attributes: (row.custom ?? {}) as ContactProfile['attributes'],
    consent: row.consent ?? {},
    timeZone: row.time_zone ?? null,
    locale: row.locale ?? null,
    version: row.version ?? 0,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at ?? row.created_at).toISOString(),
  };
}

export async function requireProfile(db: Db, tenantId: string, contactId: string): Promise<ContactProfile> {
  const profile = await loadProfile(db, tenantId, contactId);
  if (!profile) throw notFound();
  return profile;
}

/** The contact a reference names in this tenant, or null. */
export async function resolveContact(db: Db, tenantId: string, ref: ContactRef): Promise<string | null> {
  if ('id' in ref) {
    if (!/^[0-9a-f-]{36}$/i.test(ref.id)) return null;
    const row = await db
      .selectFrom('contacts')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', ref.id)
      .executeTakeFirst();
    return row?.id ?? null;
  }
  if ('externalId' in ref) {
    const row = await db
      .selectFrom('contact_external_ids')
      .select('contact_id')
      .where('tenant_id', '=', tenantId)
      .where('source', '=', ref.source ?? DEFAULT_ID_SOURCE)
      .where('external_id', '=', ref.externalId)
      .executeTakeFirst();
    return row?.contact_id ?? null;
  }
  const column = 'phone' in ref ? 'phone' : 'email';
  const value = 'phone' in ref ? ref.phone.replace(/[\s().-]/g, '') : ref.email.trim().toLowerCase();
  const rows = await db
    .selectFrom('contacts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where(column, '=', value)
    .orderBy('created_at')
    .limit(2)
    .execute();
  // Two contacts share it: naming one of them would be a guess.
  return rows.length === 1 ? rows[0]!.id : null;
}

async function conversationHistory(db: Db, tenantId: string, contactId: string) {
  const row = await db
    .selectFrom('conversations')
    .select([sql<string>`count(*)`.as('count'), sql<Date | null>`max(last_message_at)`.as('last')])
    .where('tenant_id', '=', tenantId)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  return {
    conversations: Number(row?.count ?? 0),
    lastSeenAt: row?.last ? new Date(row.last).toISOString() : null,
  };
}

/** Writes the profile row and the contacts columns the rest of kefu reads (name, phone, email, attributes). */
async function writeProfile(trx: Db, tenantId: string, contactId: string, profile: ProfileFields, exists: boolean) {
  const history = await conversationHistory(trx, tenantId, contactId);
  await trx
    .updateTable('contacts')
    .set({
      name: profile.name,
      phone: profile.phones[0] ?? null,
      email: profile.emails[0] ?? null,
      attributes: json(templateView(profile, history)),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', contactId)
    .execute();
  const values = {
    phones: json(profile.phones),
    emails: json(profile.emails),
    tags: json(profile.tags),
    custom: json(profile.attributes),
    consent: json(profile.consent),
    tier: profile.tier,
    time_zone: profile.timeZone,
    locale: profile.locale,
    updated_at: new Date(),
  };
  if (exists) {
    await trx
      .updateTable('contact_profiles')
      .set({ ...values, version: sql`version + 1` })
      .where('tenant_id', '=', tenantId)
      .where('contact_id', '=', contactId)
      .execute();
  } else {
    await trx
      .insertInto('contact_profiles')
      .values({ contact_id: contactId, tenant_id: tenantId, ...values })
      .onConflict((conflict) => conflict.column('contact_id').doUpdateSet(values))
      .execute();
  }
}

function validateInput(input: ContactInput): void {
  const problems = inputProblems(input);
  if (problems.length > 0)
    throw new KefuError(ErrorCodes.validation, problems.map((problem) => problem.message).join('; '), {
      status: 400,
    });
}

async function claimExternalIds(
  trx: Db,
  tenantId: string,
  contactId: string,
  ids: NonNullable<ContactInput['externalIds']>,
): Promise<void> {
  for (const entry of ids) {
    const source = entry.source ?? DEFAULT_ID_SOURCE;
    const owner = await trx
      .selectFrom('contact_external_ids')
      .select('contact_id')
      .where('tenant_id', '=', tenantId)
      .where('source', '=', source)
      .where('external_id', '=', entry.id)
      .executeTakeFirst();
    if (owner && owner.contact_id !== contactId)
      throw new KefuError(
        ErrorCodes.contactConflict,
        `external id ${source}:${entry.id} already belongs to another contact (merge them instead)`,
        { status: 409 },
      );
    if (!owner)
      await trx
        .insertInto('contact_external_ids')
        .values({ tenant_id: tenantId, source, external_id: entry.id, contact_id: contactId })
        .execute();
  }
}

/** Creates a contact with its profile; 409 when one of its external ids is already someone's. */
export async function createContact(db: Db, tenantId: string, input: ContactInput): Promise<ContactProfile> {
  validateInput(input);
  const id = randomUUID();
  await db.transaction().execute(async (trx) => {
    const profile = applyInput(EMPTY_PROFILE, input, 'replace');
    await trx
      .insertInto('contacts')
      .values({ id, tenant_id: tenantId, name: null, phone: null, email: null, attributes: '{}' })
      .execute();
    await claimExternalIds(trx, tenantId, id, input.externalIds ?? []);
    await writeProfile(trx, tenantId, id, profile, false);
  });
  return requireProfile(db, tenantId, id);
}

/** Applies a patch under a row lock, so two writers never lose each other's change. */
export async function updateContact(
  db: Db,
  tenantId: string,
  contactId: string,
  input: ContactInput,
  mode: 'merge' | 'replace' = 'replace',
): Promise<ContactProfile> {
  validateInput(input);
  await db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom('contacts')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', contactId)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) throw notFound();
    const current = (await loadProfile(trx, tenantId, contactId))!;
    await claimExternalIds(trx, tenantId, contactId, input.externalIds ?? []);
    await writeProfile(trx, tenantId, contactId, applyInput(current, input, mode), current.version > 0);
  });
  return requireProfile(db, tenantId, contactId);
}

/** Refreshes what templates read (visit count, last seen) after a new conversation. */
export async function refreshTemplateView(db: Db, tenantId: string, contactId: string): Promise<void> {
  const current = await loadProfile(db, tenantId, contactId);
  if (!current || current.version === 0) return;
  const history = await conversationHistory(db, tenantId, contactId);
  await db
    .updateTable('contacts')
    .set({ attributes: json(templateView(current, history)) })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', contactId)
    .execute();
}

export interface MergeResult {
  contact: ContactProfile;
  mergeId: string;
  conflicts: MergeOutcome['conflicts'];
}

/**
 * Folds `otherId` into `survivorId`: its identities, external ids, conversations, outreach and
 * offer history move over, the profiles are merged (mergeProfiles), an audit row records what
 * was merged and what conflicted, and the emptied contact is deleted. Both rows are locked in id
 * order, so two merges of the same pair cannot interleave.
 */
export async function mergeContacts(
  db: Db,
  tenantId: string,
  survivorId: string,
  otherId: string,
  audit: { source: string; reason: string },
): Promise<MergeResult> {
  if (survivorId === otherId)
    throw new KefuError(ErrorCodes.contactConflict, 'a contact cannot be merged into itself', { status: 409 });
  const mergeId = randomUUID();
  let conflicts: MergeOutcome['conflicts'] = [];
  await db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom('contacts')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', [survivorId, otherId].sort())
      .orderBy('id')
      .forUpdate()
      .execute();
    if (locked.length !== 2) throw notFound();
    const survivor = (await loadProfile(trx, tenantId, survivorId))!;
    const other = (await loadProfile(trx, tenantId, otherId))!;
    const outcome = mergeProfiles(survivor, other);
    conflicts = outcome.conflicts;
    const move = { contact_id: survivorId };
    for (const table of ['contact_identities', 'conversations', 'contact_external_ids'] as const) {
      await trx
        .updateTable(table)
        .set(move)
        .where('tenant_id', '=', tenantId)
        .where('contact_id', '=', otherId)
        .execute();
    }
    for (const table of ['outreach_deliveries', 'offer_events', 'outreach_events'] as const) {
      await trx
        .updateTable(table)
        .set(move)
        .where('tenant_id', '=', tenantId)
        .where('contact_id', '=', otherId)
        .execute();
    }
    await writeProfile(trx, tenantId, survivorId, outcome.profile, survivor.version > 0);
    await trx
      .insertInto('contact_merges')
      .values({
        id: mergeId,
        tenant_id: tenantId,
        contact_id: survivorId,
        merged_contact_id: otherId,
        source: audit.source,
        reason: audit.reason,
        details: json({ merged: other, conflicts: outcome.conflicts }),
      })
      .execute();
    await trx.deleteFrom('contacts').where('tenant_id', '=', tenantId).where('id', '=', otherId).execute();
  });
  return { contact: await requireProfile(db, tenantId, survivorId), mergeId, conflicts };
}

export async function listMerges(db: Db, tenantId: string, contactId: string) {
  const rows = await db
    .selectFrom('contact_merges')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('contact_id', '=', contactId)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    mergedContactId: row.merged_contact_id,
    source: row.source,
    reason: row.reason,
    conflicts: ((row.details as { conflicts?: unknown[] }).conflicts ?? []) as MergeOutcome['conflicts'],
    createdAt: new Date(row.created_at).toISOString(),
  }));
}

/** Contacts with a profile, newest first, a page at a time (`after` = the last id seen). */
export async function listContacts(
  db: Db,
  tenantId: string,
  options: { limit: number; after?: string; tag?: string; tier?: string },
): Promise<ContactProfile[]> {
  const rows = await db
    .selectFrom('contact_profiles')
    .select('contact_id')
    .where('tenant_id', '=', tenantId)
    .$if(options.after !== undefined, (query) => query.where('contact_id', '>', options.after!))
    .$if(options.tier !== undefined, (query) => query.where('tier', '=', options.tier!))
    .$if(options.tag !== undefined, (query) => query.where(sql<boolean>`tags @> ${json([options.tag])}::jsonb`))
    .orderBy('contact_id')
    .limit(options.limit)
    .execute();
  const profiles: ContactProfile[] = [];
  for (const row of rows) {
    const profile = await loadProfile(db, tenantId, row.contact_id);
    if (profile) profiles.push(profile);
  }
  return profiles;
}

import { z } from 'zod';

/**
 * A contact's profile (docs/personal.md): who the customer is to the business. Pure functions
 * here (normalising, merging, the view templates read); the database side is contact-store.ts.
 */

/** The business's own user id is the default source of an external id (the widget signs it). */
export const DEFAULT_ID_SOURCE = 'user';

export const CONSENT_KEYS = ['proactive', 'offers', 'marketing'] as const;
export type ConsentKey = (typeof CONSENT_KEYS)[number];

/** A custom attribute's value: typed JSON scalars (dates as ISO strings). */
export type AttributeValue = string | number | boolean | null;

export interface ContactProfile {
  id: string;
  name: string | null;
  phones: string[];
  emails: string[];
  externalIds: Array<{ source: string; id: string }>;
  tier: string | null;
  tags: string[];
  attributes: Record<string, AttributeValue>;
  consent: Partial<Record<ConsentKey, boolean>>;
  timeZone: string | null;
  locale: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const attributeName = z.string().regex(/^[\p{L}\p{N}_][\p{L}\p{N}_.-]{0,63}$/u, 'letters, digits, _ . - (max 64)');
const sourceName = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, _ or - (max 32)');

export const timeZoneSchema = z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai');

/** What the API and the importer write: every field optional (a patch). */
export const contactInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200).nullable().optional(),
    phones: z.array(z.string().max(40)).max(20).optional(),
    emails: z.array(z.string().max(254)).max(20).optional(),
    externalIds: z
      .array(z.object({ source: sourceName.default(DEFAULT_ID_SOURCE), id: z.string().trim().min(1).max(200) }))
      .max(20)
      .optional(),
    tier: z.string().trim().min(1).max(40).nullable().optional(),
    tags: z.array(z.string().trim().min(1).max(60)).max(100).optional(),
    attributes: z.record(attributeName, z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])).optional(),
    consent: z
      .object(Object.fromEntries(CONSENT_KEYS.map((key) => [key, z.boolean().optional()])))
      .strict()
      .optional(),
    timeZone: timeZoneSchema.nullable().optional(),
    locale: z.string().min(2).max(20).nullable().optional(),
  })
  .strict();

export type ContactInput = z.infer<typeof contactInputSchema>;

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return value.length > 0;
  } catch {
    return false;
  }
}

/** `+86 138-0057-1001` → `+8613800571001`; null when it is not a phone number. */
export function normalizePhone(raw: string): string | null {
  const trimmed = raw.trim().replace(/[\s().-]/g, '');
  return /^\+?\d{5,20}$/.test(trimmed) ? trimmed : null;
}

export function normalizeEmail(raw: string): string | null {
  const trimmed = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed) && trimmed.length <= 254 ? trimmed : null;
}

const unique = <T>(items: readonly T[]) => [...new Set(items)];

/** Problems of an input that its schema cannot see (phone and email shapes), with the field. */
export function inputProblems(input: ContactInput): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  for (const phone of input.phones ?? [])
    if (!normalizePhone(phone)) problems.push({ field: 'phones', message: `"${phone}" is not a phone number` });
  for (const email of input.emails ?? [])
    if (!normalizeEmail(email)) problems.push({ field: 'emails', message: `"${email}" is not an email address` });
  return problems;
}

/** The stored profile after `input` is applied to `current` (lists are added to, never shrunk by an import). */
export function applyInput(
  current: Omit<ContactProfile, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'externalIds'>,
  input: ContactInput,
  mode: 'merge' | 'replace' = 'merge',
): Omit<ContactProfile, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'externalIds'> {
  const phones = (input.phones ?? []).map((phone) => normalizePhone(phone)).filter((p): p is string => p !== null);
  const emails = (input.emails ?? []).map((email) => normalizeEmail(email)).filter((e): e is string => e !== null);
  const list = (existing: string[], given: string[] | undefined, normalized: string[]) =>
    given === undefined ? existing : mode === 'replace' ? unique(normalized) : unique([...existing, ...normalized]);
  return {
    name: input.name === undefined ? current.name : input.name,
    phones: list(current.phones, input.phones, phones),
    emails: list(current.emails, input.emails, emails),
    tier: input.tier === undefined ? current.tier : input.tier,
    tags: list(current.tags, input.tags, input.tags ?? []),
    attributes: input.attributes ? { ...current.attributes, ...input.attributes } : current.attributes,
    consent: input.consent ? { ...current.consent, ...stripUndefined(input.consent) } : current.consent,
    timeZone: input.timeZone === undefined ? current.timeZone : input.timeZone,
    locale: input.locale === undefined ? current.locale : input.locale,
  };
}

function stripUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}

export interface MergeOutcome {
  profile: Omit<ContactProfile, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'externalIds'>;
  /** Fields both had with different values: the survivor's value was kept. */
  conflicts: Array<{ field: string; kept: unknown; dropped: unknown }>;
}

/**
 * Two profiles of one person become one. The survivor's scalar values win (and each loser's
 * differing value is reported); lists are united; a consent withdrawn in either stays withdrawn.
 */
export function mergeProfiles(survivor: MergeOutcome['profile'], other: MergeOutcome['profile']): MergeOutcome {
  const conflicts: MergeOutcome['conflicts'] = [];
  const pick = <T>(field: string, kept: T | null, dropped: T | null): T | null => {
    if (kept === null || kept === undefined) return dropped;
    if (dropped !== null && dropped !== undefined && JSON.stringify(kept) !== JSON.stringify(dropped))
      conflicts.push({ field, kept, dropped });
    return kept;
  };
  const attributes: Record<string, AttributeValue> = { ...other.attributes };
  for (const [key, value] of Object.entries(survivor.attributes)) {
    if (key in other.attributes && other.attributes[key] !== value)
      conflicts.push({ field: `attributes.${key}`, kept: value, dropped: other.attributes[key] });
    attributes[key] = value;
  }
  const consent: Partial<Record<ConsentKey, boolean>> = {};
  for (const key of CONSENT_KEYS) {
    const a = survivor.consent[key];
    const b = other.consent[key];
    if (a === false || b === false) consent[key] = false;
    else if (a === true || b === true) consent[key] = true;
  }
  return {
    profile: {
      name: pick('name', survivor.name, other.name),
      phones: unique([...survivor.phones, ...other.phones]),
      emails: unique([...survivor.emails, ...other.emails]),
      tier: pick('tier', survivor.tier, other.tier),
      tags: unique([...survivor.tags, ...other.tags]),
      attributes,
      consent,
      timeZone: pick('timeZone', survivor.timeZone, other.timeZone),
      locale: pick('locale', survivor.locale, other.locale),
    },
    conflicts,
  };
}

export const EMPTY_PROFILE: MergeOutcome['profile'] = {
  name: null,
  phones: [],
  emails: [],
  tier: null,
  tags: [],
  attributes: {},
  consent: {},
  timeZone: null,
  locale: null,
};

/** Tiers a pack may route to a VIP queue (`contact.vip`). */
const VIP_TIERS = new Set(['vip', 'svip', 'gold', 'platinum', 'diamond', '金卡', '白金', '钻石', '贵宾']);

/**
 * What templates and playbooks read as `contact` (stored in contacts.attributes, which the turn
 * spreads into its `contact` scope): the profile, never secrets, and `verified` so a step can
 * ask for verification before it shows account data.
 */
export function templateView(
  profile: MergeOutcome['profile'],
  history: { conversations: number; lastSeenAt: string | null } = { conversations: 0, lastSeenAt: null },
): Record<string, unknown> {
  return {
    profile: true,
    tier: profile.tier,
    vip: profile.tier !== null && VIP_TIERS.has(profile.tier.toLowerCase()),
    tags: profile.tags,
    attributes: profile.attributes,
    phones: profile.phones,
    emails: profile.emails,
    time_zone: profile.timeZone,
    locale: profile.locale,
    returning: history.conversations > 1,
    conversations: history.conversations,
    last_seen_at: history.lastSeenAt,
  };
}

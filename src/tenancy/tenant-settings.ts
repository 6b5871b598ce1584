import { z } from 'zod';
import { HANDOVER_GROUPS, HANDOVER_RULES } from '../engine/handover-rules.js';
import { HANDOVER_CATEGORIES } from '../guard/handover/categories.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { handoffSettingsSchema } from '../handoff/handoff-settings.js';
import type { Db } from '../store/database.js';

/**
 * The shape of `tenants.settings` that this code writes. Raise it when a stored field changes
 * meaning or shape, and add the step from the previous version to {@link MIGRATIONS}, so rows
 * written by an older kefu still read correctly instead of being dropped or guessed at.
 */
export const TENANT_SETTINGS_VERSION = 1;

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function isRegularExpression(source: string): boolean {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}

// A time zone Intl does not know used to turn "today" into the UTC date without a word.
export const timezoneSchema = z
  .string()
  .min(1)
  .refine(isTimeZone, 'not a time zone name this system knows, e.g. Asia/Shanghai or Asia/Taipei');

/** The bot's fixed replies; unset ones fall back to the built-in wording for the tenant's locale. */
export const tenantMessagesSchema = z
  .object({
    greeting: z.string().min(1).optional(),
    fallback: z.string().min(1).optional(),
    handoff: z.string().min(1).optional(),
    no_answer: z.string().min(1).optional(),
  })
  .catchall(z.string());

/** The tenant's price sheet for the cost ledger: yuan per 1,000 LLM tokens (else the server's). */
export const tenantPricesSchema = z
  .object({ llm_input_per_1k: z.number().min(0).max(1000), llm_output_per_1k: z.number().min(0).max(1000) })
  .strict();

/**
 * The hand-over layer's tenant part: extra `patterns` (regular expressions on normalised text:
 * Simplified, half-width, lower case), `keywords` (literal phrases) that send a message to a
 * person, and default rule groups or rules to `disable`.
 */
export const handoverSettingsSchema = z
  .object({
    patterns: z
      .array(z.string().min(1).max(500).refine(isRegularExpression, 'not a valid regular expression'))
      .default([]),
    keywords: z.array(z.string().min(1).max(200)).default([]),
    disable: z
      .array(z.enum([...HANDOVER_GROUPS, ...HANDOVER_RULES.map((rule) => rule.rule)] as [string, ...string[]]))
      .default([]),
    /** Per hand-over category (src/guard/handover), the tenant's own phrases and regular expressions. */
    rules: z
      .array(
        z
          .object({
            category: z.enum(HANDOVER_CATEGORIES),
            phrases: z.array(z.string().min(1).max(200)).default([]),
            patterns: z
              .array(z.string().min(1).max(500).refine(isRegularExpression, 'not a valid regular expression'))
              .default([]),
          })
          .strict(),
      )
      .default([]),
    /** Crisis lines the self-harm reply names, per locale; unset locales keep kefu's defaults (docs/guard.md). */
    crisis_lines: z
      .object({
        'zh-CN': z.string().min(1).max(500).optional(),
        'zh-TW': z.string().min(1).max(500).optional(),
        'zh-HK': z.string().min(1).max(500).optional(),
        en: z.string().min(1).max(500).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * An HTTP connector to the tenant's business system; the tables it maps are read from there
 * instead of data/*.csv. Header values may name environment variables as ${NAME}.
 */
export const connectorSettingsSchema = z
  .object({
    name: z.string().min(1).max(60),
    kind: z.literal('http'),
    base_url: z.string().url(),
    headers: z.record(z.string(), z.string()).default({}),
    timeout_ms: z.number().int().min(50).max(60_000).default(3000),
    retries: z.number().int().min(0).max(5).default(2),
    tables: z.record(
      z.string().min(1),
      z
        .object({
          path: z.string().min(1),
          params: z.record(z.string(), z.string()).optional(),
          rows: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();

/** The brand style guide (a pack's style.yaml), applied to every outgoing message. */
export const styleGuideSchema = z
  .object({
    tone: z.string().optional(),
    forbidden: z.array(z.string().min(1)).default([]),
    replacements: z.record(z.string(), z.string()).default({}),
    signature: z.string().optional(),
    exemplary_replies: z.array(z.string()).default([]),
  })
  .loose();

/**
 * `tenants.settings` as stored. Fields a pack does not set get their defaults here, once; a field
 * that is set but wrong is an error with its path, never quietly replaced. Unknown fields are
 * kept, so a pack exported and imported again loses nothing.
 */
export const tenantSettingsSchema = z
  .object({
    version: z.literal(TENANT_SETTINGS_VERSION),
    timezone: timezoneSchema.default(DEFAULT_TIMEZONE),
    /** Confidence needed to answer automatically; unset means the domain's default. */
    gate: z.number().min(0).max(1).optional(),
    messages: tenantMessagesSchema.default({}),
    style: styleGuideSchema.nullable().default(null),
    /** Words the tokenizer must keep whole (a pack's dictionary.txt). */
    dictionary: z.array(z.string().min(1)).default([]),
    /** The columns of each table imported from a pack's data/*.csv, for export. */
    connectorTables: z.record(z.string(), z.array(z.string())).default({}),
    prices: tenantPricesSchema.optional(),
    handover: handoverSettingsSchema.optional(),
    handoff: handoffSettingsSchema.optional(),
    connectors: z.array(connectorSettingsSchema).default([]),
  })
  .loose();

export type TenantSettings = z.output<typeof tenantSettingsSchema>;
/** What a writer passes: defaults may be left out, and the version is stamped on write. */
export type TenantSettingsInput = Omit<z.input<typeof tenantSettingsSchema>, 'version'>;
export type TenantMessagesSettings = z.output<typeof tenantMessagesSchema>;
export type TenantPrices = z.output<typeof tenantPricesSchema>;
export type HandoverSettings = z.output<typeof handoverSettingsSchema>;
export type ConnectorSettings = z.output<typeof connectorSettingsSchema>;
export type StyleGuide = z.output<typeof styleGuideSchema>;

/** Steps that bring stored settings of version N up to N + 1, by N. */
const MIGRATIONS: ReadonlyArray<(stored: Record<string, unknown>) => Record<string, unknown>> = [
  // Settings written before the version field existed have exactly the fields of version 1.
  (stored) => ({ ...stored, version: 1 }),
];

/** A field of the settings that is wrong, by its dotted path (`handoff.queues.0.name`). */
export interface SettingsProblem {
  path: string;
  message: string;
}

export type SettingsCheck =
  { settings: TenantSettings; problems: [] } | { settings: null; problems: SettingsProblem[] };

/** Brings stored settings of any earlier version up to the current one. */
export function migrateTenantSettings(raw: unknown): { value: Record<string, unknown> } | { problem: SettingsProblem } {
  // jsonb comes back parsed from PostgreSQL and PGlite, but a text column or a hand edit may not.
  let value: unknown = raw ?? {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { problem: { path: '', message: 'not valid JSON' } };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: { path: '', message: 'settings must be an object' } };
  }
  let stored = value as Record<string, unknown>;
  const version = stored.version ?? 0;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return { problem: { path: 'version', message: `not a settings version: ${JSON.stringify(version)}` } };
  }
  if (version > TENANT_SETTINGS_VERSION) {
    return {
      problem: {
        path: 'version',
        message: `written by a newer kefu (version ${version}; this one reads up to ${TENANT_SETTINGS_VERSION})`,
      },
    };
  }
  for (let step = version; step < TENANT_SETTINGS_VERSION; step += 1) stored = MIGRATIONS[step](stored);
  return { value: stored };
}

/** Checks settings without throwing: the parsed value, or every problem with its field path. */
export function checkTenantSettings(raw: unknown): SettingsCheck {
  const migrated = migrateTenantSettings(raw);
  if ('problem' in migrated) return { settings: null, problems: [migrated.problem] };
  const result = tenantSettingsSchema.safeParse(migrated.value);
  if (result.success) return { settings: result.data, problems: [] };
  const problems = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  return { settings: null, problems };
}

/** One line per problem, `path: message`, for logs and CLI output. */
export function formatSettingsProblems(problems: readonly SettingsProblem[]): string {
  return problems.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message)).join('; ');
}

/**
 * Parses a tenant's stored settings once, at the edge of the database. Settings that do not parse
 * are an error that names the tenant and the field, because answering with defaults would change
 * the tenant's queues, gate or replies without anyone knowing.
 *
 * @example
 * const settings = parseTenantSettings(row.settings, row.slug);
 * const gate = settings.gate ?? defaultGate(row.domain);
 */
export function parseTenantSettings(raw: unknown, tenant: string): TenantSettings {
  const checked = checkTenantSettings(raw);
  if (checked.settings) return checked.settings;
  throw new KefuError(
    ErrorCodes.configInvalid,
    `tenant ${tenant} has invalid settings: ${formatSettingsProblems(checked.problems)}`,
    { category: 'system', details: { tenant, problems: checked.problems } },
  );
}

/**
 * Validates settings before they are written and stamps the current version; throws with the
 * field path when they are wrong, so nothing invalid reaches the database. What is stored is the
 * input as given (defaults are filled in on read), so a default changed later reaches every tenant
 * that did not set the field.
 */
export function toStoredTenantSettings(input: TenantSettingsInput, tenant: string): Record<string, unknown> {
  const stored = { ...input, version: TENANT_SETTINGS_VERSION };
  parseTenantSettings(stored, tenant);
  return stored;
}

/** Reads and parses one tenant's settings; the error names the tenant by its slug. */
export async function readTenantSettings(db: Db, tenantId: string): Promise<TenantSettings> {
  const row = await db.selectFrom('tenants').select(['slug', 'settings']).where('id', '=', tenantId).executeTakeFirst();
  if (!row) throw new KefuError(ErrorCodes.tenantNotFound, `no tenant ${tenantId}`, { status: 404 });
  return parseTenantSettings(row.settings, row.slug);
}

import { z } from 'zod';
import { styleFileSchema as guardStyleFileSchema } from '../guard/style/style-guide-schema.js';
import { handoffSettingsSchema } from '../handoff/handoff-settings.js';
import { catalogueSchema } from '../offers/catalogue.js';
import { outreachSettingsSchema } from '../outreach/outreach-rules.js';
import { TENANT_DOMAINS } from '../tenancy/tenant-domains.js';
import {
  DEFAULT_TIMEZONE,
  connectorSettingsSchema,
  handoverSettingsSchema,
  styleGuideSchema,
  tenantMessagesSchema,
  tenantPricesSchema,
  timezoneSchema,
} from '../tenancy/tenant-settings.js';

/**
 * `tenant.yaml`: who the tenant is and how its bot talks. The sections that end up in
 * `tenants.settings` use the settings' own schemas (src/tenancy/tenant-settings.ts), so a pack that
 * loads always stores settings that read back.
 */
export const tenantFileSchema = z
  .object({
    slug: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'use lower-case letters, digits and inner hyphens'),
    name: z.string().min(1).max(200),
    locale: z.string().min(2).max(20).default('zh-CN'),
    domain: z.enum(TENANT_DOMAINS).default('general'),
    timezone: timezoneSchema.default(DEFAULT_TIMEZONE),
    /** Confidence needed to answer automatically; finance and medical default to 0.85. */
    gate: z.number().min(0).max(1).optional(),
    messages: tenantMessagesSchema.default({}),
    channels: z
      .array(z.object({ kind: z.enum(['widget', 'api', 'ivr', 'webhook']), name: z.string().min(1).max(100) }))
      .default([]),
    /** The tenant's price sheet for the cost ledger: yuan per 1,000 LLM tokens (else the server's). */
    prices: tenantPricesSchema.optional(),
    /** The hand-over layer (src/engine/handover-rules.ts): extra patterns and keywords, rules to disable. */
    handover: handoverSettingsSchema.optional(),
    /** Hand-off queues, skills, SLA and the context panel's order lookup (docs/handoff.md). */
    handoff: handoffSettingsSchema.optional(),
    /** HTTP connectors to the tenant's business systems (read instead of data/*.csv). */
    connectors: z.array(connectorSettingsSchema).optional(),
    /** The offer catalogue: products and bundles, intents, eligibility, caps, holdout (docs/personal.md). */
    offers: catalogueSchema.optional(),
    /** Proactive service: rules, quiet hours, caps, webhook, SMS gateway, campaigns (docs/personal.md). */
    outreach: outreachSettingsSchema.optional(),
  })
  .passthrough();

/** The top-level fields of tenant.yaml that kefu reads; any other is kept but does nothing. */
export const TENANT_FILE_FIELDS: ReadonlySet<string> = new Set(Object.keys(tenantFileSchema.shape));

export type TenantFile = z.infer<typeof tenantFileSchema>;

export const intentSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'use lower-case letters, digits, dots, hyphens or underscores'),
  description: z.string().optional(),
  route: z.enum(['auto', 'assist', 'human']).default('auto'),
  threshold: z.number().min(0).max(1).optional(),
  examples: z.array(z.string().min(1).max(2000)).default([]),
  answer: z.string().min(1).optional(),
  playbook: z.string().min(1).optional(),
});

export const intentsFileSchema = z.object({ intents: z.array(intentSchema).default([]) });
export type IntentDefinition = z.infer<typeof intentSchema>;

/**
 * `style.yaml`: the brand style guide, stored as the `style` setting. The stored settings keep the
 * original fields' schema; the guide's newer fields (address, phrases, competitors, greeting,
 * closing, emoji, length, compliance) are validated here, with their line (src/guard/style).
 */
export const styleFileSchema = guardStyleFileSchema;

export type StyleGuide = z.infer<typeof styleGuideSchema>;

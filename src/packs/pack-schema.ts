import { z } from 'zod';
import { HANDOVER_GROUPS, HANDOVER_RULES } from '../engine/handover-rules.js';
import { handoffSettingsSchema } from '../handoff/handoff-settings.js';

/** `tenant.yaml`: who the tenant is and how its bot talks. */
export const tenantFileSchema = z
  .object({
    slug: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'use lower-case letters, digits and inner hyphens'),
    name: z.string().min(1).max(200),
    locale: z.string().min(2).max(20).default('zh-CN'),
    domain: z.enum(['ecommerce', 'finance', 'medical', 'travel', 'telecom', 'general']).default('general'),
    timezone: z.string().min(1).default('Asia/Shanghai'),
    /** Confidence needed to answer automatically; finance and medical default to 0.85. */
    gate: z.number().min(0).max(1).optional(),
    messages: z
      .object({
        greeting: z.string().min(1).optional(),
        fallback: z.string().min(1).optional(),
        handoff: z.string().min(1).optional(),
        no_answer: z.string().min(1).optional(),
      })
      .catchall(z.string())
      .default({}),
    channels: z
      .array(z.object({ kind: z.enum(['widget', 'api', 'ivr', 'webhook']), name: z.string().min(1).max(100) }))
      .default([]),
    /** The tenant's price sheet for the cost ledger: yuan per 1,000 LLM tokens (else the server's). */
    prices: z.object({ llm_input_per_1k: z.number().min(0).max(1000), llm_output_per_1k: z.number().min(0).max(1000) }).strict().optional(),
    /**
     * The hand-over layer (src/engine/handover-rules.ts): extra `patterns` (regular expressions on
     * normalised text: Simplified, half-width, lower case) and `keywords` (literal phrases) that send
     * a message to a person, and default rule groups or rules to `disable`.
     */
    handover: z
      .object({
        patterns: z
          .array(
            z.string().min(1).max(500).refine((source) => {
              try {
                new RegExp(source, 'i');
                return true;
              } catch {
                return false;
              }
            }, 'not a valid regular expression'),
          )
          .default([]),
        keywords: z.array(z.string().min(1).max(200)).default([]),
        disable: z.array(z.enum([...HANDOVER_GROUPS, ...HANDOVER_RULES.map((rule) => rule.rule)] as [string, ...string[]])).default([]),
      })
      .strict()
      .optional(),
    /** Hand-off queues, skills, SLA and the context panel's order lookup (docs/handoff.md). */
    handoff: handoffSettingsSchema.optional(),
    /**
     * HTTP connectors to the tenant's business systems; tables they map are read from there
     * instead of data/*.csv. Header values may name environment variables as ${NAME}.
     */
    connectors: z
      .array(
        z
          .object({
            name: z.string().min(1).max(60),
            kind: z.literal('http'),
            base_url: z.string().url(),
            headers: z.record(z.string(), z.string()).default({}),
            timeout_ms: z.number().int().min(50).max(60_000).default(3000),
            retries: z.number().int().min(0).max(5).default(2),
            tables: z.record(
              z.string().min(1),
              z.object({ path: z.string().min(1), params: z.record(z.string(), z.string()).optional(), rows: z.string().optional() }).strict(),
            ),
          })
          .strict(),
      )
      .optional(),
  })
  .passthrough();

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

export const styleFileSchema = z
  .object({
    tone: z.string().optional(),
    forbidden: z.array(z.string().min(1)).default([]),
    replacements: z.record(z.string(), z.string()).default({}),
    signature: z.string().optional(),
    exemplary_replies: z.array(z.string()).default([]),
  })
  .passthrough();

export type StyleGuide = z.infer<typeof styleFileSchema>;

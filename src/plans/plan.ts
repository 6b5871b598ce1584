import { z } from 'zod';

/**
 * What a plan allows. `null` means unlimited. Rates are token buckets: `requestsPerSecond` refill,
 * `burst` capacity. Monthly quotas count calendar months in UTC.
 */
export const planLimitsSchema = z
  .object({
    requestsPerSecond: z.number().positive().max(100_000).default(20),
    burst: z.number().int().positive().max(1_000_000).default(40),
    /** Per API key, inside the tenant's own bucket; null = only the tenant bucket applies. */
    keyRequestsPerSecond: z.number().positive().max(100_000).nullable().default(null),
    monthlyMessages: z.number().int().nonnegative().max(1e12).nullable().default(null),
    monthlyLlmTokens: z.number().int().nonnegative().max(1e15).nullable().default(null),
    storageBytes: z.number().int().nonnegative().max(1e15).nullable().default(null),
    /** When a monthly quota is used up: answer from the light tier only, or refuse with 429. */
    onQuotaExhausted: z.enum(['light_only', 'refuse']).default('light_only'),
    allowedTiers: z
      .array(z.enum(['light', 'llm', 'human']))
      .min(1)
      .default(['light', 'llm', 'human']),
    /** LLM model names the tenant may use; empty = any configured model. */
    allowedModels: z.array(z.string().min(1).max(200)).max(100).default([]),
  })
  .strict();
export type PlanLimits = z.infer<typeof planLimitsSchema>;

/** Prices in millionths of the currency unit (integers, so bills reconcile exactly). */
export const planPricesSchema = z
  .object({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default('CNY'),
    monthlyFeeMicros: z.number().int().nonnegative().max(1e15).default(0),
    perMessageMicros: z.number().int().nonnegative().max(1e12).default(0),
    perLlmTokenIn1kMicros: z.number().int().nonnegative().max(1e12).default(0),
    perLlmTokenOut1kMicros: z.number().int().nonnegative().max(1e12).default(0),
    perConnectorCallMicros: z.number().int().nonnegative().max(1e12).default(0),
    perGbMonthMicros: z.number().int().nonnegative().max(1e15).default(0),
  })
  .strict();
export type PlanPrices = z.infer<typeof planPricesSchema>;

export const planFeaturesSchema = z.array(z.string().min(1).max(100)).max(100).default([]);

export interface Plan {
  id: string | null;
  slug: string;
  name: string;
  limits: PlanLimits;
  prices: PlanPrices;
  features: string[];
}

/** The plan of a tenant that has none: generous limits, no prices (a self-hosted single business). */
export const DEFAULT_PLAN: Plan = {
  id: null,
  slug: 'default',
  name: 'Default',
  limits: planLimitsSchema.parse({ requestsPerSecond: 200, burst: 400 }),
  prices: planPricesSchema.parse({}),
  features: [],
};

/**
 * The business domains a tenant can declare, for tenant.yaml and the operator API alike. Which of
 * them are sensitive (a stricter gate, a person when unsure) is the engine's business:
 * src/engine/sensitive-domains.ts.
 */
export const TENANT_DOMAINS = ['ecommerce', 'finance', 'medical', 'travel', 'telecom', 'general'] as const;

export type TenantDomain = (typeof TENANT_DOMAINS)[number];

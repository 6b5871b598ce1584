/**
 * Domains where a wrong answer costs the customer money or health: the gate is stricter, an
 * unsure answer goes to a person instead of a list of suggestions, and an LLM answer below the
 * gate is a draft a person approves.
 */
export const SENSITIVE_DOMAINS: ReadonlySet<string> = new Set(['finance', 'medical']);

export function isSensitiveDomain(domain: string): boolean {
  return SENSITIVE_DOMAINS.has(domain);
}

/** The confidence gate when the tenant sets none: 0.85 in sensitive domains, else 0.6. */
export function defaultGate(domain: string): number {
  return isSensitiveDomain(domain) ? 0.85 : 0.6;
}

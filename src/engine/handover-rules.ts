/** Why a message must reach a person whatever it matches. */
export interface HandoverSignal {
  reason: string;
  rule: string;
}

interface Rule {
  rule: string;
  reason: string;
  pattern: RegExp;
}

// Patterns run on normalised text (Simplified, half-width, lower case).
const DEFAULT_RULES: readonly Rule[] = [
  {
    rule: 'human.request',
    reason: 'the customer asked for a person',
    pattern: /转人工|人工客服|人工服务|找人工|要人工|真人客服|接人工|人工坐席|human agent|real person|speak to (a|an) (human|person|agent)|talk to (a|an) (human|person|agent)|\bhuman\b.*\bplease\b|\bagent please\b/,
  },
];

/** Checks the default rules plus a tenant's own (regular expressions on normalised text). */
export function detectHandover(normalizedText: string, tenantPatterns: readonly RegExp[] = []): HandoverSignal | null {
  for (const rule of DEFAULT_RULES) if (rule.pattern.test(normalizedText)) return { reason: rule.reason, rule: rule.rule };
  for (const pattern of tenantPatterns) if (pattern.test(normalizedText)) return { reason: 'matched a tenant hand-over rule', rule: `tenant:${pattern.source}` };
  return null;
}

/**
 * The situations in which a customer must reach a person, whatever the bot could answer (issue 16,
 * S6). Each has a stable id used in the corpus, the trace and the eval output; agents read the
 * label from ./locales.ts, never the id.
 */
export const HANDOVER_CATEGORIES = [
  'self_harm',
  'violence_threat',
  'fraud_scam',
  'account_takeover',
  'third_party_data',
  'bereavement',
  'complaint_escalation',
  'refund_demand',
  'human_request',
  'vulnerable_payment',
  'emergency_safety',
  'repeated_failure',
] as const;

export type HandoverCategory = (typeof HANDOVER_CATEGORIES)[number];

export function isHandoverCategory(value: string): value is HandoverCategory {
  return (HANDOVER_CATEGORIES as readonly string[]).includes(value);
}

/**
 * The rule group (src/engine/handover-rules.ts, `handover.disable` in tenant.yaml) a category
 * belongs to: a tenant that switches a group off switches the classifier's category off too.
 */
export const CATEGORY_GROUP: Record<HandoverCategory, string> = {
  self_harm: 'self_harm',
  violence_threat: 'threat',
  fraud_scam: 'fraud',
  account_takeover: 'fraud',
  third_party_data: 'privacy',
  bereavement: 'bereavement',
  complaint_escalation: 'complaint',
  refund_demand: 'refund',
  human_request: 'human',
  vulnerable_payment: 'vulnerable',
  emergency_safety: 'emergency',
  repeated_failure: 'escalation',
};

import type { HandoverConfig, HandoverSignal } from '../../engine/handover-rules.js';
import type { HandoverCategory } from './categories.js';
import { defaultHandoverGuard, type HandoverVerdict } from './guard.js';
import { translateHandover } from './locales.js';

/** The guard's finding on a turn, as the trace records it (`trace.handover`). */
export interface GuardSignal extends HandoverSignal {
  /** The situation (null for a tenant rule without a category). */
  category: HandoverCategory | null;
  /** The classifier's probability that a person must take the message, rounded to 0.01. */
  score: number;
  /** What decided: a default rule, the tenant's rule, or the classifier. */
  source: 'rule' | 'tenant' | 'model';
}

/**
 * The guard stage of a live turn: reads the customer's raw message (before any other
 * normalisation, so zero-width and look-alike tricks are undone first) and returns why a person
 * must take it, in the words an agent of `agentLocale` reads, or null.
 */
export function guardMessage(
  text: string,
  config: HandoverConfig | null | undefined,
  agentLocale: string | null | undefined,
): GuardSignal | null {
  const verdict = defaultHandoverGuard().classify(text, { tenant: config });
  return verdict.handover ? toSignal(verdict, agentLocale) : null;
}

/** A verdict that hands over, as the signal the turn and its trace carry. */
export function toSignal(verdict: HandoverVerdict, agentLocale: string | null | undefined): GuardSignal {
  const source = verdict.source ?? 'model';
  const category = verdict.category;
  const score = Math.round(verdict.score * 100) / 100;
  const reason = translateHandover(agentLocale, 'reason', {
    category: translateHandover(agentLocale, category ? `category.${category}` : 'category.other'),
    source: translateHandover(agentLocale, `source.${source}`),
    score: source === 'model' ? score.toFixed(2) : '1.00',
  });
  return { rule: verdict.rule ?? `classifier:${category ?? 'unknown'}`, reason, category, score, source };
}

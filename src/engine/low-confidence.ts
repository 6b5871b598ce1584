import { normalizeText } from '../text/index.js';
import type { TenantRuntime } from './tenant-runtime.js';
import { isSensitiveDomain } from './sensitive-domains.js';
import type { Understanding } from './understander.js';

/** At most this many FAQ questions are offered. */
const MAX_SUGGESTIONS = 3;
/** An alternative below this share of the best one is not worth offering. */
const RELATIVE_FLOOR = 0.02;

/**
 * What to offer when the light tier is in domain but under the gate: in sensitive domains
 * nothing (a person takes over: a wrong pick there costs money or health); elsewhere the best
 * FAQ questions as quick replies ("您是想问以下哪个问题？"), so the customer picks one instead of
 * waiting in a queue for a question the FAQ answers. A person is one tap away (the hand-over quick reply), and a typed
 * 转人工 still hands over through the rules.
 */
export function suggestFaqOptions(
  understanding: Understanding,
  runtime: TenantRuntime,
  options: { belowFloor?: boolean } = {},
): Array<{ label: string; intent: string }> {
  if (isSensitiveDomain(runtime.domain)) return [];
  // Under the decline floor, suggestions still go with the decline unless the matcher is sure
  // nothing is similar (issue 17: always offer the top suggestions unless confidently out of scope).
  if (understanding.outOfScope && !(options.belowFloor && !confidentlyUnrelated(understanding))) return [];
  const best = understanding.alternatives[0]?.confidence ?? 0;
  if (best <= 0) return [];
  const offered: Array<{ label: string; intent: string }> = [];
  for (const alternative of understanding.alternatives) {
    if (offered.length >= MAX_SUGGESTIONS || alternative.confidence < best * RELATIVE_FLOOR) break;
    const faq = runtime.faq.get(alternative.intent);
    // Only FAQ entries (intents may need a playbook or a person).
    if (faq && !offered.some((option) => option.label === faq.question))
      offered.push({ label: faq.question, intent: faq.id });
  }
  return offered;
}

/** The matcher found nothing similar at all (no phrasing, centroid or answer close; no known word). */
export function confidentlyUnrelated(understanding: Understanding): boolean {
  return (
    understanding.alternatives.length === 0 ||
    understanding.reasons.some((reason) => /no similar phrasing|no known word|no intents/.test(reason))
  );
}

/** The suggestion message in the tenant's locale. */
export function suggestionText(locale: string, options: ReadonlyArray<{ label: string }>): string {
  if (locale.startsWith('en'))
    return options.length === 1 ? `Do you mean "${options[0].label}"?` : 'Do you mean one of these questions?';
  return options.length === 1 ? `请问您是想问「${options[0].label}」吗？` : '请问您是想问以下哪个问题？';
}

/** The quick reply that asks for a person (it matches the human.request rule). */
export function handoverQuickReply(locale: string): string {
  return locale.startsWith('en') ? 'Talk to a human agent' : '转人工';
}

/** "是的" / "对" / "yes": the customer confirms a single suggested question. */
export function isConfirmation(text: string): boolean {
  return /^\s*(?:是|是的|对|对的|对呀|嗯|嗯嗯|没错|就是|就是这个|是这个|好的?|yes|yeah|yep|right|correct|exactly)\s*[.!。！]*\s*$/i.test(
    normalizeText(text).text,
  );
}

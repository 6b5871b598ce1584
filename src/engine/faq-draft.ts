import type { HandoverCategory } from '../guard/handover/categories.js';
import { guardMessage } from '../guard/handover/turn-guard.js';
import type { MessagePart } from '../store/schema.js';
import { chooseFaqAnswer, localiseReply, markedAsChinese } from './localise-reply.js';
import type { TenantRuntime } from './tenant-runtime.js';
import type { TurnContext } from './turn-context.js';
import type { Citation, DraftBasis, Tier, TurnDecision } from './turn-types.js';

/**
 * How sure retrieval must be that an FAQ entry answers the message before it is offered to the
 * agent as a draft. matchScore is a calibrated probability; out-of-scope questions score a median
 * 0.32 (src/knowledge/match-model-weights.ts), so 0.45 keeps the guesses out and the paraphrases in.
 */
export const FAQ_DRAFT_MIN_MATCH = 0.45;

/** A second answer joins the draft only when it is nearly as good a match as the first. */
const SECOND_ANSWER_MARGIN = 0.1;

/**
 * Situations where an FAQ answer is the wrong first words whatever it says: a person writes the
 * reply from nothing (a crisis, a threat, fraud, a death, someone else's data, a customer who
 * cannot pay). A complaint, a refund demand or a plain request for a person still get a draft.
 */
const NO_DRAFT: ReadonlySet<HandoverCategory> = new Set([
  'self_harm',
  'violence_threat',
  'fraud_scam',
  'account_takeover',
  'third_party_data',
  'bereavement',
  'vulnerable_payment',
  'emergency_safety',
]);

/**
 * The draft an agent gets when a turn hands over and no model is involved: the tenant's FAQ
 * answer (or two) that retrieval ranks best for the customer's message, in the customer's
 * language, citing the entries it came from. None when no entry matches well enough, when the
 * situation is one a canned answer must not open (NO_DRAFT), or when the only match is the FAQ
 * about reaching a person (the customer is reaching one).
 */
export function faqDraftFor(context: TurnContext): NonNullable<TurnDecision['draft']> | null {
  const { runtime, input } = context;
  const category = context.handover?.category;
  if (category && NO_DRAFT.has(category)) return null;
  // Hits come in fused-rank order; the draft goes by how sure each match is.
  const candidates = context
    .knowledgeHits()
    .filter((hit) => hit.matchScore >= FAQ_DRAFT_MIN_MATCH)
    .map((hit) => ({ hit, passage: runtime.passages.get(hit.id) }))
    .filter(({ passage }) => passage?.source === 'faq' && runtime.faq.has(passage.reference))
    .map(({ hit, passage }) => ({ id: passage!.reference, score: hit.matchScore }))
    .filter((candidate) => !isAboutReachingAPerson(runtime, candidate.id))
    .sort((a, b) => b.score - a.score);
  const chosen = candidates.filter(
    (candidate, index) =>
      index === 0 || (index === 1 && candidate.score >= candidates[0]!.score - SECOND_ANSWER_MARGIN),
  );
  if (chosen.length === 0) return null;
  const entries = chosen.map((entry) => runtime.faq.get(entry.id)!);
  const answers = entries.map((faq) => {
    const answer = chooseFaqAnswer(faq, input.text);
    return answer.kind === 'own' ? answer.text : markedAsChinese(answer.text);
  });
  const text = answers.join('\n\n');
  const parts: MessagePart[] = [
    { type: 'text', text },
    ...entries.map((faq): MessagePart => ({
      type: 'citation',
      source: `faq:${faq.id}`,
      title: faq.question,
      version: faq.version,
    })),
  ];
  return { ...localiseReply({ text, parts }, input.text), basis: 'faq' };
}

/**
 * What a draft is based on, as the console labels it: the model's words when an LLM wrote,
 * translated or rewrote it; the tenant's FAQ when it is their answer; otherwise their knowledge
 * (a document passage it cites, a playbook's reply).
 */
export function draftBasisOf(reply: { tier: Tier; byModel: boolean; citations: readonly Citation[] }): DraftBasis {
  if (reply.byModel || reply.tier === 'llm') return 'llm';
  if (reply.tier === 'playbook') return 'knowledge';
  return reply.citations.some((citation) => citation.source !== 'faq') ? 'knowledge' : 'faq';
}

/** Per runtime: FAQ entries whose question the hand-over guard reads as asking for a person. */
const reachingAPerson = new WeakMap<TenantRuntime, Map<string, boolean>>();

function isAboutReachingAPerson(runtime: TenantRuntime, faqId: string): boolean {
  let known = reachingAPerson.get(runtime);
  if (!known) reachingAPerson.set(runtime, (known = new Map<string, boolean>()));
  let about = known.get(faqId);
  if (about === undefined) {
    const question = runtime.faq.get(faqId)?.question ?? '';
    about = guardMessage(question, runtime.handover, runtime.locale)?.category === 'human_request';
    known.set(faqId, about);
  }
  return about;
}

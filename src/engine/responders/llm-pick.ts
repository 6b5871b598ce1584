import { pickAmongCandidates } from '../llm-pick.js';
import { confidentlyUnrelated, suggestFaqOptions } from '../low-confidence.js';
import type { TurnContext } from '../turn-context.js';
import { intentAnswer } from './intent-answer.js';
import { isMultiPart } from './llm-answer.js';
import type { Proposal, Responder } from './responder.js';

/** The matcher's best guess must reach this for its candidates to count as plausible. */
const PLAUSIBLE = 0.1;
/** A pick is one short call: past this the turn goes on as it would without a model. */
const PICK_TIMEOUT_MS = 6_000;

/**
 * On an unsure turn (under the gate, candidates plausible, outside finance and medical, one
 * question), with an LLM configured: the model chooses among the matcher's top FAQ candidates or
 * says none. A choice is answered with that FAQ entry's own answer (as `intent-answer` would,
 * sensitive entries still drafted); none, a malformed answer or a failed call lets the next
 * responders decide as today. The choice, its reason and its tokens are in the trace
 * (`trace.llmPick`, and `trace.llm.usage` for the ledger).
 */
export const llmPick: Responder = {
  name: 'llm-pick',
  async propose(context) {
    const { services, understanding, gate, runtime } = context;
    if (!services.llm || understanding.confidence >= gate || context.handover) return null;
    if (context.intentDefinition?.route === 'human' || context.intentDefinition?.playbook) return null;
    if ((understanding.alternatives[0]?.confidence ?? 0) < PLAUSIBLE || confidentlyUnrelated(understanding))
      return null;
    if (isMultiPart(context.input.text)) return null;
    // The FAQ entries worth offering (none in sensitive domains: a wrong pick there costs money or health).
    const options = suggestFaqOptions(understanding, runtime, { belowFloor: true });
    if (options.length === 0) return null;
    const pick = await pickAmongCandidates(services.llm.model, {
      message: context.input.text,
      candidates: options.map((option) => ({ id: option.intent, question: option.label })),
      timeoutMs: Math.min(PICK_TIMEOUT_MS, services.llm.answerTimeoutMs),
    });
    context.record.llmPick = pick;
    if (pick.outcome !== 'picked' || pick.choice === null) return null;
    return answerPicked(context, pick.choice, pick.reason);
  },
};

/** The picked FAQ entry answered as `intent-answer` answers an understood one. */
async function answerPicked(context: TurnContext, choice: string, why: string): Promise<Proposal | null> {
  const { understanding, gate, runtime } = context;
  const confidence = understanding.alternatives.find((alternative) => alternative.intent === choice)?.confidence ?? 0;
  const picked: TurnContext = {
    ...context,
    intent: choice,
    intentDefinition: runtime.intents.get(choice),
    understanding: { ...understanding, intent: choice, confidence },
  };
  const proposal = await intentAnswer.propose(picked);
  if (!proposal || proposal.route === 'human') return null;
  const reason =
    `LLM ${context.services.llm?.model.modelId ?? ''} picked ${choice} among the matcher's candidates ` +
    `(confidence ${understanding.confidence.toFixed(3)} < gate ${gate})${why ? `: ${why}` : ''}`;
  return {
    ...proposal,
    intent: choice,
    confidence,
    // An automatic answer's reason is the pick; a draft keeps why a person approves it.
    reasons: proposal.route === 'auto' ? [reason] : [reason, ...proposal.reasons],
  };
}

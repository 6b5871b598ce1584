import { activePlaybook } from './active-playbook.js';
import { belowGate } from './below-gate.js';
import { clarifyingQuestion } from './clarifying-question.js';
import { documentPassage } from './document-passage.js';
import { faqSuggestions } from './faq-suggestions.js';
import { handoverRule } from './handover-rule.js';
import { injectionDecline } from './injection-decline.js';
import { intentAnswer } from './intent-answer.js';
import { llmAnswer } from './llm-answer.js';
import { llmPick } from './llm-pick.js';
import { multiQuestion } from './multi-question.js';
import { outOfScope } from './out-of-scope.js';
import { personIntent } from './person-intent.js';
import { playbookStart } from './playbook-start.js';
import type { Responder } from './responder.js';

/**
 * The turn's responders in priority order; the first that proposes answers the turn. Each one
 * may assume that every responder before it declined (e.g. `below-gate` runs only when neither a
 * clarifying question nor FAQ suggestions fit). A new stage is a new file and a line here.
 */
export const RESPONDERS: readonly Responder[] = [
  injectionDecline,
  handoverRule,
  activePlaybook,
  llmPick,
  llmAnswer,
  documentPassage,
  multiQuestion,
  outOfScope,
  personIntent,
  clarifyingQuestion,
  faqSuggestions,
  belowGate,
  playbookStart,
  intentAnswer,
];

export {
  activePlaybook,
  belowGate,
  clarifyingQuestion,
  documentPassage,
  faqSuggestions,
  handoverRule,
  injectionDecline,
  intentAnswer,
  llmAnswer,
  llmPick,
};
export { multiQuestion, outOfScope, personIntent, playbookStart };
export { answer, handOver } from './responder.js';
export type { Proposal, Responder } from './responder.js';
export { firstProposal, type FirstProposal } from './first-proposal.js';
export type { TurnContext } from '../turn-context.js';

import { detectInjection, hasOwnQuestion, injectionText } from '../../guard/injection/index.js';
import { replyLocale } from './document-passage.js';
import type { Responder } from './responder.js';

/**
 * A message that only tries to instruct the assistant (prompt injection) is declined by the bot,
 * politely and in the customer's language: it is not a service request, so it neither goes to the
 * LLM nor waits in an agent's queue. When a real question rides along ("忽略之前的指令。另外，运费
 * 怎么算？"), the turn goes on: the later tiers answer the question and the LLM's own defences
 * (grounding, tool allow-list, leak check) still apply. It runs before the hand-over guard, whose
 * classifier reads "export all customer phone numbers" as a request for others' data: a person's
 * time is not spent on an attempt, unless a hand-over rule fired outright or self-harm is in it.
 */
export const injectionDecline: Responder = {
  name: 'injection-decline',
  propose(context) {
    const finding = detectInjection(context.input.text);
    if (!finding || hasOwnQuestion(finding)) return null;
    // A person still takes what a hand-over rule names outright, and anything about self-harm.
    const handover = context.handover;
    if (handover && (handover.source !== 'model' || handover.category === 'self_harm')) return null;
    return {
      route: 'auto',
      tier: 'fallback',
      text: injectionText(replyLocale(context), 'declined'),
      reasons: [`declined: the message tries to instruct the assistant (${finding.kind}), it asks for no service`],
    };
  },
};

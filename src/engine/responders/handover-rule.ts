import { CRISIS_INTENT, crisisLocale, crisisReply } from '../../guard/handover/crisis.js';
import { handOver, type Responder } from './responder.js';

/**
 * The guard stage: the hand-over guard (src/guard/handover: rules + a classifier trained on the
 * hand-over corpus) found that a person must take this message, so one takes over at once, however
 * sure any later responder would be. A message about self-harm gets a caring reply with crisis
 * lines for the customer's locale and goes to the top of the queue (CRISIS_INTENT); every other
 * situation gets the tenant's hand-over message. The reason, in the agent's words, names the
 * situation and how sure the guard was; the customer never sees it.
 */
export const handoverRule: Responder = {
  name: 'handover-rule',
  propose: (context) => {
    const signal = context.handover;
    if (!signal) return null;
    if (signal.category === 'self_harm') {
      const locale = crisisLocale(context.input.text, context.runtime.locale);
      return {
        route: 'human',
        tier: 'human',
        text: crisisReply(locale, context.runtime.handover?.crisisLines),
        reasons: [signal.reason],
        agentReason: signal.reason,
        intent: CRISIS_INTENT,
        ownReply: true,
      };
    }
    return handOver(context, signal.reason, signal.reason);
  },
};

import { intentName, percent } from '../locales.js';
import { handOver, type Responder } from './responder.js';

/** The light tier is unsure and has nothing to offer: a person answers rather than a guess. */
export const belowGate: Responder = {
  name: 'below-gate',
  propose(context) {
    const { confidence } = context.understanding;
    if (confidence >= context.gate) return null;
    const name = context.understanding.outOfScope ? null : intentName(context.runtime, context.intent);
    const params = { confidence: percent(confidence), gate: percent(context.gate) };
    return handOver(
      context,
      `confidence ${confidence.toFixed(3)} < gate ${context.gate}`,
      name ? { key: 'handover.unsure_about', params: { ...params, intent: name } } : { key: 'handover.unsure', params },
    );
  },
};

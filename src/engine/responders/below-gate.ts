import { handOver, type Responder } from './responder.js';

/** The light tier is unsure and has nothing to offer: a person answers rather than a guess. */
export const belowGate: Responder = {
  name: 'below-gate',
  propose(context) {
    const { confidence } = context.understanding;
    return confidence < context.gate
      ? handOver(context, `confidence ${confidence.toFixed(3)} < gate ${context.gate}`)
      : null;
  },
};

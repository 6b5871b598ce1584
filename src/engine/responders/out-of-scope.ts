import { looksUnrelated, OUT_OF_SCOPE_FLOOR } from './out-of-scope-floor.js';
import type { Responder } from './responder.js';

/** The message is unrelated to the tenant: decline politely with the tenant's fallback message. */
export const outOfScope: Responder = {
  name: 'out-of-scope',
  propose(context) {
    if (!looksUnrelated(context)) return null;
    const { confidence, outOfScope: classifierSays } = context.understanding;
    const why = classifierSays ? ', classifier says out of scope' : ` < ${OUT_OF_SCOPE_FLOOR}`;
    return {
      route: 'auto',
      tier: 'fallback',
      text: context.runtime.messages.fallback,
      reasons: [`out of scope (confidence ${confidence.toFixed(3)}${why})`],
    };
  },
};

import type { TurnContext } from '../turn-context.js';

/** Below this confidence the message is treated as unrelated to the tenant (decline, not hand over). */
export const OUT_OF_SCOPE_FLOOR = 0.3;

/** Nothing the tenant knows resembles the message: the classifier says so, or is too unsure to say. */
export function looksUnrelated(context: TurnContext): boolean {
  const { understanding } = context;
  return understanding.outOfScope || context.intent === null || understanding.confidence < OUT_OF_SCOPE_FLOOR;
}

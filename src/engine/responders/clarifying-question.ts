import type { Responder } from './responder.js';

/** Two intents are close and together likely: ask which one, rather than guess or hand over. */
export const clarifyingQuestion: Responder = {
  name: 'clarifying-question',
  propose(context) {
    const { understanding, gate, runtime } = context;
    if (understanding.confidence >= gate) return null;
    const options = context.closeAlternatives();
    if (options.length !== 2) return null;
    const [first, second] = options as [(typeof options)[0], (typeof options)[0]];
    const text = runtime.locale.startsWith('en')
      ? `Do you mean "${first.label}" or "${second.label}"?`
      : `请问您是想问「${first.label}」，还是「${second.label}」？`;
    const confidence = understanding.confidence.toFixed(3);
    const reason = `clarify: ${first.intent} vs ${second.intent} are close (confidence ${confidence} < gate ${gate})`;
    return {
      route: 'auto',
      tier: 'light',
      text,
      reasons: [reason],
      quickReplies: options.map((option) => option.label),
      clarify: [...options],
    };
  },
};

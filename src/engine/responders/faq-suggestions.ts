import { handoverQuickReply, suggestionText } from '../low-confidence.js';
import type { Responder } from './responder.js';

/**
 * In domain but unsure, outside finance and medical: offer the likely FAQ questions as quick
 * replies, with a person one tap away.
 */
export const faqSuggestions: Responder = {
  name: 'faq-suggestions',
  propose(context) {
    const { understanding, gate, runtime } = context;
    if (understanding.confidence >= gate) return null;
    const options = context.faqSuggestions();
    if (options.length === 0) return null;
    const intents = options.map((option) => option.intent).join(', ');
    const reason = `suggest: ${intents} (confidence ${understanding.confidence.toFixed(3)} < gate ${gate})`;
    return {
      route: 'auto',
      tier: 'light',
      text: suggestionText(runtime.locale, options),
      reasons: [reason],
      quickReplies: [...options.map((option) => option.label), handoverQuickReply(runtime.locale)],
      clarify: [...options],
    };
  },
};

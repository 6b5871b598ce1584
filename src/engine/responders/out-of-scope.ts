import { knowledgeText } from '../../knowledge/locales.js';
import { handoverQuickReply, suggestFaqOptions, suggestionText } from '../low-confidence.js';
import { passageSuggestions, replyLocale, titleAndSection } from './document-passage.js';
import { looksUnrelated, OUT_OF_SCOPE_FLOOR } from './out-of-scope-floor.js';
import type { Responder } from './responder.js';

/**
 * The message is unrelated to the tenant's FAQ and intents: decline politely with the tenant's
 * fallback message. When some of its documents partly match, the decline offers them (their
 * sections as quick replies, which ask again) with a person one tap away.
 */
export const outOfScope: Responder = {
  name: 'out-of-scope',
  propose(context) {
    if (!looksUnrelated(context)) return null;
    const { confidence, outOfScope: classifierSays } = context.understanding;
    const why = classifierSays ? ', classifier says out of scope' : ` < ${OUT_OF_SCOPE_FLOOR}`;
    const reason = `out of scope (confidence ${confidence.toFixed(3)}${why})`;
    // Unless nothing in the sheet is similar at all, the best FAQ questions go with the decline.
    const faqOptions = context.handover
      ? []
      : suggestFaqOptions(context.understanding, context.runtime, { belowFloor: true });
    if (faqOptions.length > 0) {
      const intents = faqOptions.map((option) => option.intent).join(', ');
      return {
        route: 'auto',
        tier: 'fallback',
        text: `${context.runtime.messages.fallback}\n${suggestionText(context.runtime.locale, faqOptions)}`,
        reasons: [reason, `suggest: ${intents} (below the decline floor, not confidently out of scope)`],
        quickReplies: [...faqOptions.map((option) => option.label), handoverQuickReply(context.runtime.locale)],
        clarify: [...faqOptions],
      };
    }
    const suggestions = context.handover ? [] : passageSuggestions(context);
    if (suggestions.length === 0)
      return { route: 'auto', tier: 'fallback', text: context.runtime.messages.fallback, reasons: [reason] };
    const locale = replyLocale(context);
    const lines = suggestions.map(({ passage }, position) => {
      const { title, section } = titleAndSection(passage);
      return knowledgeText(locale, 'passageLine', { position: position + 1, title, section });
    });
    const labels = [
      ...new Set(suggestions.map(({ passage }) => titleAndSection(passage).section || titleAndSection(passage).title)),
    ];
    return {
      route: 'auto',
      tier: 'fallback',
      text: [context.runtime.messages.fallback, knowledgeText(locale, 'passageSuggestions'), ...lines].join('\n'),
      reasons: [
        reason,
        `passages: ${suggestions.map(({ passage, coverage }) => `${passage.reference} (${coverage.toFixed(2)})`).join(', ')}`,
      ],
      quickReplies: [...labels, handoverQuickReply(locale)],
      citations: suggestions.map(({ passage }) => ({
        source: passage.source,
        id: passage.reference,
        version: passage.version ?? 1,
      })),
    };
  },
};

import type { Migration } from 'kysely';
import * as core from './20261125-0001-core.js';
import * as turnCosts from './20261125-0002-turn-costs.js';
import * as knowledge from './20261125-0100-knowledge.js';
import * as handoff from './20261125-0200-handoff.js';
import * as plans from './20261125-0300-plans.js';
import * as operator from './20261125-0310-operator.js';
import * as metering from './20261125-0320-metering.js';
import * as dialogueStateVersion from './20261210-0100-dialogue-state-version.js';
import * as agentScopes from './20261211-0200-agent-scopes.js';
import * as styleChecks from './20261211-0300-style-checks.js';
import * as personal from './20261211-0700-personal.js';
import * as voice from './20261211-0600-voice.js';
import * as learningSignals from './20261211-0400-learning-signals.js';
import * as faqLocaleAnswers from './20261211-0800-faq-locale-answers.js';
import * as draftBasis from './20261212-0100-draft-basis.js';
import * as conversationCounters from './20261212-0200-conversation-counters.js';
import * as trainingExamples from './20261212-0400-training-examples.js';
import * as trainerFaqs from './20261213-0200-trainer-faqs.js';
import * as faqPhrasingSuggestions from './20261213-0310-faq-phrasing-suggestions.js';
import * as contactSyncs from './20261213-0500-contact-syncs.js';

/**
 * Every migration, by name, in order. Listed statically (not read from disk) so they run the
 * same from sources, from a bundle and under test. Add new files here with a later timestamp.
 */
export const migrations: Record<string, Migration> = {
  '20261125-0001-core': core,
  '20261125-0002-turn-costs': turnCosts,
  '20261125-0100-knowledge': knowledge,
  '20261125-0200-handoff': handoff,
  '20261125-0300-plans': plans,
  '20261125-0310-operator': operator,
  '20261125-0320-metering': metering,
  '20261210-0100-dialogue-state-version': dialogueStateVersion,
  '20261211-0200-agent-scopes': agentScopes,
  '20261211-0300-style-checks': styleChecks,
  '20261211-0700-personal': personal,
  '20261211-0600-voice': voice,
  '20261211-0400-learning-signals': learningSignals,
  '20261211-0800-faq-locale-answers': faqLocaleAnswers,
  '20261212-0100-draft-basis': draftBasis,
  '20261212-0200-conversation-counters': conversationCounters,
  '20261212-0400-training-examples': trainingExamples,
  '20261213-0200-trainer-faqs': trainerFaqs,
  '20261213-0310-faq-phrasing-suggestions': faqPhrasingSuggestions,
  '20261213-0500-contact-syncs': contactSyncs,
};

import { answer, handOver, type Responder } from './responder.js';

/**
 * The understood intent's own answer: its FAQ entry (cited with its version) or the intent's
 * answer. A sensitive FAQ entry or an intent routed to assist becomes a draft a person approves;
 * an intent with nothing to say hands over.
 */
export const intentAnswer: Responder = {
  name: 'intent-answer',
  propose(context) {
    const { runtime, intent, intentDefinition, understanding, gate } = context;
    const faq = intent ? runtime.faq.get(intent) : undefined;
    // An empty intent answer is no answer; an FAQ entry always has one.
    const text = faq ? faq.answer : intentDefinition?.answer || null;
    if (text === null) return handOver(context, `intent ${intent} has no answer to give`);
    const citations = faq ? [{ source: 'faq', id: faq.id, version: faq.version }] : [];
    if (faq?.sensitive) {
      return answer(text, `FAQ ${faq.id} is marked sensitive: a person approves the draft`, {
        route: 'assist',
        citations,
      });
    }
    if (intentDefinition?.route === 'assist') {
      return answer(text, `intent ${intent} is routed to assist`, { route: 'assist', citations });
    }
    return answer(text, `confidence ${understanding.confidence.toFixed(3)} ≥ gate ${gate}`, { citations });
  },
};

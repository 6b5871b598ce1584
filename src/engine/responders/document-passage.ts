import { looksUnrelated } from './out-of-scope-floor.js';
import { answer, type Responder } from './responder.js';

/** No intent fits, but a document passage matches at or above the gate: answer with it and cite it. */
export const documentPassage: Responder = {
  name: 'document-passage',
  propose(context) {
    if (!looksUnrelated(context)) return null;
    const hit = context.bestDocumentHit();
    if (!hit) return null;
    const passage = context.runtime.passages.get(hit.id)!;
    const score = hit.matchScore.toFixed(3);
    const reason = `document passage ${passage.reference} matches with ${score} ≥ gate ${context.gate}`;
    const citation = { source: passage.source, id: passage.reference, version: passage.version ?? 1 };
    return answer(passage.text, reason, { citations: [citation] });
  },
};

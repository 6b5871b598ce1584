import type { FewShotMatcher } from '../fewshot/index.js';
import type { Understander } from './understander.js';

/**
 * The day-one FAQ matcher behind the pipeline's Understander seam: used for tenants whose
 * knowledge is an FAQ sheet only (a few phrasings per entry), where it is more accurate and
 * better calibrated than the trained classifier and needs no training worker (docs/fewshot.md).
 */
export function createFewShotUnderstander(matcher: FewShotMatcher): Understander {
  return {
    understand(normalizedText) {
      const prediction = matcher.matchNormalized(normalizedText);
      return {
        intent: prediction.intent ?? prediction.alternatives[0]?.intent ?? null,
        confidence: prediction.confidence,
        outOfScope: prediction.outOfScope,
        alternatives: prediction.alternatives,
        model: 'fewshot-matcher',
        reasons: prediction.reasons,
      };
    },
  };
}

import type { IntentClassifier } from '../nlu/index.js';
import type { Understander } from './understander.js';

/** The light-tier classifier behind the pipeline's Understander seam. */
export function createClassifierUnderstander(classifier: IntentClassifier, version: number): Understander {
  return {
    understand(normalizedText) {
      const prediction = classifier.classify(normalizedText);
      return {
        intent: prediction.intent ?? prediction.alternatives[0]?.intent ?? null,
        confidence: prediction.confidence,
        outOfScope: prediction.outOfScope,
        alternatives: prediction.alternatives,
        model: `intent-classifier@v${version}`,
        reasons: prediction.reasons,
      };
    },
  };
}

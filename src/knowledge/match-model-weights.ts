import type { MatchModel } from './match-features.js';

/**
 * The match model: logistic regression over the features in match-features.ts, trained by
 * src/knowledge/training/train-match-model.ts on travel-zh faq.csv leave-one-out (648 queries) + Platt-scaled on travel-zh dev top hits (2-fold cross-validated ECE 0.1316).
 * Regenerate with `npx tsx src/knowledge/training/train-match-model.ts --write`.
 * travel-zh dev (ranking not trained on it; only the 2-parameter Platt step is): paraphrase top-1 0.695, top-hit ECE 0.0805 in-sample, median out-of-scope matchScore 0.299.
 * BQ dev (not trained on): first stage R@1 0.0918, re-ranked R@1 0.0896, top-hit ECE 0.4528.
 */
export const DEFAULT_MATCH_MODEL: MatchModel = {
  "bias": -6.4642,
  "weights": {
    "wordRecall": 0.3338,
    "wordPrecision": 0,
    "wordF1": 0,
    "gramRecall": 2.1624,
    "gramPrecision": 0,
    "gramF1": 0,
    "lengthRatio": 0,
    "relativeScore": 4.0211,
    "reciprocalRank": 0,
    "scoreMargin": 3.8124,
    "isPhrasing": 0.8464
  }
};

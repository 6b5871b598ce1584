import type { MatchModel } from './match-features.js';

/**
 * The match model: logistic regression over the features in match-features.ts, trained by
 * src/knowledge/training/train-match-model.ts on travel-zh faq.csv leave-one-out (648 queries) + Platt-scaled on travel-zh dev top hits (2-fold cross-validated ECE 0.1229).
 * Regenerate with `npx tsx src/knowledge/training/train-match-model.ts --write`.
 * travel-zh dev (the model is not trained on it; only the 2-parameter Platt step is): paraphrase top-1 0.71, top-hit ECE 0.0752 in-sample, median out-of-scope matchScore 0.321.
 * Hits are ranked by BM25; the model only calibrates (re-ranking by it measured worse).
 * BQ dev (not trained on): R@1 0.0918, top-hit ECE 0.4557.
 */
export const DEFAULT_MATCH_MODEL: MatchModel = {
  bias: -5.9182,
  weights: {
    wordRecall: 0.3077,
    wordPrecision: 0,
    wordF1: 0,
    gramRecall: 1.993,
    gramPrecision: 0,
    gramF1: 0,
    lengthRatio: 0,
    relativeScore: 3.706,
    reciprocalRank: 0,
    scoreMargin: 3.5138,
    isPhrasing: 0.7801,
  },
};

import type { MatchModel } from './match-features.js';

/** Placeholder until trained. */
export const DEFAULT_MATCH_MODEL: MatchModel = {
  bias: -4,
  weights: {
    wordRecall: 2, wordPrecision: 1, wordF1: 1, gramRecall: 2, gramPrecision: 1, gramF1: 1,
    lengthRatio: 0.5, relativeScore: 2, reciprocalRank: 0.5, scoreMargin: 0.5, isPhrasing: 0,
  },
};

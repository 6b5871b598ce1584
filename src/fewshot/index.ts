/**
 * Day-one FAQ tenants (issue 9): a similarity matcher for a sheet of a few phrasings per entry,
 * calibrated on the sheet itself by leave-one-phrasing-out. See docs/fewshot.md.
 *
 * @example
 * const matcher = trainFewShotMatcher([{ label: 'faq-01', phrasings: ['机票退票怎么收费？', '退机票要扣多少钱'], answer: '…' }, …]);
 * matcher.match('退票費怎麼算'); // { intent: 'faq-01', confidence: 0.9, outOfScope: false, … }
 */
export { fitRecalibration, trainFewShotMatcher } from './faq-matcher.js';
export type {
  FewShotEntry,
  FewShotMatcher,
  FewShotMatcherOptions,
  FewShotPrediction,
  Recalibration,
} from './faq-matcher.js';
export { applyRecalibration, crossValidateRecalibration } from './recalibration.js';
export type { RecalibrationCrossValidation, RecalibrationMethod, RecalibrationOptions } from './recalibration.js';
export { extractFeatures, defaultBackground, withTranslations, DEFAULT_FEATURE_WEIGHTS } from './text-features.js';

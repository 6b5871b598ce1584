export { CATEGORY_GROUP, HANDOVER_CATEGORIES, isHandoverCategory, type HandoverCategory } from './categories.js';
export { corpusRows, SCENARIOS, type CorpusRow, type Scenario } from './corpus/index.js';
export { evaluateGuard, type EvaluationDetail, type HandoverEvaluation, type LabelledRow } from './evaluate.js';
export {
  BORDERLINE_MARGIN,
  DEFAULT_THRESHOLD,
  defaultHandoverGuard,
  trainHandoverGuard,
  type ClassifyOptions,
  type GuardOptions,
  type HandoverGuard,
  type HandoverVerdict,
} from './guard.js';
export { MAX_GUARD_CHARS, normalizeForGuard, type GuardText } from './normalize.js';
export { CRISIS_INTENT, crisisLocale, crisisReply, DEFAULT_CRISIS_LINES } from './crisis.js';
export { translateHandover } from './locales.js';
export { guardMessage, toSignal, type GuardSignal } from './turn-guard.js';

/**
 * The light tier: fast, calibrated intent understanding with out-of-scope detection, and entity
 * extraction. See docs/nlu.md for the model and how it was chosen.
 */
export type {
  IntentClassifier,
  IntentExample,
  IntentPrediction,
  TrainIntentOptions,
  TrainingProgress,
} from './types.js';
export { trainIntentClassifier, loadIntentClassifier, DEFAULT_HYPERPARAMETERS } from './intent-classifier.js';
export type { LightTierHyperparameters, TrainIntentInternalOptions } from './intent-classifier.js';
export { ARTIFACT_FORMAT_VERSION } from './artifact.js';
export { evaluateIntentClassifier, scoreIntentPredictions } from './evaluate.js';
export type { IntentEvaluation, EvaluateOptions } from './evaluate.js';
export { expectedCalibrationError } from './calibration.js';
export { parseIntentJsonl, readIntentJsonl } from './jsonl.js';
export { trainIntentClassifierInWorker } from './train-in-worker.js';
export { extractEntities } from './entities.js';
export type { Entity, ExtractEntitiesOptions } from './entities.js';

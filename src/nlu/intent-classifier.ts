import type { Jieba } from '@node-rs/jieba';
import { defaultJieba, jiebaWithUserDictionary, normalizeText } from '../text/index.js';
import { decodeArtifact, encodeArtifact, type ModelState } from './artifact.js';
import {
  combine,
  fitCombinationWeights,
  fitOutOfScopeThreshold,
  type CombinationWeights,
  type OutOfFoldRow,
  type ThresholdRow,
} from './calibration.js';
import {
  DEFAULT_FEATURE_CONFIG,
  featureHashes,
  vectorize,
  VectorizeScratch,
  Vocabulary,
  wordPart,
  type FeatureConfig,
  type FeatureHashes,
  type SparseVector,
} from './features.js';
import { buildKnnIndex, knnScores, type KnnIndex } from './knn.js';
import { mlpScores, trainMlp, type MlpModel } from './mlp.js';
import { Random } from './random.js';
import { linearScores, trainSoftmax, type LinearModel } from './softmax.js';
import type { IntentClassifier, IntentExample, IntentPrediction, TrainIntentOptions } from './types.js';

/** Hyper-parameters of the light tier; the defaults were chosen on the dev splits (docs/nlu.md). */
export interface LightTierHyperparameters {
  features: FeatureConfig;
  /** Softmax-regression member; false disables it. */
  linear: boolean;
  /** Linear model: at least this many SGD steps (epochs = steps / examples, clamped). */
  linearSteps: number;
  linearMinEpochs: number;
  linearMaxEpochs: number;
  linearLearningRate: number;
  linearL2: number;
  /** MLP; hidden 0 disables it. */
  mlpHidden: number;
  /** The MLP sees only word features (cheap: few non-zeros per example) or all features. */
  mlpWordsOnly: boolean;
  mlpSteps: number;
  mlpMinEpochs: number;
  mlpMaxEpochs: number;
  mlpLearningRate: number;
  mlpDropout: number;
  mlpInputDropout: number;
  /** Nearest-neighbour member; false disables it. */
  knn: boolean;
  /** The nearest-neighbour index covers word features only (short posting lists) or all features. */
  knnWordsOnly: boolean;
  knnMaxDocumentShare: number;
  /** Folds for the out-of-fold predictions that calibration is fitted on. */
  folds: number;
  /** How many of the folds are actually held out and predicted (cost vs. calibration data). */
  evaluatedFolds: (examples: number) => number;
  /** Without out-of-scope examples: share of correct held-out predictions the threshold may reject. */
  maxCorrectRejected: number;
  /** With out-of-scope examples: the assumed share of out-of-scope traffic the threshold optimises for. */
  oosShare: number;
}

export const DEFAULT_HYPERPARAMETERS: LightTierHyperparameters = {
  features: DEFAULT_FEATURE_CONFIG,
  linear: true,
  linearSteps: 110_000,
  linearMinEpochs: 8,
  linearMaxEpochs: 40,
  linearLearningRate: 1,
  linearL2: 1e-6,
  mlpHidden: 128,
  mlpWordsOnly: false,
  mlpSteps: 45_000,
  mlpMinEpochs: 5,
  mlpMaxEpochs: 40,
  mlpLearningRate: 0.2,
  mlpDropout: 0.2,
  mlpInputDropout: 0.4,
  knn: true,
  knnWordsOnly: true,
  knnMaxDocumentShare: 0.02,
  folds: 5,
  evaluatedFolds: (examples) => (examples >= 6000 ? 1 : examples >= 2500 ? 2 : 5),
  maxCorrectRejected: 0.002,
  oosShare: 0.05,
};

/** TrainIntentOptions plus knobs for benchmarks and experiments (not part of the stable API). */
export interface TrainIntentInternalOptions extends TrainIntentOptions {
  hyperparameters?: Partial<LightTierHyperparameters>;
}

/** Inputs longer than this are cut before normalisation: intent lives in the first sentences. */
const MAX_INPUT_CHARACTERS = 2000;
const SINGLE_INTENT_CONFIDENCE_CAP = 0.5;
const DEFAULT_WEIGHTS: CombinationWeights = { linear: 1, mlp: 1, knn: 2 };
const DEFAULT_OOS_THRESHOLD = 0.3;

interface PreparedExample {
  strings: FeatureHashes;
  label: number;
}

interface Members {
  vocabulary: Vocabulary;
  linear: LinearModel | null;
  mlp: MlpModel | null;
  knn: KnnIndex | null;
}

function epochsFor(steps: number, examples: number, minimum: number, maximum: number): number {
  return Math.max(minimum, Math.min(maximum, Math.round(steps / Math.max(examples, 1))));
}

function trainMembers(
  examples: readonly PreparedExample[],
  classes: number,
  parameters: LightTierHyperparameters,
  seed: number,
  onEpoch: (member: 'linear' | 'mlp') => void,
): Members {
  const vocabulary = Vocabulary.build(examples.map((example) => example.strings));
  const scratch = new VectorizeScratch(vocabulary.size);
  const vectors = examples.map((example) =>
    vectorize(example.strings, vocabulary, parameters.features.charWeight, scratch),
  );
  const labels = Int32Array.from(examples, (example) => example.label);
  const trainable = classes >= 2;
  const linear =
    trainable && parameters.linear
      ? trainSoftmax(vectors, labels, classes, vocabulary.size, {
          epochs: epochsFor(
            parameters.linearSteps,
            vectors.length,
            parameters.linearMinEpochs,
            parameters.linearMaxEpochs,
          ),
          learningRate: parameters.linearLearningRate,
          l2: parameters.linearL2,
          seed,
          onEpoch: () => onEpoch('linear'),
        })
      : null;
  const mlpVectors = parameters.mlpWordsOnly
    ? vectors.map((vector) => wordPart(vector, vocabulary.wordCount))
    : vectors;
  const mlp =
    trainable && parameters.mlpHidden > 0
      ? trainMlp(mlpVectors, labels, classes, parameters.mlpWordsOnly ? vocabulary.wordCount : vocabulary.size, {
          hidden: parameters.mlpHidden,
          epochs: epochsFor(parameters.mlpSteps, vectors.length, parameters.mlpMinEpochs, parameters.mlpMaxEpochs),
          learningRate: parameters.mlpLearningRate,
          dropout: parameters.mlpDropout,
          inputDropout: parameters.mlpInputDropout,
          seed: seed + 1,
          onEpoch: () => onEpoch('mlp'),
        })
      : null;
  const knnVectors = parameters.knnWordsOnly
    ? parameters.mlpWordsOnly
      ? mlpVectors
      : vectors.map((vector) => wordPart(vector, vocabulary.wordCount))
    : vectors;
  const knn =
    parameters.knn || !trainable
      ? buildKnnIndex(
          knnVectors,
          labels,
          classes,
          vocabulary.size,
          parameters.knnMaxDocumentShare,
          parameters.knnWordsOnly,
        )
      : null;
  return { vocabulary, linear, mlp, knn };
}

/** Scratch buffers for evidence computation, sized once per model. */
class Evidence {
  readonly linear: Float32Array;
  readonly mlp: Float32Array;
  readonly knn: Float32Array;
  private readonly hidden: Float32Array;
  private readonly similarity: Float32Array;
  private readonly touched: Int32Array;

  constructor(
    private readonly members: Omit<Members, 'vocabulary'>,
    classes: number,
    private readonly wordCount: number,
  ) {
    this.linear = new Float32Array(classes);
    this.mlp = new Float32Array(classes);
    this.knn = new Float32Array(classes);
    this.hidden = new Float32Array(members.mlp?.hidden ?? 0);
    const documents = members.knn?.documentLabels.length ?? 0;
    this.similarity = new Float32Array(documents);
    this.touched = new Int32Array(documents);
  }

  /**
   * Fills linear/mlp with logits and knn with per-class similarities. Logits rather than
   * log-probabilities: the log-normalisers are the same for every class, so they cancel in the
   * combined softmax, and skipping them saves two exp() per class.
   */
  compute(vector: SparseVector): void {
    const { linear, mlp, knn } = this.members;
    if (linear) linearScores(linear, vector, this.linear);
    else this.linear.fill(0);
    const words =
      (mlp && mlp.dimensions === this.wordCount) || knn?.wordsOnly ? wordPart(vector, this.wordCount) : vector;
    if (mlp) mlpScores(mlp, mlp.dimensions === this.wordCount ? words : vector, this.hidden, this.mlp);
    else this.mlp.fill(0);
    if (knn) knnScores(knn, knn.wordsOnly ? words : vector, this.similarity, this.touched, this.knn);
    else this.knn.fill(0);
  }
}

/** Stratified fold numbers; classes with a single example are never held out (-1). */
function assignFolds(labels: readonly number[], folds: number, random: Random): Int32Array {
  const assignment = new Int32Array(labels.length).fill(-1);
  const byLabel = new Map<number, number[]>();
  labels.forEach((label, index) => {
    const list = byLabel.get(label) ?? [];
    list.push(index);
    byLabel.set(label, list);
  });
  let offset = 0;
  for (const label of [...byLabel.keys()].sort((left, right) => left - right)) {
    const members = byLabel.get(label)!;
    if (members.length < 2) continue;
    random.shuffle(members);
    members.forEach((index, position) => {
      assignment[index] = (position + offset) % folds;
    });
    offset += members.length;
  }
  return assignment;
}

/**
 * Trains a tenant's intent classifier from example phrasings: TF-IDF features over jieba words,
 * Latin words (stemmed) and character n-grams; a softmax regression, a one-hidden-layer
 * perceptron and a nearest-neighbour member, combined with weights fitted on held-out folds
 * (which calibrates the probabilities); an out-of-scope threshold fitted on the same folds.
 * Synchronous and CPU-bound: use trainIntentClassifierInWorker on a server.
 * @example
 * const classifier = trainIntentClassifier([{ text: '怎么退货', label: 'return' }, ...], { oosLabel: 'oos' });
 * classifier.classify('我想退貨') // { intent: 'return', confidence: 0.93, outOfScope: false, ... }
 */
export function trainIntentClassifier(
  examples: readonly IntentExample[],
  options: TrainIntentInternalOptions = {},
): IntentClassifier {
  const started = performance.now();
  const parameters: LightTierHyperparameters = {
    ...DEFAULT_HYPERPARAMETERS,
    ...options.hyperparameters,
    features: { ...DEFAULT_HYPERPARAMETERS.features, ...options.hyperparameters?.features },
  };
  const seed = options.seed ?? 1;
  const report = (stage: string, fraction: number) => {
    try {
      options.onProgress?.({ stage, fraction: Math.min(1, Math.max(0, fraction)) });
    } catch {
      // a failing progress listener must not break training
    }
  };
  report('prepare', 0);
  const warnings: string[] = [];
  const userDictionary = [...(options.userDictionary ?? [])].map(String);
  const jieba = userDictionary.length > 0 ? jiebaWithUserDictionary(userDictionary) : defaultJieba();
  const oosLabel = options.oosLabel;

  const accepted: Array<{ normalized: string; label: string }> = [];
  let skipped = 0;
  // An untyped caller may pass anything; Array.isArray alone would type the elements `any`.
  const list: readonly IntentExample[] = Array.isArray(examples) ? examples : [];
  for (const example of list) {
    if (
      !example ||
      typeof example.text !== 'string' ||
      typeof example.label !== 'string' ||
      example.label.length === 0
    ) {
      skipped += 1;
      continue;
    }
    const normalized = normalizeText(example.text.slice(0, MAX_INPUT_CHARACTERS)).text;
    if (normalized.length === 0) {
      skipped += 1;
      continue;
    }
    accepted.push({ normalized, label: example.label });
  }
  if (skipped > 0) warnings.push(`${skipped} example(s) skipped: empty text or missing label`);
  const labels = [...new Set(accepted.map((row) => row.label).filter((label) => label !== oosLabel))].sort();
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const hasOosClass = labels.length > 0 && oosLabel !== undefined && accepted.some((row) => row.label === oosLabel);
  const classes = labels.length + (hasOosClass ? 1 : 0);
  const prepared: PreparedExample[] = accepted
    .filter((row) => labelIndex.has(row.label) || hasOosClass)
    .map((row) => ({
      strings: featureHashes(row.normalized, parameters.features, jieba),
      label: labelIndex.get(row.label) ?? labels.length,
    }));
  report('prepare', 0.05);

  const language = options.language ?? 'auto';
  const baseState = {
    labels,
    hasOosClass,
    featureConfig: parameters.features,
    language,
    userDictionary,
    createdAt: new Date().toISOString(),
  };
  if (labels.length === 0) {
    warnings.push('no in-scope examples: every message will be out of scope');
    return finish({
      ...baseState,
      featureHashes: new Int32Array(0),
      wordCount: 0,
      idf: new Float32Array(0),
      linear: null,
      mlp: null,
      knn: null,
      weights: DEFAULT_WEIGHTS,
      oosThreshold: 1,
      singleIntentMinimumSimilarity: 1,
    });
  }
  const counts = new Map<number, number>();
  for (const example of prepared) counts.set(example.label, (counts.get(example.label) ?? 0) + 1);
  const smallest = Math.min(...labels.map((_, index) => counts.get(index) ?? 0));
  if (labels.length === 1 && !hasOosClass) {
    warnings.push(
      'single intent: confidence capped at 0.5 (nothing to tell it apart from; add more intents or out-of-scope examples)',
    );
  }
  if (smallest < 5)
    warnings.push(`some intents have fewer than 5 examples (smallest: ${smallest}); expect lower confidence`);

  // Out-of-fold predictions for calibration.
  const random = new Random(seed);
  const folds = Math.min(parameters.folds, Math.max(2, smallest));
  const calibrate = classes >= 2 && prepared.length >= 20 && smallest >= 2;
  const evaluatedFolds = calibrate ? Math.min(folds, parameters.evaluatedFolds(prepared.length)) : 0;
  const linearEpochs =
    classes >= 2 && parameters.linear
      ? epochsFor(parameters.linearSteps, prepared.length, parameters.linearMinEpochs, parameters.linearMaxEpochs)
      : 0;
  const mlpEpochs =
    classes >= 2 && parameters.mlpHidden > 0
      ? epochsFor(parameters.mlpSteps, prepared.length, parameters.mlpMinEpochs, parameters.mlpMaxEpochs)
      : 0;
  // Work units: epochs weighted by their relative cost (an MLP epoch costs about twice a linear one).
  const unitsPerModel = linearEpochs + 2 * mlpEpochs + 1;
  const totalUnits = unitsPerModel * (evaluatedFolds * (1 - 1 / folds) + 1);
  let doneUnits = 0;
  const tick = (units: number, stage: string) => {
    doneUnits += units;
    report(stage, 0.05 + 0.93 * (doneUnits / totalUnits));
  };

  const outOfFold: OutOfFoldRow[] = [];
  if (calibrate) {
    const assignment = assignFolds(
      prepared.map((example) => example.label),
      folds,
      random,
    );
    for (let fold = 0; fold < evaluatedFolds; fold += 1) {
      const training = prepared.filter((_, index) => assignment[index] !== fold);
      const heldOut = prepared.filter((_, index) => assignment[index] === fold);
      const share = training.length / prepared.length;
      const members = trainMembers(training, classes, parameters, seed + 17 * (fold + 1), (member) => {
        tick(share * (member === 'linear' ? 1 : 2), 'calibrate');
      });
      const evidence = new Evidence(members, classes, members.vocabulary.wordCount);
      const scratch = new VectorizeScratch(members.vocabulary.size);
      for (const example of heldOut) {
        evidence.compute(vectorize(example.strings, members.vocabulary, parameters.features.charWeight, scratch));
        outOfFold.push({
          linear: evidence.linear.slice(),
          mlp: evidence.mlp.slice(),
          knn: evidence.knn.slice(),
          label: example.label,
        });
      }
    }
  } else if (classes >= 2) {
    warnings.push(
      'too few examples to calibrate on held-out folds (need ≥ 20 examples and ≥ 2 per intent): default calibration, confidence is less reliable',
    );
  }

  tick(0, 'train');
  const members = trainMembers(prepared, classes, parameters, seed, (member) =>
    tick(member === 'linear' ? 1 : 2, 'train'),
  );
  const enabled = { linear: members.linear !== null, mlp: members.mlp !== null, knn: members.knn !== null };
  const weights = calibrate
    ? fitCombinationWeights(outOfFold, classes, DEFAULT_WEIGHTS, enabled)
    : { ...DEFAULT_WEIGHTS };
  let oosThreshold = DEFAULT_OOS_THRESHOLD;
  if (calibrate) {
    const scratch = new Float64Array(classes);
    const rows: ThresholdRow[] = outOfFold.map((row) => {
      const probabilities = combine(weights, row.linear, row.mlp, row.knn, scratch);
      let best = 0;
      for (let label = 1; label < labels.length; label += 1)
        if (probabilities[label] > probabilities[best]) best = label;
      const oosClassWins = hasOosClass && probabilities[labels.length] > probabilities[best];
      return {
        confidence: probabilities[best],
        correct: best === row.label,
        outOfScope: row.label === labels.length,
        oosClassWins,
      };
    });
    oosThreshold = fitOutOfScopeThreshold(rows, parameters.maxCorrectRejected, parameters.oosShare);
  }
  return finish({
    ...baseState,
    featureHashes: members.vocabulary.hashes,
    wordCount: members.vocabulary.wordCount,
    idf: members.vocabulary.idf,
    linear: members.linear,
    mlp: members.mlp,
    knn: members.knn,
    weights,
    oosThreshold,
    singleIntentMinimumSimilarity: 0.2,
  });

  function finish(state: Omit<ModelState, 'summary'>): IntentClassifier {
    const summary = {
      examples: prepared.length,
      intents: labels.length,
      trainMs: Math.round(performance.now() - started),
      warnings,
    };
    const artifact = encodeArtifact({ ...state, summary });
    const classifier = loadIntentClassifier(artifact);
    report('done', 1);
    return classifier;
  }
}

function outOfScopeResult(
  language: IntentPrediction['language'],
  reason: string,
  alternatives: IntentPrediction['alternatives'] = [],
): IntentPrediction {
  return {
    intent: null,
    confidence: alternatives[0]?.confidence ?? 0,
    outOfScope: true,
    alternatives,
    language,
    reasons: [reason],
  };
}

class LightTierClassifier implements IntentClassifier {
  readonly labels: readonly string[];
  readonly summary: ModelState['summary'];
  private readonly vocabulary: Vocabulary;
  private readonly evidence: Evidence;
  private readonly probabilities: Float64Array;
  private readonly jieba: Jieba;
  private readonly classes: number;
  private readonly scratch: VectorizeScratch;

  constructor(
    private readonly state: ModelState,
    private readonly artifact: Uint8Array,
  ) {
    this.labels = Object.freeze([...state.labels]);
    this.summary = Object.freeze({ ...state.summary, warnings: [...state.summary.warnings] });
    this.vocabulary = new Vocabulary(state.featureHashes, state.idf, state.wordCount);
    this.classes = state.labels.length + (state.hasOosClass ? 1 : 0);
    this.evidence = new Evidence(state, this.classes, this.vocabulary.wordCount);
    this.probabilities = new Float64Array(this.classes);
    this.scratch = new VectorizeScratch(this.vocabulary.size);
    this.jieba = state.userDictionary.length > 0 ? jiebaWithUserDictionary(state.userDictionary) : defaultJieba();
  }

  toArtifact(): Uint8Array {
    return this.artifact.slice();
  }

  classify(text: string): IntentPrediction {
    let language: IntentPrediction['language'] = 'unknown';
    try {
      const input = typeof text === 'string' ? text : text == null ? '' : String(text);
      const reasons: string[] = [];
      const clipped = input.length > MAX_INPUT_CHARACTERS ? input.slice(0, MAX_INPUT_CHARACTERS) : input;
      if (clipped !== input) reasons.push(`input truncated to ${MAX_INPUT_CHARACTERS} characters`);
      const normalized = normalizeText(clipped);
      // The tenant's language only fills in when the script says nothing (digits, emoji).
      language =
        normalized.language === 'unknown' && this.state.language !== 'auto' ? this.state.language : normalized.language;
      if (normalized.text.length === 0) return outOfScopeResult(language, 'empty input');
      if (this.labels.length === 0) return outOfScopeResult(language, 'no intents trained');
      const strings = featureHashes(normalized.text, this.state.featureConfig, this.jieba);
      const vector = vectorize(strings, this.vocabulary, this.state.featureConfig.charWeight, this.scratch);
      if (vector.indices.length === 0) return outOfScopeResult(language, 'no known words or characters');
      this.evidence.compute(vector);
      const labelCount = this.labels.length;
      if (labelCount === 1 && !this.state.hasOosClass) {
        const similarity = this.evidence.knn[0];
        const confidence = Math.min(SINGLE_INTENT_CONFIDENCE_CAP, similarity);
        const alternatives = [{ intent: this.labels[0], confidence }];
        const capped = 'single intent: confidence capped';
        if (similarity < this.state.singleIntentMinimumSimilarity)
          return {
            ...outOfScopeResult(language, capped, alternatives),
            reasons: [...reasons, capped, 'below oos threshold'],
          };
        return {
          intent: this.labels[0],
          confidence,
          outOfScope: false,
          alternatives,
          language,
          reasons: [...reasons, capped],
        };
      }
      const probabilities = combine(
        this.state.weights,
        this.evidence.linear,
        this.evidence.mlp,
        this.evidence.knn,
        this.probabilities,
      );
      const ranked = topIndices(probabilities, labelCount, 5);
      const alternatives = ranked.map((index) => ({
        intent: this.labels[index],
        confidence: round(probabilities[index]),
      }));
      const best = ranked[0];
      const confidence = probabilities[best];
      const oosClassWins = this.state.hasOosClass && probabilities[labelCount] > confidence;
      if (oosClassWins) reasons.push('out-of-scope examples match best');
      if (confidence < this.state.oosThreshold) reasons.push('below oos threshold');
      if (oosClassWins || confidence < this.state.oosThreshold) {
        return { intent: null, confidence: round(confidence), outOfScope: true, alternatives, language, reasons };
      }
      return {
        intent: this.labels[best],
        confidence: round(confidence),
        outOfScope: false,
        alternatives,
        language,
        reasons,
      };
    } catch (error) {
      return outOfScopeResult(language, `classifier error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Indices of the k largest values among the first `count`, descending (insertion into a short list). */
function topIndices(values: Float64Array, count: number, k: number): number[] {
  const top: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const value = values[index];
    if (top.length === k && value <= values[top[k - 1]]) continue;
    let position = Math.min(top.length, k - 1);
    if (top.length < k) top.push(index);
    while (position > 0 && values[top[position - 1]] < value) {
      top[position] = top[position - 1];
      position -= 1;
    }
    top[position] = index;
  }
  return top;
}

/** Rebuilds a classifier from toArtifact() bytes (throws a clear Error for a foreign or newer artifact). */
export function loadIntentClassifier(artifact: Uint8Array): IntentClassifier {
  const state = decodeArtifact(artifact);
  return new LightTierClassifier(state, artifact instanceof Uint8Array ? artifact.slice() : new Uint8Array(artifact));
}

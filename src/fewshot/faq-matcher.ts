import { performance } from 'node:perf_hooks';
import type { Jieba } from '@node-rs/jieba';
import { jiebaWithUserDictionary, normalizeText } from '../text/index.js';
import {
  DEFAULT_FEATURE_WEIGHTS,
  FEATURE_KINDS,
  defaultBackground,
  extractFeatures,
  kindOf,
  type FeatureWeights,
} from './text-features.js';

/** One FAQ entry (or intent) as the matcher learns it. */
export interface FewShotEntry {
  label: string;
  /** The question and its alternative phrasings (already normalised or raw; they are normalised again). */
  phrasings: readonly string[];
  /** Weaker evidence: the answer text and the category. */
  answer?: string | null;
  category?: string | null;
}

export interface FewShotMatcherOptions {
  userDictionary?: readonly string[];
  /** Sentences that are out of scope for (almost) any tenant; they calibrate the decline. Default: the built-in set. */
  background?: readonly string[];
  featureWeights?: Partial<FeatureWeights>;
  /** Share of out-of-scope traffic the confidence assumes (default 0.2). */
  oosPrior?: number;
  /**
   * Share of the out-of-scope traffic assumed near-domain (the sheet's words, another topic), taught
   * by leaving whole entries out (default 0.5; the rest is the generic background).
   */
  nearDomainShare?: number;
  /** Below this confidence the message is out of scope (default 0.3, the turn pipeline's decline floor). */
  oosThreshold?: number;
  /**
   * A Platt recalibration of the confidence, `σ(a · logit(c) + b)`, fitted on labelled messages
   * disjoint from what is reported (`fitRecalibration`); none by default.
   */
  recalibration?: Recalibration;
}

/** `σ(a · logit(confidence) + b)`. */
export interface Recalibration {
  a: number;
  b: number;
}

const logit = (p: number) => {
  const clamped = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(clamped / (1 - clamped));
};

/**
 * Fits a Platt recalibration on labelled predictions (the confidence of each message's first
 * guess, and whether that guess was right; out-of-scope messages are never right). Fit it on
 * messages carved from training data, never on the ones you report.
 */
export function fitRecalibration(confidences: readonly number[], correct: readonly boolean[]): Recalibration {
  const rows = confidences.map((confidence, index) => ({
    x: [logit(confidence), 1],
    y: correct[index] ? 1 : 0,
    weight: 1,
  }));
  const [a, b] = fitLogistic(rows, [1, 0]);
  return { a: a!, b: b! };
}

export interface FewShotPrediction {
  intent: string | null;
  /** Calibrated probability that `intent` is the right answer (out-of-scope traffic counted as wrong). */
  confidence: number;
  outOfScope: boolean;
  alternatives: Array<{ intent: string; confidence: number }>;
  reasons: string[];
}

export interface FewShotMatcher {
  readonly labels: readonly string[];
  match(text: string): FewShotPrediction;
  /** The same for text already through `normalizeText` (the turn pipeline has done it). */
  matchNormalized(normalizedText: string): FewShotPrediction;
  readonly summary: {
    phrasings: number;
    intents: number;
    trainMs: number;
    /** Leave-one-phrasing-out top-1 accuracy on the tenant's own phrasings. */
    leaveOneOutAccuracy: number | null;
    scoreWeights: number[];
    confidenceWeights: number[];
    warnings: string[];
  };
}

type SparseVector = Map<number, number>;

interface IndexedPhrasing {
  intent: number;
  vector: SparseVector;
}

/** Per-intent evidence for one message; the score is a linear function of these. */
const KINDS = FEATURE_KINDS.length;
/** maxCosine, maxCoverage, answerCoverage, then the centroid cosine split by feature kind (its terms per kind). */
const SCORE_FEATURES = 3 + KINDS;
const CENTROID = 3;

/** A message further than this from everything (top cosine) is out of scope whatever the calibration says. */
const MIN_SIMILARITY = 0.08;
/** … unless the answer covers this much of the message (its words are the answer's: 差价, 押金). */
const MIN_ANSWER_COVERAGE = 0.2;
/** A background sentence this similar to a tenant phrasing is not used as an out-of-scope example. */
const BACKGROUND_IN_DOMAIN = 0.5;

function dot(a: SparseVector, b: SparseVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [key, value] of small) {
    const other = large.get(key);
    if (other !== undefined) sum += value * other;
  }
  return sum;
}

function addInto(target: SparseVector, source: SparseVector, factor = 1): void {
  for (const [key, value] of source) target.set(key, (target.get(key) ?? 0) + factor * value);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The share of a query's (unit-norm) weight on features the tenant has never seen: out-of-domain words. */
function unknownShare(vector: SparseVector): number {
  let known = 0;
  for (const value of vector.values()) known += value * value;
  return Math.max(0, 1 - known);
}

/**
 * The day-one FAQ matcher (issue 9): nearest phrasing and centroid similarity over words, Han
 * character uni/bigrams, toneless pinyin bigrams (homophone typos: 留量 → 流量) and Latin
 * character trigrams, with the answer text as weaker evidence. How the evidence is weighed is fitted
 * by leave-one-phrasing-out on the tenant's own sheet (a conditional logit over the intents), and
 * the confidence is a logistic calibration of the winner's probability, similarity and margin on
 * the same held-out phrasings plus a background of generic out-of-scope sentences. No training loop
 * over epochs: a 40-entry sheet is ready in tens of milliseconds.
 */
export function trainFewShotMatcher(
  entries: readonly FewShotEntry[],
  options: FewShotMatcherOptions = {},
): FewShotMatcher {
  const started = performance.now();
  const warnings: string[] = [];
  const jieba: Jieba | undefined =
    options.userDictionary && options.userDictionary.length > 0
      ? jiebaWithUserDictionary(options.userDictionary)
      : undefined;
  const weights: FeatureWeights = { ...DEFAULT_FEATURE_WEIGHTS, ...options.featureWeights };
  const labels = entries.map((entry) => entry.label);
  const intentCount = labels.length;

  // Vocabulary and document frequency per intent (a feature shared by many intents says little).
  // The answers count too: a rare word that only an answer uses (孕妇, 押金) is strong evidence.
  const vocabulary = new Map<string, number>();
  const kinds: number[] = [];
  const kindIndex: number[] = [];
  const intentFrequency: number[] = [];
  /** The first intent a feature was seen in (with intentFrequency 1: the only one). */
  const featureIntent: number[] = [];
  /** In how many phrasings and answers a feature occurs (1: only in one, so unseen when that one is held out). */
  const documentFrequency: number[] = [];
  const phrasingBags: Array<{ intent: number; bag: Map<string, number> }> = [];
  const answerBags: Array<Map<string, number>> = [];
  let currentIntent = 0;
  const register = (key: string, seen: Set<number>) => {
    let id = vocabulary.get(key);
    if (id === undefined) {
      id = vocabulary.size;
      vocabulary.set(key, id);
      kinds.push(weights[kindOf(key)]);
      kindIndex.push(FEATURE_KINDS.indexOf(kindOf(key)));
      intentFrequency.push(0);
      featureIntent.push(currentIntent);
      documentFrequency.push(0);
    }
    documentFrequency[id]! += 1;
    if (!seen.has(id)) {
      seen.add(id);
      intentFrequency[id]! += 1;
    }
  };
  entries.forEach((entry, intent) => {
    currentIntent = intent;
    const seen = new Set<number>();
    for (const phrasing of entry.phrasings) {
      const bag = extractFeatures(normalizeText(phrasing).text, jieba);
      if (bag.size === 0) continue;
      phrasingBags.push({ intent, bag });
      for (const key of bag.keys()) register(key, seen);
    }
    const answerText = [entry.answer ?? '', entry.category ?? ''].join(' ');
    const answerBag = extractFeatures(normalizeText(answerText).text, jieba);
    answerBags.push(answerBag);
    for (const key of answerBag.keys()) register(key, seen);
  });
  const idf = intentFrequency.map((frequency, id) => kinds[id]! * (Math.log((intentCount + 1) / (frequency + 1)) + 1));
  const unknownWeight = (key: string) => weights[kindOf(key)] * (Math.log(intentCount + 1) + 1);

  /** TF-IDF vector over the known vocabulary; unknown features only count in the norm. */
  const vectorize = (bag: Map<string, number>): SparseVector => {
    const vector: SparseVector = new Map();
    let squares = 0;
    for (const [key, count] of bag) {
      const id = vocabulary.get(key);
      const value = (1 + Math.log(count)) * (id === undefined ? unknownWeight(key) : idf[id]!);
      squares += value * value;
      if (id !== undefined) vector.set(id, value);
    }
    const norm = Math.sqrt(squares);
    if (norm > 0) for (const [key, value] of vector) vector.set(key, value / norm);
    return vector;
  };

  const phrasings: IndexedPhrasing[] = phrasingBags.map(({ intent, bag }) => ({ intent, vector: vectorize(bag) }));
  const byIntent: number[][] = labels.map(() => []);
  phrasings.forEach((phrasing, index) => byIntent[phrasing.intent]!.push(index));
  const centroidSums: SparseVector[] = byIntent.map((members) => {
    const sum: SparseVector = new Map();
    for (const index of members) addInto(sum, phrasings[index]!.vector);
    return sum;
  });
  const centroidSquares = centroidSums.map((sum) => dot(sum, sum));
  // The answer's vocabulary, as a set of known feature ids (presence is the evidence).
  const answerSets = answerBags.map((bag) => new Set([...bag.keys()].map((key) => vocabulary.get(key)!)));

  // Inverted indexes (compressed rows over the dense feature ids): feature → phrasings, centroids
  // and answers that contain it.
  const phrasingPostings = buildPostings(
    vocabulary.size,
    phrasings.map((phrasing) => phrasing.vector),
  );
  const centroidPostings = buildPostings(vocabulary.size, centroidSums);
  const answerPostings = buildPostings(
    vocabulary.size,
    answerSets.map((set) => new Map([...set].map((key) => [key, 1]))),
  );
  /** Per phrasing and kind: the phrasing's dot product with its own intent's centroid sum (for leaving it out). */
  const selfDots = new Float64Array(phrasings.length * KINDS);
  phrasings.forEach((phrasing, index) => {
    const sum = centroidSums[phrasing.intent]!;
    for (const [key, value] of phrasing.vector)
      selfDots[index * KINDS + kindIndex[key]!]! += value * (sum.get(key) ?? 0);
  });
  const phrasingDots = new Float64Array(phrasings.length);
  const phrasingKindDots = new Float64Array(phrasings.length * KINDS);
  const phrasingCoverage = new Float64Array(phrasings.length);
  const centroidDots = new Float64Array(intentCount * KINDS);

  /** Evidence for every intent; `exclude` leaves one phrasing out (for the held-out fits). */
  const evidence = (query: SparseVector, exclude = -1): Float64Array => {
    const result = new Float64Array(intentCount * SCORE_FEATURES);
    phrasingDots.fill(0);
    phrasingCoverage.fill(0);
    centroidDots.fill(0);
    const excludedIntent = exclude >= 0 ? phrasings[exclude]!.intent : -1;
    if (exclude >= 0) phrasingKindDots.fill(0, exclude * KINDS, exclude * KINDS + KINDS);
    for (const [key, value] of query) {
      const kind = kindIndex[key]!;
      for (let at = phrasingPostings.offsets[key]!, end = phrasingPostings.offsets[key + 1]!; at < end; at += 1) {
        const index = phrasingPostings.ids[at]!;
        const other = phrasingPostings.values[at]!;
        phrasingDots[index]! += value * other;
        phrasingCoverage[index]! += other * other;
        if (index === exclude) phrasingKindDots[index * KINDS + kind]! += value * other;
      }
      for (let at = centroidPostings.offsets[key]!, end = centroidPostings.offsets[key + 1]!; at < end; at += 1) {
        centroidDots[centroidPostings.ids[at]! * KINDS + kind]! += value * centroidPostings.values[at]!;
      }
      for (let at = answerPostings.offsets[key]!, end = answerPostings.offsets[key + 1]!; at < end; at += 1) {
        result[answerPostings.ids[at]! * SCORE_FEATURES + 2]! += value * value;
      }
    }
    for (let index = 0; index < phrasings.length; index += 1) {
      if (index === exclude) continue;
      const base = phrasings[index]!.intent * SCORE_FEATURES;
      if (phrasingDots[index]! > result[base]!) result[base] = phrasingDots[index]!;
      if (phrasingCoverage[index]! > result[base + 1]!) result[base + 1] = phrasingCoverage[index]!;
    }
    for (let intent = 0; intent < intentCount; intent += 1) {
      let squares = centroidSquares[intent]!;
      const leaveOut = intent === excludedIntent;
      if (leaveOut) {
        let selfDot = 0;
        for (let kind = 0; kind < KINDS; kind += 1) selfDot += selfDots[exclude * KINDS + kind]!;
        squares = squares - 2 * selfDot + 1;
      }
      const norm = squares > 1e-9 ? Math.sqrt(squares) : 0;
      for (let kind = 0; kind < KINDS; kind += 1) {
        let value = centroidDots[intent * KINDS + kind]!;
        if (leaveOut) value -= phrasingKindDots[exclude * KINDS + kind]!;
        result[intent * SCORE_FEATURES + CENTROID + kind] = norm > 0 ? value / norm : 0;
      }
    }
    return result;
  };
  const centroidCosine = (values: Float64Array, intent: number) => {
    let sum = 0;
    for (let kind = 0; kind < KINDS; kind += 1) sum += values[intent * SCORE_FEATURES + CENTROID + kind]!;
    return sum;
  };

  // 1. How to weigh the evidence: a conditional logit over intents fitted on held-out phrasings.
  // Unknown share of a held-out phrasing: its weight on features no other phrasing or answer has.
  const heldOut = phrasings.map((phrasing, index) => {
    let unknown = 0;
    // With its whole entry left out, the entry's own words are unknown too.
    let unknownWithoutEntry = 0;
    for (const [key, value] of phrasing.vector) {
      if (documentFrequency[key] === 1) unknown += value * value;
      if (documentFrequency[key] === 1 || (intentFrequency[key] === 1 && featureIntent[key] === phrasing.intent))
        unknownWithoutEntry += value * value;
    }
    return {
      intent: phrasing.intent,
      evidence: evidence(phrasing.vector, index),
      unknown,
      unknownWithoutEntry,
      length: phrasing.vector.size,
    };
  });
  const usable = heldOut.filter((sample) => byIntent[sample.intent]!.length > 1);
  let theta = [2, 2, 14, ...FEATURE_KINDS.map(() => 20)];
  if (usable.length >= 10 && intentCount >= 2) theta = fitConditionalLogit(usable, intentCount, theta);
  else warnings.push('too few phrasings to fit the evidence weights: defaults used');

  const scoreOf = (values: Float64Array, excluded = -1): { probabilities: Float64Array; scores: Float64Array } => {
    const scores = new Float64Array(intentCount);
    let max = -Infinity;
    for (let intent = 0; intent < intentCount; intent += 1) {
      if (intent === excluded) {
        scores[intent] = -Infinity;
        continue;
      }
      let score = 0;
      for (let feature = 0; feature < SCORE_FEATURES; feature += 1)
        score += theta[feature]! * values[intent * SCORE_FEATURES + feature]!;
      scores[intent] = score;
      if (score > max) max = score;
    }
    const probabilities = new Float64Array(intentCount);
    let total = 0;
    for (let intent = 0; intent < intentCount; intent += 1)
      total += probabilities[intent] = Math.exp(scores[intent]! - max);
    for (let intent = 0; intent < intentCount; intent += 1) probabilities[intent]! /= total;
    return { probabilities, scores };
  };

  /**
   * Calibration inputs of the winner (issue 17): the logit of its probability among the intents
   * (Platt scaling), the share of the message the tenant has never seen, how similar the winner is
   * in absolute terms (its best phrasing's cosine and coverage, its centroid cosine: the softmax
   * alone cannot tell "best of poor matches" from "a close match"), the margin to the runner-up,
   * whether the nearest single phrasing agrees with the winner, and the message's length.
   */
  const calibrationInputs = (
    probabilities: Float64Array,
    best: number,
    unknownShare: number,
    values: Float64Array,
    length: number,
  ): number[] => {
    const clamp = (p: number) => Math.min(1 - 1e-6, Math.max(1e-6, p));
    const p = clamp(probabilities[best]!);
    let second = 0;
    let nearest = -1;
    for (let intent = 0; intent < intentCount; intent += 1) {
      if (intent !== best && probabilities[intent]! > second) second = probabilities[intent]!;
      if (nearest < 0 || values[intent * SCORE_FEATURES]! > values[nearest * SCORE_FEATURES]!) nearest = intent;
    }
    const q = clamp(second);
    return [
      Math.log(p / (1 - p)),
      unknownShare,
      values[best * SCORE_FEATURES]!,
      values[best * SCORE_FEATURES + 1]!,
      centroidCosine(values, best),
      Math.log(p / q) / 10,
      nearest === best ? 1 : 0,
      Math.log1p(length) / 3,
      1,
    ];
  };
  const ranked = (probabilities: Float64Array): [number, number] => {
    let best = -1;
    let second = -1;
    for (let intent = 0; intent < probabilities.length; intent += 1) {
      if (best < 0 || probabilities[intent]! > probabilities[best]!) {
        second = best;
        best = intent;
      } else if (second < 0 || probabilities[intent]! > probabilities[second]!) second = intent;
    }
    return [best, second];
  };

  // 2. Confidence: P(the winner is right), fitted on held-out phrasings (right or wrong winner)
  //    and on background sentences (always wrong), weighted to the assumed out-of-scope share.
  let correct = 0;
  const calibrationRows: Array<{ x: number[]; y: number; weight: number }> = [];
  // Near-domain out-of-scope examples: each phrasing with its whole entry left out (the sheet's own
  // vocabulary, a topic it no longer covers), so the winner is always wrong. They teach what the
  // background cannot: 「外卖平台的红包怎么用不了」 shares words with 优惠券 but is not about it.
  const nearDomainRows: Array<{ x: number[]; y: number; weight: number }> = [];
  for (const sample of usable) {
    const { probabilities } = scoreOf(sample.evidence);
    const [best] = ranked(probabilities);
    if (best === sample.intent) correct += 1;
    calibrationRows.push({
      x: calibrationInputs(probabilities, best, sample.unknown, sample.evidence, sample.length),
      y: best === sample.intent ? 1 : 0,
      weight: 1,
    });
    if (intentCount >= 3) {
      const without = scoreOf(sample.evidence, sample.intent).probabilities;
      const [other] = ranked(without);
      nearDomainRows.push({
        x: calibrationInputs(without, other, sample.unknownWithoutEntry, sample.evidence, sample.length),
        y: 0,
        weight: 1,
      });
    }
  }
  // A background sentence close to one of the tenant's own phrasings may well be in its domain
  // (快递到哪了 for a shop): left out rather than taught as out of scope.
  const background = (options.background ?? defaultBackground())
    .map((text) => {
      const vector = vectorize(backgroundFeatures(text, jieba));
      return { vector, values: vector.size > 0 ? evidence(vector) : null };
    })
    .filter((item): item is { vector: SparseVector; values: Float64Array } => {
      if (!item.values) return false;
      for (let intent = 0; intent < intentCount; intent += 1)
        if (item.values[intent * SCORE_FEATURES]! >= BACKGROUND_IN_DOMAIN) return false;
      return true;
    });
  const oosPrior = options.oosPrior ?? 0.2;
  const nearDomainShare = options.nearDomainShare ?? 0.5;
  const oosThreshold = options.oosThreshold ?? 0.3;
  const recalibration = options.recalibration;
  const inScopeRows = calibrationRows.length;
  // Out-of-scope traffic is oosPrior of the total: a nearDomainShare of it near-domain, the rest generic.
  const oosWeight = (oosPrior / (1 - oosPrior)) * inScopeRows;
  const generic = nearDomainRows.length > 0 ? 1 - nearDomainShare : 1;
  if (background.length > 0 && inScopeRows > 0) {
    const weight = (oosWeight * generic) / background.length;
    for (const { vector, values } of background) {
      const { probabilities } = scoreOf(values);
      const [best] = ranked(probabilities);
      calibrationRows.push({
        x: calibrationInputs(probabilities, best, unknownShare(vector), values, vector.size),
        y: 0,
        weight,
      });
    }
  }
  if (nearDomainRows.length > 0 && inScopeRows > 0) {
    const weight = (oosWeight * (background.length > 0 ? nearDomainShare : 1)) / nearDomainRows.length;
    for (const row of nearDomainRows) calibrationRows.push({ ...row, weight });
  }
  let calibration = [1, 0, 0, 0, 0, 0, 0, 0, 0];
  if (calibrationRows.some((row) => row.y === 1) && calibrationRows.some((row) => row.y === 0))
    calibration = fitLogistic(calibrationRows, calibration);
  else warnings.push('nothing held out to calibrate on: default calibration used');

  const leaveOneOutAccuracy = usable.length > 0 ? correct / usable.length : null;
  const summary = {
    phrasings: phrasings.length,
    intents: intentCount,
    trainMs: 0,
    leaveOneOutAccuracy,
    scoreWeights: theta,
    confidenceWeights: calibration,
    warnings,
  };

  const matchNormalized = (normalized: string): FewShotPrediction => {
    try {
      const query = vectorize(extractFeatures(normalized.slice(0, 4000), jieba));
      if (query.size === 0 || intentCount === 0) {
        return {
          intent: null,
          confidence: 0,
          outOfScope: true,
          alternatives: [],
          reasons: [intentCount === 0 ? 'no intents' : 'no known word or character'],
        };
      }
      const values = evidence(query);
      const { probabilities } = scoreOf(values);
      const [best] = ranked(probabilities);
      const raw =
        intentCount === 1
          ? Math.min(0.5, values[0]!)
          : sigmoid(
              linear(calibration, calibrationInputs(probabilities, best, unknownShare(query), values, query.size)),
            );
      const confidence = recalibration ? sigmoid(recalibration.a * logit(raw) + recalibration.b) : raw;
      // Alternatives carry the winner's calibrated confidence shared out by the intent probabilities.
      const order = [...probabilities.keys()].sort((a, b) => probabilities[b]! - probabilities[a]!).slice(0, 5);
      const alternatives = order.map((intent) => ({
        intent: labels[intent]!,
        confidence: round((confidence * probabilities[intent]!) / probabilities[best]!),
      }));
      const tooFar =
        values[best * SCORE_FEATURES]! < MIN_SIMILARITY &&
        centroidCosine(values, best) < MIN_SIMILARITY &&
        values[best * SCORE_FEATURES + 2]! < MIN_ANSWER_COVERAGE;
      const unsure = confidence < oosThreshold;
      const reasons = tooFar ? ['no similar phrasing'] : unsure ? [`confidence below ${oosThreshold}`] : [];
      return {
        intent: labels[best]!,
        confidence: round(confidence),
        outOfScope: tooFar || unsure,
        alternatives,
        reasons,
      };
    } catch (error) {
      return {
        intent: null,
        confidence: 0,
        outOfScope: true,
        alternatives: [],
        reasons: [`internal error: ${(error as Error).message}`],
      };
    }
  };
  const match = (text: string): FewShotPrediction => matchNormalized(normalizeText(text.slice(0, 2000)).text);
  summary.trainMs = Math.round(performance.now() - started);
  return { labels, match, matchNormalized, summary };
}

/** Postings in compressed-row form: for feature f, entries offsets[f] … offsets[f+1]-1. */
function buildPostings(
  features: number,
  vectors: readonly SparseVector[],
): { offsets: Int32Array; ids: Int32Array; values: Float64Array } {
  const offsets = new Int32Array(features + 1);
  for (const vector of vectors) for (const key of vector.keys()) offsets[key + 1]! += 1;
  for (let feature = 0; feature < features; feature += 1) offsets[feature + 1]! += offsets[feature]!;
  const fill = offsets.slice(0, features);
  const ids = new Int32Array(offsets[features]!);
  const values = new Float64Array(offsets[features]!);
  vectors.forEach((vector, id) => {
    for (const [key, value] of vector) {
      const at = fill[key]!++;
      ids[at] = id;
      values[at] = value;
    }
  });
  return { offsets, ids, values };
}

/** Feature bags of background sentences with the default dictionary, shared by all tenants of the process. */
const backgroundCache = new Map<string, Map<string, number>>();
function backgroundFeatures(text: string, jieba: Jieba | undefined): Map<string, number> {
  if (jieba) return extractFeatures(normalizeText(text).text, jieba);
  let bag = backgroundCache.get(text);
  if (!bag) {
    bag = extractFeatures(normalizeText(text).text);
    backgroundCache.set(text, bag);
  }
  return bag;
}

const round = (value: number) => Math.round(value * 10000) / 10000;

function linear(weights: readonly number[], inputs: readonly number[]): number {
  let sum = 0;
  for (let index = 0; index < weights.length; index += 1) sum += weights[index]! * inputs[index]!;
  return sum;
}

/** Maximum-likelihood weights of a conditional logit (softmax over intents of θ·evidence), by damped Newton steps with a small ridge. */
function fitConditionalLogit(
  samples: ReadonlyArray<{ intent: number; evidence: Float64Array }>,
  intents: number,
  start: readonly number[],
): number[] {
  const dimension = start.length;
  const ridge = 0.01;
  const pass = (theta: readonly number[], withDerivatives: boolean) => {
    let likelihood = 0;
    const gradient = new Array<number>(dimension).fill(0);
    const hessian = Array.from({ length: dimension }, () => new Array<number>(dimension).fill(0));
    const scores = new Float64Array(intents);
    for (const { intent, evidence } of samples) {
      let max = -Infinity;
      for (let index = 0; index < intents; index += 1) {
        let score = 0;
        for (let feature = 0; feature < dimension; feature += 1)
          score += theta[feature]! * evidence[index * dimension + feature]!;
        scores[index] = score;
        if (score > max) max = score;
      }
      let total = 0;
      for (let index = 0; index < intents; index += 1) total += scores[index] = Math.exp(scores[index]! - max);
      likelihood += Math.log(Math.max(1e-300, scores[intent]! / total));
      if (!withDerivatives) continue;
      const mean = new Array<number>(dimension).fill(0);
      for (let index = 0; index < intents; index += 1) {
        const p = scores[index]! / total;
        for (let feature = 0; feature < dimension; feature += 1)
          mean[feature]! += p * evidence[index * dimension + feature]!;
      }
      for (let feature = 0; feature < dimension; feature += 1)
        gradient[feature]! += evidence[intent * dimension + feature]! - mean[feature]!;
      for (let index = 0; index < intents; index += 1) {
        const p = scores[index]! / total;
        if (p < 1e-9) continue;
        for (let i = 0; i < dimension; i += 1) {
          const di = evidence[index * dimension + i]! - mean[i]!;
          for (let j = 0; j < dimension; j += 1)
            hessian[i]![j]! += p * di * (evidence[index * dimension + j]! - mean[j]!);
        }
      }
    }
    for (let feature = 0; feature < dimension; feature += 1) {
      likelihood -= 0.5 * ridge * theta[feature]! * theta[feature]!;
      gradient[feature]! -= ridge * theta[feature]!;
      hessian[feature]![feature]! += ridge;
    }
    return { likelihood, gradient, hessian };
  };
  let theta = [...start];
  let current = pass(theta, true);
  for (let iteration = 0; iteration < 20; iteration += 1) {
    const step = solve(current.hessian, current.gradient);
    if (!step) break;
    let accepted = false;
    for (let scale = 1, halving = 0; halving < 20; halving += 1, scale /= 2) {
      const candidate = theta.map((value, i) => Math.max(0, value + scale * step[i]!));
      const next = pass(candidate, false);
      if (next.likelihood > current.likelihood + 1e-9) {
        const gain = next.likelihood - current.likelihood;
        theta = candidate;
        current = pass(theta, true);
        accepted = gain > 1e-4 * samples.length;
        break;
      }
    }
    if (!accepted) break;
  }
  return theta;
}

/** Weighted logistic regression by damped Newton steps on few inputs (with a small ridge). */
export function fitLogistic(
  rows: ReadonlyArray<{ x: number[]; y: number; weight: number }>,
  start: readonly number[],
): number[] {
  const dimension = start.length;
  let weights = [...start];
  const ridge = 1e-2;
  const objective = (candidate: readonly number[]) => {
    let sum = 0;
    for (const row of rows) {
      const z = linear(candidate, row.x);
      // log-likelihood of a logistic model, computed without overflow
      sum += row.weight * (row.y * z - (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))));
    }
    for (const value of candidate) sum -= 0.5 * ridge * value * value;
    return sum;
  };
  let current = objective(weights);
  for (let iteration = 0; iteration < 50; iteration += 1) {
    const gradient = new Array<number>(dimension).fill(0);
    const hessian = Array.from({ length: dimension }, () => new Array<number>(dimension).fill(0));
    for (const row of rows) {
      const p = sigmoid(linear(weights, row.x));
      const w = row.weight;
      for (let i = 0; i < dimension; i += 1) {
        gradient[i]! += w * (row.y - p) * row.x[i]!;
        for (let j = 0; j < dimension; j += 1) hessian[i]![j]! += w * p * (1 - p) * row.x[i]! * row.x[j]!;
      }
    }
    for (let i = 0; i < dimension; i += 1) {
      gradient[i]! -= ridge * weights[i]!;
      hessian[i]![i]! += ridge;
    }
    const step = solve(hessian, gradient);
    if (!step) break;
    let scale = 1;
    let improved = false;
    for (let halving = 0; halving < 30; halving += 1, scale /= 2) {
      const candidate = weights.map((value, i) => value + scale * step[i]!);
      const value = objective(candidate);
      if (value >= current) {
        improved = value - current > 1e-9;
        weights = candidate;
        current = value;
        break;
      }
    }
    if (!improved) break;
  }
  return weights;
}

/** Gaussian elimination with partial pivoting; null when singular. */
function solve(matrix: number[][], vector: number[]): number[] | null {
  const n = vector.length;
  const a = matrix.map((row, index) => [...row, vector[index]!]);
  for (let column = 0; column < n; column += 1) {
    let pivot = column;
    for (let row = column + 1; row < n; row += 1)
      if (Math.abs(a[row]![column]!) > Math.abs(a[pivot]![column]!)) pivot = row;
    if (Math.abs(a[pivot]![column]!) < 1e-12) return null;
    [a[column], a[pivot]] = [a[pivot]!, a[column]!];
    for (let row = 0; row < n; row += 1) {
      if (row === column) continue;
      const factor = a[row]![column]! / a[column]![column]!;
      for (let k = column; k <= n; k += 1) a[row]![k]! -= factor * a[column]![k]!;
    }
  }
  return a.map((row, index) => row[n]! / row[index]!);
}

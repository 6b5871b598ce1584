import { performance } from 'node:perf_hooks';
import type { Jieba } from '@node-rs/jieba';
import { jiebaWithUserDictionary, normalizeText } from '../text/index.js';
import { fitConditionalLogit, fitLogistic, linear, sigmoid, type LogitSample } from './newton-fits.js';
import { applyRecalibration, type Recalibration } from './recalibration.js';
import {
  DEFAULT_FEATURE_WEIGHTS,
  FEATURE_KINDS,
  defaultBackground,
  extractFeatures,
  kindOf,
  type FeatureOptions,
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
   * A monotone recalibration of the confidence (Platt `σ(a · logit(c) + b)`, beta or isotonic),
   * fitted on labelled messages disjoint from what is reported (`fitRecalibration`); none by default.
   */
  recalibration?: Recalibration;
  /**
   * At most this many held-out phrasings fit the evidence weights and the calibration; a larger
   * sheet uses an evenly spaced sample, so training stays linear in the sheet. Default: all of a
   * sheet of up to about 2,000 entries, then fewer, down to 1,000 at 10,000 entries.
   */
  maxHeldOut?: number;
  /**
   * CC-CEDICT synonym classes as extra evidence (a feature kind of its own: 早饭 meets 早餐, an English
   * word meets the Chinese words it translates). Used only for a sheet with Chinese phrasings.
   * Default: `KEFU_FEWSHOT_SYNONYMS` (`on` / `off`), else `SYNONYMS_BY_DEFAULT`.
   */
  synonyms?: boolean;
}

/** Whether the matcher uses the CC-CEDICT synonym classes unless told otherwise (docs/fewshot.md has the measurements). */
export const SYNONYMS_BY_DEFAULT = false;

function synonymsWanted(option: boolean | undefined): boolean {
  if (option !== undefined) return option;
  const setting = process.env.KEFU_FEWSHOT_SYNONYMS?.trim().toLowerCase();
  if (setting === 'on' || setting === '1' || setting === 'true') return true;
  if (setting === 'off' || setting === '0' || setting === 'false') return false;
  return SYNONYMS_BY_DEFAULT;
}

export { fitRecalibration } from './recalibration.js';
export type { Recalibration } from './recalibration.js';

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
    /** Leave-one-phrasing-out top-1 accuracy on the tenant's own phrasings (the held-out sample on a large sheet). */
    leaveOneOutAccuracy: number | null;
    scoreWeights: number[];
    confidenceWeights: number[];
    warnings: string[];
  };
}

/** A sparse vector over the tenant's vocabulary (feature ids and values, in the order they were met). */
interface SparseVector {
  keys: Int32Array;
  values: Float64Array;
}

/** Vectors stored as compressed rows: row r is keys/values[offsets[r] … offsets[r+1]-1]. */
interface CompressedRows {
  offsets: Int32Array;
  keys: Int32Array;
  values: Float64Array;
}

/**
 * Evidence for the intents a message touches (shares a feature with a phrasing or the answer of),
 * in ascending intent order. Every other intent's evidence is exactly zero, so its score is 0:
 * the softmax over the whole sheet is the touched intents plus a count of zeros.
 */
interface Evidence {
  intents: Int32Array;
  /** SCORE_FEATURES values per touched intent. */
  values: Float64Array;
}

/** Per-intent evidence for one message; the score is a linear function of these. */
const KINDS = FEATURE_KINDS.length;
/**
 * maxCosine, maxCoverage, answerCoverage, then the centroid cosine split by feature kind (its terms
 * per kind), then the entry's coverage of the message (the share of the message's weight on
 * features some phrasing of the entry has: every phrasing of the entry counts, so a phrasing a
 * trainer adds widens what the entry covers instead of diluting its centroid).
 */
const SCORE_FEATURES = 4 + KINDS;
const CENTROID = 3;
const ENTRY_COVERAGE = 3 + KINDS;

/** A message further than this from everything (top cosine) is out of scope whatever the calibration says. */
const MIN_SIMILARITY = 0.08;
/** … unless the answer covers this much of the message (its words are the answer's: 差价, 押金). */
const MIN_ANSWER_COVERAGE = 0.2;
/** A background sentence this similar to a tenant phrasing is not used as an out-of-scope example. */
const BACKGROUND_IN_DOMAIN = 0.5;
/**
 * A message whose nearest phrasing is closer than this (cosine) is a near copy of it. Held-out
 * phrasings almost never get this close to another phrasing (travel-zh: none above 0.7), so the
 * calibration learns what a near copy means only from the repeated phrasings below.
 */
const NEAR_COPY = 0.7;
/** Repeated phrasings (a message that is one of the sheet's own phrasings) as a share of the held-out in-scope rows. */
const REPEAT_SHARE = 0.1;
/** At most this many repeated phrasings calibrate (an evenly spaced sample of the held-out ones). */
const MAX_REPEATS = 250;
/**
 * Held-out phrasings the weights and the calibration are fitted on, at least. A larger sheet uses
 * an evenly spaced sample: 17 parameters need no more, and training stays linear in the sheet.
 */
const MAX_HELD_OUT = 1000;
/** … and never fewer than fit in this much work (held-out phrasings × (phrasings + entries)): a sheet of up to about 2,000 entries uses them all. */
const HELD_OUT_BUDGET = 30_000_000;
/**
 * Candidate intents a held-out phrasing keeps for the evidence-weight fit: the most likely under
 * the starting weights, and always the right one; the rest of the intents it touches share one
 * row with their mean evidence. Each keeps FIT_ROWS / held-out phrasings of them, at least
 * FIT_CANDIDATES: a sheet of a few hundred entries (CLINC150's 150 intents × 5) is fitted exactly.
 */
const FIT_CANDIDATES = 64;
const FIT_ROWS = 400_000;

/** The share of a query's (unit-norm) weight on features the tenant has never seen: out-of-domain words. */
function unknownShare(vector: SparseVector): number {
  let known = 0;
  for (const value of vector.values) known += value * value;
  return Math.max(0, 1 - known);
}

/** Builds compressed rows from vectors appended one at a time. */
class RowsBuilder {
  readonly #offsets: number[] = [0];
  #keys = new Int32Array(1024);
  #values = new Float64Array(1024);
  #size = 0;
  add(keys: ArrayLike<number>, values: ArrayLike<number>): void {
    while (this.#size + keys.length > this.#keys.length) {
      const keysGrown = new Int32Array(this.#keys.length * 2);
      keysGrown.set(this.#keys);
      this.#keys = keysGrown;
      const valuesGrown = new Float64Array(this.#values.length * 2);
      valuesGrown.set(this.#values);
      this.#values = valuesGrown;
    }
    for (let index = 0; index < keys.length; index += 1) {
      this.#keys[this.#size] = keys[index]!;
      this.#values[this.#size] = values[index]!;
      this.#size += 1;
    }
    this.#offsets.push(this.#size);
  }
  build(): CompressedRows {
    return {
      offsets: Int32Array.from(this.#offsets),
      keys: this.#keys.slice(0, this.#size),
      values: this.#values.slice(0, this.#size),
    };
  }
}

/** Postings (rows transposed): for feature f, the rows that have it, ascending, at offsets[f] … offsets[f+1]-1. */
function transpose(features: number, rows: CompressedRows): CompressedRows {
  const offsets = new Int32Array(features + 1);
  for (const key of rows.keys) offsets[key + 1]! += 1;
  for (let feature = 0; feature < features; feature += 1) offsets[feature + 1]! += offsets[feature]!;
  const fill = offsets.slice(0, features);
  const keys = new Int32Array(rows.keys.length);
  const values = new Float64Array(rows.keys.length);
  for (let row = 0; row + 1 < rows.offsets.length; row += 1) {
    for (let at = rows.offsets[row]!; at < rows.offsets[row + 1]!; at += 1) {
      const slot = fill[rows.keys[at]!]!++;
      keys[slot] = row;
      values[slot] = rows.values[at]!;
    }
  }
  return { offsets, keys, values };
}

/**
 * The day-one FAQ matcher (issue 9): nearest phrasing and centroid similarity over words, Han
 * character uni/bigrams, toneless pinyin bigrams (homophone typos: 留量 → 流量) and Latin
 * character trigrams, with the answer text as weaker evidence. How the evidence is weighed is fitted
 * by leave-one-phrasing-out on the tenant's own sheet (a conditional logit over the intents), and
 * the confidence is a logistic calibration of the winner's probability, similarity and margin on
 * the same held-out phrasings plus a background of generic out-of-scope sentences. No training loop
 * over epochs: a 40-entry sheet is ready in tens of milliseconds.
 *
 * Everything is sparse (issue 13): a message is scored against the intents it shares a feature
 * with, through inverted indexes, and the intents it shares nothing with are counted, not visited.
 * Training costs the phrasings' postings, not phrasings × intents: 10,000 entries train in seconds.
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
  // Synonym classes bridge words to Chinese words: an all-English sheet has nothing to bridge to.
  const featureOptions: FeatureOptions = {
    synonyms:
      synonymsWanted(options.synonyms) &&
      entries.some((entry) => entry.phrasings.some((phrasing) => /\p{Script=Han}/u.test(phrasing))),
  };
  const features = (normalized: string) => extractFeatures(normalized, jieba, featureOptions);

  // Vocabulary and document frequency per intent (a feature shared by many intents says little).
  // The answers count too: a rare word that only an answer uses (孕妇, 押金) is strong evidence.
  const vocabulary = new Map<string, number>();
  const kindWeightList: number[] = [];
  const kindIndexList: number[] = [];
  const intentFrequencyList: number[] = [];
  /** The first intent a feature was seen in (with intentFrequency 1: the only one). */
  const featureIntentList: number[] = [];
  /** In how many phrasings and answers a feature occurs (1: only in one, so unseen when that one is held out). */
  const documentFrequencyList: number[] = [];
  const phrasingBags: Array<{ intent: number; bag: Map<string, number> }> = [];
  const answerBags: Array<Map<string, number>> = [];
  let currentIntent = 0;
  let seenEpoch = 0;
  const seenIn: number[] = [];
  const register = (key: string) => {
    let id = vocabulary.get(key);
    if (id === undefined) {
      id = vocabulary.size;
      vocabulary.set(key, id);
      const kind = kindOf(key);
      kindWeightList.push(weights[kind]);
      kindIndexList.push(FEATURE_KINDS.indexOf(kind));
      intentFrequencyList.push(0);
      featureIntentList.push(currentIntent);
      documentFrequencyList.push(0);
      seenIn.push(0);
    }
    documentFrequencyList[id]! += 1;
    if (seenIn[id] !== seenEpoch) {
      seenIn[id] = seenEpoch;
      intentFrequencyList[id]! += 1;
    }
  };
  entries.forEach((entry, intent) => {
    currentIntent = intent;
    seenEpoch = intent + 1;
    for (const phrasing of entry.phrasings) {
      const bag = features(normalizeText(phrasing).text);
      if (bag.size === 0) continue;
      phrasingBags.push({ intent, bag });
      for (const key of bag.keys()) register(key);
    }
    const answerText = [entry.answer ?? '', entry.category ?? ''].join(' ');
    const answerBag = features(normalizeText(answerText).text);
    answerBags.push(answerBag);
    for (const key of answerBag.keys()) register(key);
  });
  const featureCount = vocabulary.size;
  const kindIndex = Int8Array.from(kindIndexList);
  const intentFrequency = Int32Array.from(intentFrequencyList);
  const featureIntent = Int32Array.from(featureIntentList);
  const documentFrequency = Int32Array.from(documentFrequencyList);
  const idf = new Float64Array(featureCount);
  for (let id = 0; id < featureCount; id += 1)
    idf[id] = kindWeightList[id]! * (Math.log((intentCount + 1) / (intentFrequency[id]! + 1)) + 1);
  const unknownWeight = (key: string) => weights[kindOf(key)] * (Math.log(intentCount + 1) + 1);

  /** TF-IDF vector over the known vocabulary; unknown features only count in the norm. */
  const vectorize = (bag: Map<string, number>): SparseVector => {
    const keys: number[] = [];
    const values: number[] = [];
    let squares = 0;
    for (const [key, count] of bag) {
      const id = vocabulary.get(key);
      const value = (1 + Math.log(count)) * (id === undefined ? unknownWeight(key) : idf[id]!);
      squares += value * value;
      if (id !== undefined) {
        keys.push(id);
        values.push(value);
      }
    }
    const norm = Math.sqrt(squares);
    if (norm > 0) for (let index = 0; index < values.length; index += 1) values[index]! /= norm;
    return { keys: Int32Array.from(keys), values: Float64Array.from(values) };
  };

  // Phrasing vectors (compressed rows); an intent's phrasings are consecutive.
  const phrasingCount = phrasingBags.length;
  const phrasingIntent = new Int32Array(phrasingCount);
  const intentStart = new Int32Array(intentCount + 1);
  const phrasingBuilder = new RowsBuilder();
  phrasingBags.forEach(({ intent, bag }, index) => {
    const vector = vectorize(bag);
    phrasingBuilder.add(vector.keys, vector.values);
    phrasingIntent[index] = intent;
    intentStart[intent + 1]! += 1;
  });
  phrasingBags.length = 0;
  for (let intent = 0; intent < intentCount; intent += 1) intentStart[intent + 1]! += intentStart[intent]!;
  const phrasingRows = phrasingBuilder.build();
  const phrasingVector = (index: number): SparseVector => ({
    keys: phrasingRows.keys.subarray(phrasingRows.offsets[index]!, phrasingRows.offsets[index + 1]!),
    values: phrasingRows.values.subarray(phrasingRows.offsets[index]!, phrasingRows.offsets[index + 1]!),
  });

  const centroidBuilder = new RowsBuilder();
  /** Per intent and feature: how many of the intent's phrasings have it (rows aligned with the centroids). */
  const countBuilder = new RowsBuilder();
  // Centroid sums per intent, their squared norms, and per phrasing and kind the phrasing's dot
  // product with its own intent's centroid sum (for leaving it out).
  const centroidSquares = new Float64Array(intentCount);
  const selfDots = new Float64Array(phrasingCount * KINDS);
  {
    const sum = new Float64Array(featureCount);
    const count = new Int32Array(featureCount);
    const mark = new Int32Array(featureCount);
    const touched: number[] = [];
    for (let intent = 0; intent < intentCount; intent += 1) {
      touched.length = 0;
      for (let index = intentStart[intent]!; index < intentStart[intent + 1]!; index += 1) {
        for (let at = phrasingRows.offsets[index]!; at < phrasingRows.offsets[index + 1]!; at += 1) {
          const key = phrasingRows.keys[at]!;
          if (mark[key] !== intent + 1) {
            mark[key] = intent + 1;
            sum[key] = 0;
            count[key] = 0;
            touched.push(key);
          }
          sum[key]! += phrasingRows.values[at]!;
          count[key]! += 1;
        }
      }
      let squares = 0;
      const values = touched.map((key) => sum[key]!);
      for (const value of values) squares += value * value;
      centroidSquares[intent] = squares;
      centroidBuilder.add(touched, values);
      countBuilder.add(
        touched,
        touched.map((key) => count[key]!),
      );
      for (let index = intentStart[intent]!; index < intentStart[intent + 1]!; index += 1)
        for (let at = phrasingRows.offsets[index]!; at < phrasingRows.offsets[index + 1]!; at += 1) {
          const key = phrasingRows.keys[at]!;
          selfDots[index * KINDS + kindIndex[key]!]! += phrasingRows.values[at]! * sum[key]!;
        }
    }
  }
  // The answer's vocabulary, as a set of known feature ids (presence is the evidence).
  const answerBuilder = new RowsBuilder();
  for (const bag of answerBags) {
    const keys = [...new Set([...bag.keys()].map((key) => vocabulary.get(key)!))];
    answerBuilder.add(keys, new Float64Array(keys.length).fill(1));
  }
  answerBags.length = 0;

  // Inverted indexes: feature → phrasings, centroids and answers that contain it.
  const phrasingPostings = transpose(featureCount, phrasingRows);
  const centroidPostings = transpose(featureCount, centroidBuilder.build());
  /** Aligned with centroidPostings: the number of the intent's phrasings that have the feature. */
  const phrasingCounts = transpose(featureCount, countBuilder.build()).values;
  const answerPostings = transpose(featureCount, answerBuilder.build());

  // Scratch space of one evidence computation (the matcher is synchronous, so one set is enough).
  const phrasingDots = new Float64Array(phrasingCount);
  const phrasingCoverage = new Float64Array(phrasingCount);
  const phrasingMark = new Uint32Array(phrasingCount);
  const touchedPhrasings = new Int32Array(phrasingCount);
  const intentMark = new Uint32Array(intentCount);
  const touchedIntents = new Int32Array(intentCount);
  /** Per feature kind, then intent: the message's dot product with the intent's centroid sum. */
  const centroidDots = new Float64Array(KINDS * intentCount);
  const answerCoverage = new Float64Array(intentCount);
  const entryCoverage = new Float64Array(intentCount);
  const maxCosine = new Float64Array(intentCount);
  const maxCoverage = new Float64Array(intentCount);
  const excludedKindDots = new Float64Array(KINDS);
  const evidenceIntents = new Int32Array(intentCount);
  const evidenceValues = new Float64Array(intentCount * SCORE_FEATURES);
  let epoch = 0;

  /**
   * Evidence for the intents the query touches; `exclude` leaves one phrasing out (for the
   * held-out fits). The result is a view of scratch space: valid until the next call.
   *
   * Two ways to the same numbers: when the query's postings cover a good part of the sheet (a
   * large sheet about one product: 花呗 is in most of its phrasings), the per-phrasing and
   * per-intent sums are plain arrays cleared up front and scanned in full; otherwise only what the
   * postings touch is cleared and visited. An intent whose evidence is all zero scores exactly
   * like one the query never touched, so the dense way leaves those out.
   */
  function evidence(query: SparseVector, exclude = -1): Evidence {
    const { offsets: phrasingOffsets, keys: phrasingIds, values: phrasingValues } = phrasingPostings;
    const { offsets: centroidOffsets, keys: centroidIds, values: centroidValues } = centroidPostings;
    const { offsets: answerOffsets, keys: answerIds } = answerPostings;
    let phrasingWork = 0;
    let intentWork = 0;
    for (let position = 0; position < query.keys.length; position += 1) {
      const key = query.keys[position]!;
      phrasingWork += phrasingOffsets[key + 1]! - phrasingOffsets[key]!;
      intentWork += centroidOffsets[key + 1]! - centroidOffsets[key]! + answerOffsets[key + 1]! - answerOffsets[key]!;
    }
    if (phrasingWork * 2 > phrasingCount && intentWork * 2 > intentCount) return denseEvidence(query, exclude);
    epoch += 1;
    if (epoch === 0xffffffff) {
      phrasingMark.fill(0);
      intentMark.fill(0);
      epoch = 1;
    }
    let phrasingsTouched = 0;
    let intentsTouched = 0;
    const excludedIntent = exclude >= 0 ? phrasingIntent[exclude]! : -1;
    excludedKindDots.fill(0);
    for (let position = 0; position < query.keys.length; position += 1) {
      const key = query.keys[position]!;
      const value = query.values[position]!;
      const kind = kindIndex[key]!;
      for (let at = phrasingOffsets[key]!, end = phrasingOffsets[key + 1]!; at < end; at += 1) {
        const index = phrasingIds[at]!;
        const other = phrasingValues[at]!;
        if (phrasingMark[index] !== epoch) {
          phrasingMark[index] = epoch;
          touchedPhrasings[phrasingsTouched++] = index;
          phrasingDots[index] = value * other;
          phrasingCoverage[index] = other * other;
        } else {
          phrasingDots[index]! += value * other;
          phrasingCoverage[index]! += other * other;
        }
        if (index === exclude) excludedKindDots[kind]! += value * other;
      }
      // An intent is touched when its centroid shares a feature with the query (its phrasings'
      // features are all in its centroid) or its answer does.
      for (let at = centroidOffsets[key]!, end = centroidOffsets[key + 1]!; at < end; at += 1) {
        const intent = centroidIds[at]!;
        if (intentMark[intent] !== epoch) {
          intentMark[intent] = epoch;
          touchedIntents[intentsTouched++] = intent;
          answerCoverage[intent] = 0;
          entryCoverage[intent] = 0;
          maxCosine[intent] = 0;
          maxCoverage[intent] = 0;
          for (let kind = 0; kind < KINDS; kind += 1) centroidDots[kind * intentCount + intent] = 0;
        }
        centroidDots[kind * intentCount + intent]! += value * centroidValues[at]!;
        // A feature only the left-out phrasing has (the query is that phrasing) is not the entry's.
        if (intent !== excludedIntent || phrasingCounts[at]! > 1) entryCoverage[intent]! += value * value;
      }
      for (let at = answerOffsets[key]!, end = answerOffsets[key + 1]!; at < end; at += 1) {
        const intent = answerIds[at]!;
        if (intentMark[intent] !== epoch) {
          intentMark[intent] = epoch;
          touchedIntents[intentsTouched++] = intent;
          answerCoverage[intent] = 0;
          entryCoverage[intent] = 0;
          maxCosine[intent] = 0;
          maxCoverage[intent] = 0;
          for (let kind = 0; kind < KINDS; kind += 1) centroidDots[kind * intentCount + intent] = 0;
        }
        answerCoverage[intent]! += value * value;
      }
    }
    for (let position = 0; position < phrasingsTouched; position += 1) {
      const index = touchedPhrasings[position]!;
      if (index === exclude) continue;
      const intent = phrasingIntent[index]!;
      if (phrasingDots[index]! > maxCosine[intent]!) maxCosine[intent] = phrasingDots[index]!;
      if (phrasingCoverage[index]! > maxCoverage[intent]!) maxCoverage[intent] = phrasingCoverage[index]!;
    }
    const intents = evidenceIntents.subarray(0, intentsTouched);
    intents.set(touchedIntents.subarray(0, intentsTouched));
    intents.sort();
    return collectEvidence(intents, exclude, excludedIntent);
  }

  /** `evidence` for a query whose postings cover much of the sheet: no marks, full scans. */
  function denseEvidence(query: SparseVector, exclude: number): Evidence {
    const { offsets: phrasingOffsets, keys: phrasingIds, values: phrasingValues } = phrasingPostings;
    const { offsets: centroidOffsets, keys: centroidIds, values: centroidValues } = centroidPostings;
    const { offsets: answerOffsets, keys: answerIds } = answerPostings;
    const excludedIntent = exclude >= 0 ? phrasingIntent[exclude]! : -1;
    excludedKindDots.fill(0);
    phrasingDots.fill(0);
    phrasingCoverage.fill(0);
    centroidDots.fill(0);
    answerCoverage.fill(0);
    entryCoverage.fill(0);
    maxCosine.fill(0);
    maxCoverage.fill(0);
    for (let position = 0; position < query.keys.length; position += 1) {
      const key = query.keys[position]!;
      const value = query.values[position]!;
      const kind = kindIndex[key]!;
      for (let at = phrasingOffsets[key]!, end = phrasingOffsets[key + 1]!; at < end; at += 1) {
        const index = phrasingIds[at]!;
        const other = phrasingValues[at]!;
        phrasingDots[index]! += value * other;
        phrasingCoverage[index]! += other * other;
      }
      if (exclude >= 0) {
        // The left-out phrasing's own dot product, by kind (its row is short: look the key up).
        for (let at = phrasingRows.offsets[exclude]!; at < phrasingRows.offsets[exclude + 1]!; at += 1)
          if (phrasingRows.keys[at] === key) excludedKindDots[kind]! += value * phrasingRows.values[at]!;
      }
      const row = kind * intentCount;
      for (let at = centroidOffsets[key]!, end = centroidOffsets[key + 1]!; at < end; at += 1) {
        const intent = centroidIds[at]!;
        centroidDots[row + intent]! += value * centroidValues[at]!;
        if (intent !== excludedIntent || phrasingCounts[at]! > 1) entryCoverage[intent]! += value * value;
      }
      for (let at = answerOffsets[key]!, end = answerOffsets[key + 1]!; at < end; at += 1)
        answerCoverage[answerIds[at]!]! += value * value;
    }
    for (let index = 0; index < phrasingCount; index += 1) {
      if (index === exclude) continue;
      const intent = phrasingIntent[index]!;
      if (phrasingDots[index]! > maxCosine[intent]!) maxCosine[intent] = phrasingDots[index]!;
      if (phrasingCoverage[index]! > maxCoverage[intent]!) maxCoverage[intent] = phrasingCoverage[index]!;
    }
    let count = 0;
    for (let intent = 0; intent < intentCount; intent += 1) {
      let touched = answerCoverage[intent] !== 0 || intent === excludedIntent;
      for (let kind = 0; !touched && kind < KINDS; kind += 1) touched = centroidDots[kind * intentCount + intent] !== 0;
      if (touched) evidenceIntents[count++] = intent;
    }
    return collectEvidence(evidenceIntents.subarray(0, count), exclude, excludedIntent);
  }

  /** The evidence values of the touched intents, from the scratch sums. */
  function collectEvidence(intents: Int32Array, exclude: number, excludedIntent: number): Evidence {
    const values = evidenceValues.subarray(0, intents.length * SCORE_FEATURES);
    for (let position = 0; position < intents.length; position += 1) {
      const intent = intents[position]!;
      const base = position * SCORE_FEATURES;
      values[base] = maxCosine[intent]!;
      values[base + 1] = maxCoverage[intent]!;
      values[base + 2] = answerCoverage[intent]!;
      values[base + ENTRY_COVERAGE] = entryCoverage[intent]!;
      let squares = centroidSquares[intent]!;
      const leaveOut = intent === excludedIntent;
      if (leaveOut) {
        // The centroid without the left-out phrasing: |c - v|² = |c|² - 2 c·v + |v|², |v| = 1.
        let selfDot = 0;
        for (let kind = 0; kind < KINDS; kind += 1) selfDot += selfDots[exclude * KINDS + kind]!;
        squares = squares - 2 * selfDot + 1;
      }
      const norm = squares > 1e-9 ? Math.sqrt(squares) : 0;
      for (let kind = 0; kind < KINDS; kind += 1) {
        let value = centroidDots[kind * intentCount + intent]!;
        if (leaveOut) value -= excludedKindDots[kind]!;
        values[base + CENTROID + kind] = norm > 0 ? value / norm : 0;
      }
    }
    return { intents, values };
  }
  const centroidCosine = (values: Float64Array, position: number) => {
    if (position < 0) return 0;
    let sum = 0;
    for (let kind = 0; kind < KINDS; kind += 1) sum += values[position * SCORE_FEATURES + CENTROID + kind]!;
    return sum;
  };
  const scoreWith = (theta: readonly number[], values: Float64Array, position: number) => {
    let score = 0;
    for (let feature = 0; feature < SCORE_FEATURES; feature += 1)
      score += theta[feature]! * values[position * SCORE_FEATURES + feature]!;
    return score;
  };

  // 1. How to weigh the evidence: a conditional logit over intents fitted on held-out phrasings,
  //    all of them, or an evenly spaced sample on a large sheet. A held-out phrasing costs about the
  //    sheet (its postings reach most phrasings and intents of a large sheet about one product), so
  //    the sample shrinks as the sheet grows, down to MAX_HELD_OUT.
  const maxHeldOut = Math.max(
    10,
    options.maxHeldOut ?? Math.max(MAX_HELD_OUT, Math.floor(HELD_OUT_BUDGET / (phrasingCount + intentCount))),
  );
  const usableAll: number[] = [];
  for (let index = 0; index < phrasingCount; index += 1) {
    const intent = phrasingIntent[index]!;
    if (intentStart[intent + 1]! - intentStart[intent]! > 1) usableAll.push(index);
  }
  const usable =
    usableAll.length <= maxHeldOut
      ? usableAll
      : Array.from(
          { length: maxHeldOut },
          (_, index) => usableAll[Math.floor((index * usableAll.length) / maxHeldOut)]!,
        );
  if (usable.length < usableAll.length)
    warnings.push(`weights and calibration fitted on ${usable.length} of ${usableAll.length} held-out phrasings`);
  let theta = [2, 2, 14, ...FEATURE_KINDS.map((kind) => (kind === 'synonym' && !featureOptions.synonyms ? 0 : 20)), 2];
  const sampleScores = new Float64Array(intentCount);
  const fitCandidates = Math.max(FIT_CANDIDATES, Math.floor(FIT_ROWS / Math.max(1, usable.length)));
  const selectScratch = new Float64Array(intentCount);
  if (usable.length >= 10 && intentCount >= 2) {
    const samples = usable.map((index) => logitSample(evidence(phrasingVector(index), index), phrasingIntent[index]!));
    theta = fitConditionalLogit(samples, theta);
  } else warnings.push('too few phrasings to fit the evidence weights: defaults used');

  /** The candidate rows of one held-out phrasing for the weight fit (see FIT_ROWS). */
  function logitSample(found: Evidence, target: number): LogitSample {
    const touched = found.intents.length;
    const scores = sampleScores.subarray(0, touched);
    let targetPosition = -1;
    for (let position = 0; position < touched; position += 1) {
      scores[position] = scoreWith(theta, found.values, position);
      if (found.intents[position] === target) targetPosition = position;
    }
    let threshold = -Infinity;
    if (touched > fitCandidates) {
      const copy = selectScratch.subarray(0, touched);
      copy.set(scores);
      threshold = kthLargest(copy, fitCandidates);
    }
    const kept: number[] = [];
    const rest = new Float64Array(SCORE_FEATURES);
    let restCount = 0;
    for (let position = 0; position < touched; position += 1) {
      if (scores[position]! >= threshold || position === targetPosition) kept.push(position);
      else {
        restCount += 1;
        for (let feature = 0; feature < SCORE_FEATURES; feature += 1)
          rest[feature]! += found.values[position * SCORE_FEATURES + feature]!;
      }
    }
    const zeros = intentCount - touched - (targetPosition < 0 ? 1 : 0);
    const rows = kept.length + (restCount > 0 ? 1 : 0) + (zeros > 0 ? 1 : 0) + (targetPosition < 0 ? 1 : 0);
    const values = new Float64Array(rows * SCORE_FEATURES);
    const multiplicity = new Float64Array(rows).fill(1);
    let row = 0;
    let targetRow = -1;
    for (const position of kept) {
      if (position === targetPosition) targetRow = row;
      values.set(
        found.values.subarray(position * SCORE_FEATURES, (position + 1) * SCORE_FEATURES),
        row * SCORE_FEATURES,
      );
      row += 1;
    }
    if (restCount > 0) {
      for (let feature = 0; feature < SCORE_FEATURES; feature += 1)
        values[row * SCORE_FEATURES + feature] = rest[feature]! / restCount;
      multiplicity[row] = restCount;
      row += 1;
    }
    // The right intent shares nothing with the phrasing (an all-zero row of its own).
    if (targetPosition < 0) targetRow = row++;
    if (zeros > 0) multiplicity[row] = zeros;
    return { rows, values, weights: multiplicity, target: targetRow };
  }

  /**
   * The softmax over all intents of θ·evidence, from the touched intents: each untouched intent
   * has score 0. `excluded` (an intent index, or -1) is left out (probability 0).
   */
  const probabilityScratch = [new Float64Array(intentCount), new Float64Array(intentCount)] as const;
  /** `slot` picks one of two scratch buffers for the probabilities (valid until the next call with that slot). */
  const scoreOf = (found: Evidence, excluded = -1, slot: 0 | 1 = 0) => {
    const touched = found.intents.length;
    const probabilities = probabilityScratch[slot].subarray(0, touched);
    let excludedTouched = false;
    let max = -Infinity;
    for (let position = 0; position < touched; position += 1) {
      if (found.intents[position] === excluded) {
        excludedTouched = true;
        probabilities[position] = -Infinity;
        continue;
      }
      const score = scoreWith(theta, found.values, position);
      probabilities[position] = score;
      if (score > max) max = score;
    }
    const zeros = intentCount - touched - (excluded >= 0 && !excludedTouched ? 1 : 0);
    if (zeros > 0 && max < 0) max = 0;
    let total = 0;
    for (let position = 0; position < touched; position += 1)
      total += probabilities[position] = Math.exp(probabilities[position]! - max);
    const zeroUnit = zeros > 0 ? Math.exp(-max) : 0;
    total += zeros * zeroUnit;
    for (let position = 0; position < touched; position += 1) probabilities[position]! /= total;
    return { probabilities, zeros, zeroProbability: zeroUnit / total, excluded };
  };
  type Scored = ReturnType<typeof scoreOf>;

  /** The first `count` untouched intents (lowest index first), `excluded` left out. */
  const firstUntouched = (found: Evidence, count: number, excluded = -1): number[] => {
    const result: number[] = [];
    let position = 0;
    for (let intent = 0; intent < intentCount && result.length < count; intent += 1) {
      while (position < found.intents.length && found.intents[position]! < intent) position += 1;
      if (found.intents[position] === intent || intent === excluded) continue;
      result.push(intent);
    }
    return result;
  };

  /** The most probable intent (lowest index on ties, as a scan over all intents would pick): its index and position (-1: untouched). */
  const bestOf = (found: Evidence, scored: Scored): { intent: number; position: number } => {
    let intent = -1;
    let position = -1;
    let best = -Infinity;
    for (let at = 0; at < found.intents.length; at += 1) {
      const p = scored.probabilities[at]!;
      if (p > best || (p === best && found.intents[at]! < intent)) {
        best = p;
        intent = found.intents[at]!;
        position = at;
      }
    }
    if (scored.zeros > 0 && (scored.zeroProbability > best || scored.zeroProbability === best)) {
      const [first] = firstUntouched(found, 1, scored.excluded);
      if (first !== undefined && (scored.zeroProbability > best || first < intent))
        return { intent: first, position: -1 };
    }
    return { intent, position };
  };

  /**
   * Calibration inputs of the winner (issue 17): the logit of its probability among the intents
   * (Platt scaling), the share of the message the tenant has never seen, how similar the winner is
   * in absolute terms (its best phrasing's cosine and coverage, its centroid cosine: the softmax
   * alone cannot tell "best of poor matches" from "a close match"), the margin to the runner-up,
   * whether the nearest single phrasing agrees with the winner, the message's length, and how
   * near a copy of the winner's best phrasing it is (0 below NEAR_COPY, 1 for the phrasing itself).
   */
  const calibrationInputs = (
    found: Evidence,
    scored: Scored,
    best: { intent: number; position: number },
    unknownShare: number,
    length: number,
  ): number[] => {
    const clamp = (p: number) => Math.min(1 - 1e-6, Math.max(1e-6, p));
    const { values, intents } = found;
    const p = clamp(best.position >= 0 ? scored.probabilities[best.position]! : scored.zeroProbability);
    let second = 0;
    for (let at = 0; at < intents.length; at += 1)
      if (at !== best.position && scored.probabilities[at]! > second) second = scored.probabilities[at]!;
    // Another untouched intent than the winner.
    if (scored.zeros - (best.position < 0 ? 1 : 0) > 0 && scored.zeroProbability > second)
      second = scored.zeroProbability;
    // The intent of the nearest single phrasing (lowest index on ties; intent 0 when nothing is near).
    let nearest = 0;
    let nearestCosine = 0;
    for (let at = 0; at < intents.length; at += 1)
      if (values[at * SCORE_FEATURES]! > nearestCosine) {
        nearestCosine = values[at * SCORE_FEATURES]!;
        nearest = intents[at]!;
      }
    const q = clamp(second);
    const at = best.position;
    return [
      Math.log(p / (1 - p)),
      unknownShare,
      at >= 0 ? values[at * SCORE_FEATURES]! : 0,
      at >= 0 ? values[at * SCORE_FEATURES + 1]! : 0,
      centroidCosine(values, at),
      Math.log(p / q) / 10,
      nearest === best.intent ? 1 : 0,
      Math.log1p(length) / 3,
      at >= 0 ? Math.max(0, values[at * SCORE_FEATURES]! - NEAR_COPY) / (1 - NEAR_COPY) : 0,
      at >= 0 ? values[at * SCORE_FEATURES + ENTRY_COVERAGE]! : 0,
      1,
    ];
  };

  // 2. Confidence: P(the winner is right), fitted on held-out phrasings (right or wrong winner)
  //    and on background sentences (always wrong), weighted to the assumed out-of-scope share.
  let correct = 0;
  const calibrationRows: Array<{ x: number[]; y: number; weight: number }> = [];
  // Near-domain out-of-scope examples: each phrasing with its whole entry left out (the sheet's own
  // vocabulary, a topic it no longer covers), so the winner is always wrong. They teach what the
  // background cannot: 「外卖平台的红包怎么用不了」 shares words with 优惠券 but is not about it.
  const nearDomainRows: Array<{ x: number[]; y: number; weight: number }> = [];
  for (const index of usable) {
    const vector = phrasingVector(index);
    const intent = phrasingIntent[index]!;
    // Unknown share of a held-out phrasing: its weight on features no other phrasing or answer has;
    // with its whole entry left out, the entry's own words are unknown too.
    let unknown = 0;
    let unknownWithoutEntry = 0;
    for (let position = 0; position < vector.keys.length; position += 1) {
      const key = vector.keys[position]!;
      const value = vector.values[position]!;
      if (documentFrequency[key] === 1) unknown += value * value;
      if (documentFrequency[key] === 1 || (intentFrequency[key] === 1 && featureIntent[key] === intent))
        unknownWithoutEntry += value * value;
    }
    const found = evidence(vector, index);
    const scored = scoreOf(found);
    const best = bestOf(found, scored);
    if (best.intent === intent) correct += 1;
    calibrationRows.push({
      x: calibrationInputs(found, scored, best, unknown, vector.keys.length),
      y: best.intent === intent ? 1 : 0,
      weight: 1,
    });
    if (intentCount >= 3) {
      const without = scoreOf(found, intent, 1);
      const other = bestOf(found, without);
      nearDomainRows.push({
        x: calibrationInputs(found, without, other, unknownWithoutEntry, vector.keys.length),
        y: 0,
        weight: 1,
      });
    }
  }
  // Repeated phrasings: a sheet phrasing scored against the whole sheet, as a customer (or a
  // trainer checking a phrasing they added) who types it again. Held-out rows never get this close
  // to a phrasing, so without these the calibration extrapolates to a near copy — and its negative
  // weight on the best phrasing's cosine and coverage (given the centroid, a message close to one
  // phrasing only is often near-domain) gave an exact copy 0.02–0.3, below the decline floor.
  const repeatRows: Array<{ x: number[]; y: number; weight: number }> = [];
  const repeats = Math.min(usable.length, MAX_REPEATS);
  for (let sample = 0; sample < repeats; sample += 1) {
    const index = usable[Math.floor((sample * usable.length) / repeats)]!;
    const vector = phrasingVector(index);
    const found = evidence(vector);
    const scored = scoreOf(found);
    const best = bestOf(found, scored);
    repeatRows.push({
      x: calibrationInputs(found, scored, best, 0, vector.keys.length),
      y: best.intent === phrasingIntent[index]! ? 1 : 0,
      weight: 1,
    });
  }
  const oosPrior = options.oosPrior ?? 0.2;
  const nearDomainShare = options.nearDomainShare ?? 0.5;
  const oosThreshold = options.oosThreshold ?? 0.3;
  const recalibration = options.recalibration;
  const inScopeRows = calibrationRows.length;
  // Out-of-scope traffic is oosPrior of the total: a nearDomainShare of it near-domain, the rest generic.
  // A background sentence close to one of the tenant's own phrasings may well be in its domain
  // (快递到哪了 for a shop): left out rather than taught as out of scope.
  const backgroundRows: Array<{ x: number[]; y: number; weight: number }> = [];
  for (const text of options.background ?? defaultBackground()) {
    const vector = vectorize(backgroundFeatures(text, jieba, featureOptions));
    if (vector.keys.length === 0) continue;
    const found = evidence(vector);
    let inDomain = false;
    for (let at = 0; at < found.intents.length; at += 1)
      if (found.values[at * SCORE_FEATURES]! >= BACKGROUND_IN_DOMAIN) inDomain = true;
    if (inDomain) continue;
    const scored = scoreOf(found);
    backgroundRows.push({
      x: calibrationInputs(found, scored, bestOf(found, scored), unknownShare(vector), vector.keys.length),
      y: 0,
      weight: 0,
    });
  }
  const oosWeight = (oosPrior / (1 - oosPrior)) * inScopeRows;
  const generic = nearDomainRows.length > 0 ? 1 - nearDomainShare : 1;
  if (backgroundRows.length > 0 && inScopeRows > 0) {
    const weight = (oosWeight * generic) / backgroundRows.length;
    for (const row of backgroundRows) calibrationRows.push({ ...row, weight });
  }
  if (nearDomainRows.length > 0 && inScopeRows > 0) {
    const weight = (oosWeight * (backgroundRows.length > 0 ? nearDomainShare : 1)) / nearDomainRows.length;
    for (const row of nearDomainRows) calibrationRows.push({ ...row, weight });
  }
  if (repeatRows.length > 0 && inScopeRows > 0) {
    const weight = (REPEAT_SHARE * inScopeRows) / repeatRows.length;
    for (const row of repeatRows) calibrationRows.push({ ...row, weight });
  }
  let calibration = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  if (calibrationRows.some((row) => row.y === 1) && calibrationRows.some((row) => row.y === 0))
    calibration = fitLogistic(calibrationRows, calibration);
  else warnings.push('nothing held out to calibrate on: default calibration used');

  const leaveOneOutAccuracy = usable.length > 0 ? correct / usable.length : null;
  const summary = {
    phrasings: phrasingCount,
    intents: intentCount,
    trainMs: 0,
    leaveOneOutAccuracy,
    scoreWeights: theta,
    confidenceWeights: calibration,
    warnings,
  };

  const matchNormalized = (normalized: string): FewShotPrediction => {
    try {
      const query = vectorize(features(normalized.slice(0, 4000)));
      if (query.keys.length === 0 || intentCount === 0) {
        return {
          intent: null,
          confidence: 0,
          outOfScope: true,
          alternatives: [],
          reasons: [intentCount === 0 ? 'no intents' : 'no known word or character'],
        };
      }
      const found = evidence(query);
      const scored = scoreOf(found);
      const best = bestOf(found, scored);
      const { values } = found;
      const at = best.position;
      const probabilityOf = (position: number) =>
        position >= 0 ? scored.probabilities[position]! : scored.zeroProbability;
      const raw =
        intentCount === 1
          ? Math.min(0.5, at >= 0 ? values[0]! : 0)
          : sigmoid(
              linear(calibration, calibrationInputs(found, scored, best, unknownShare(query), query.keys.length)),
            );
      const confidence = recalibration ? applyRecalibration(recalibration, raw) : raw;
      // Alternatives carry the winner's calibrated confidence shared out by the intent probabilities:
      // the five most probable intents (lowest index first on ties), untouched ones included.
      const top: Array<{ intent: number; position: number }> = [];
      const consider = (intent: number, position: number) => {
        const p = probabilityOf(position);
        let slot = top.length;
        while (slot > 0) {
          const previous = top[slot - 1]!;
          const q = probabilityOf(previous.position);
          if (q > p || (q === p && previous.intent < intent)) break;
          slot -= 1;
        }
        if (slot < 5) {
          top.splice(slot, 0, { intent, position });
          if (top.length > 5) top.pop();
        }
      };
      for (let position = 0; position < found.intents.length; position += 1)
        consider(found.intents[position]!, position);
      for (const intent of firstUntouched(found, 5)) consider(intent, -1);
      const bestProbability = probabilityOf(at);
      const alternatives = top.map(({ intent, position }) => ({
        intent: labels[intent]!,
        confidence: round((confidence * probabilityOf(position)) / bestProbability),
      }));
      const tooFar =
        (at >= 0 ? values[at * SCORE_FEATURES]! : 0) < MIN_SIMILARITY &&
        centroidCosine(values, at) < MIN_SIMILARITY &&
        (at >= 0 ? values[at * SCORE_FEATURES + 2]! : 0) < MIN_ANSWER_COVERAGE;
      const unsure = confidence < oosThreshold;
      const reasons = tooFar ? ['no similar phrasing'] : unsure ? [`confidence below ${oosThreshold}`] : [];
      return {
        intent: labels[best.intent]!,
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

/** Feature bags of background sentences with the default dictionary, shared by all tenants of the process. */
const backgroundCache = new Map<string, Map<string, number>>();
function backgroundFeatures(text: string, jieba: Jieba | undefined, options: FeatureOptions): Map<string, number> {
  if (jieba) return extractFeatures(normalizeText(text).text, jieba, options);
  const key = `${options.synonyms ? 's' : '-'}${text}`;
  let bag = backgroundCache.get(key);
  if (!bag) {
    bag = extractFeatures(normalizeText(text).text, undefined, options);
    backgroundCache.set(key, bag);
  }
  return bag;
}

const round = (value: number) => Math.round(value * 10000) / 10000;

/** The k-th largest value (k ≥ 1) by quickselect; reorders `values`. */
function kthLargest(values: Float64Array, k: number): number {
  const target = values.length - k;
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const pivot = values[(low + high) >>> 1]!;
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i]! < pivot) i += 1;
      while (values[j]! > pivot) j -= 1;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i += 1;
        j -= 1;
      }
    }
    if (target <= j) high = j;
    else if (target >= i) low = i;
    else return values[target]!;
  }
  return values[target]!;
}

export { fitLogistic };

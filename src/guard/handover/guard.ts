import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { repositoryRoot } from '../../datasets/dataset-path.js';
import { detectHandover, ruleCategory, type HandoverConfig } from '../../engine/handover-rules.js';
import { CATEGORY_GROUP, HANDOVER_CATEGORIES, type HandoverCategory } from './categories.js';
import { corpusRows, type CorpusRow } from './corpus/index.js';
import { predict, trainModel, type LinearModel, type TrainOptions } from './model.js';
import { normalizeForGuard } from './normalize.js';

/**
 * The hand-over guard: every customer message is read by high-precision rules
 * (src/engine/handover-rules.ts) and by a classifier trained on the hand-written corpus
 * (./corpus); either one sends the message to a person. The classifier is what generalises to
 * wordings nobody wrote a rule for; the rules pin the cases that must never be missed and the
 * tenant's own additions.
 */

/** The classifier's probability of "a person must take this" at or above which it hands over. */
export const DEFAULT_THRESHOLD = 0.5;
/** Scores this close to the threshold are borderline: an LLM may give a second opinion. */
export const BORDERLINE_MARGIN = 0.15;

/** Messages longer than this are also read in windows, so one sentence in a long story counts. */
const WINDOW_CHARS = 160;
const MAX_WINDOWS = 80;

/**
 * Ordinary phrases that look like a category to the classifier but are not (想死你们的新品了 is
 * "I miss your products"): when one is in the message and no rule fired, the classifier's pick of
 * that category does not hand over on its own.
 */
const LOOK_ALIKES: Partial<Record<HandoverCategory, RegExp>> = {
  self_harm:
    /想死(?:你|您|了?(?:这|那))|(?:累|笑|热|饿|困|忙|烦|急|吓|气|美|冷|闷)死(?:了|我|人)|dying (?:to|for)|killing (?:me|my)|跳楼价/,
};

/** Han characters plus Latin words a message needs before the classifier alone may hand it over. */
const MIN_SUBSTANCE = 4;

function substance(text: string): number {
  return (text.match(/\p{Script=Han}/gu)?.length ?? 0) + (text.match(/[a-z]+/g)?.length ?? 0);
}

const CLASSES = ['bot', ...HANDOVER_CATEGORIES] as const;
/** Ordinary rows weigh more in training: a false hand-over costs an agent's time on every such message. */
const BOT_WEIGHT = 1.5;

export interface HandoverVerdict {
  /** A person must take this message. */
  handover: boolean;
  /** What the situation is (the rule's or the classifier's), or null when it stays with the bot. */
  category: HandoverCategory | null;
  /** The classifier's probability that a person must take it (0–1). */
  score: number;
  /** What decided: a default rule, a tenant rule, the classifier, or nothing. */
  source: 'rule' | 'tenant' | 'model' | null;
  /** The rule code when a rule decided (`self_harm`, `tenant:…`). */
  rule: string | null;
  /** The classifier's score is within BORDERLINE_MARGIN of the threshold. */
  borderline: boolean;
  /** The message was longer than the guard reads; its middle was skipped. */
  truncated: boolean;
  /** The normalised text the guard read (at most 500 characters kept). */
  normalized: string;
}

export interface ClassifyOptions {
  /** The tenant's compiled hand-over settings (extra patterns, disabled groups). */
  tenant?: HandoverConfig | null;
  /** Skip the rules (for measuring the classifier alone). */
  modelOnly?: boolean;
  /** Skip the classifier (for measuring the rules alone). */
  rulesOnly?: boolean;
  /** Another threshold than the guard's (for a threshold sweep). */
  threshold?: number;
}

export interface HandoverGuard {
  classify(text: string, options?: ClassifyOptions): HandoverVerdict;
  readonly threshold: number;
  /** Rows it was trained on. */
  readonly trainedOn: number;
  /** How long training took, in milliseconds. */
  readonly trainingMs: number;
}

export interface GuardOptions {
  threshold?: number;
  train?: TrainOptions;
}

/** Trains a guard on corpus rows (all of the corpus by default). */
export function trainHandoverGuard(
  rows: readonly CorpusRow[] = corpusRows(),
  options: GuardOptions = {},
): HandoverGuard {
  const started = performance.now();
  const model = trainModel(
    rows.map((row) => ({
      text: normalizeForGuard(row.text).text,
      label: row.expected === 'bot' ? 0 : CLASSES.indexOf(row.category as HandoverCategory),
      weight: row.expected === 'bot' ? BOT_WEIGHT : 1,
    })),
    CLASSES.length,
    options.train,
  );
  return guardOf(model, rows.length, performance.now() - started, options.threshold);
}

function guardOf(
  model: LinearModel,
  trainedOn: number,
  trainingMs: number,
  threshold = DEFAULT_THRESHOLD,
): HandoverGuard {
  const guard: HandoverGuard = {
    threshold,
    trainedOn,
    trainingMs,
    classify: (text, classifyOptions = {}) =>
      classifyWith(model, classifyOptions.threshold ?? threshold, text, classifyOptions),
  };
  trainedModels.set(guard, model);
  return guard;
}

let shared: HandoverGuard | undefined;

/**
 * The product's guard, trained on the whole corpus on first use (1–2 s) and kept for the process.
 * The trained model is also cached on disk (KEFU_GUARD_CACHE, default node_modules/.cache/kefu,
 * a folder only the app's user writes; `off` disables it),
 * keyed by a hash of the corpus and the model code's version, so the next process loads it in
 * milliseconds; any problem with the cache falls back to training.
 */
export function defaultHandoverGuard(): HandoverGuard {
  if (shared) return shared;
  const rows = corpusRows();
  const file = cacheFile(rows);
  const started = performance.now();
  const cached = file ? loadModel(file) : null;
  if (cached) {
    shared = guardOf(cached, rows.length, performance.now() - started);
    return shared;
  }
  shared = trainHandoverGuard(rows);
  if (file) saveModel(file, shared);
  return shared;
}

/** Bump when features, training or classes change, so a cached model from older code is not read. */
const MODEL_VERSION = 'handover-lr-1';
const trainedModels = new WeakMap<HandoverGuard, LinearModel>();

function cacheFile(rows: readonly CorpusRow[]): string | null {
  if (process.env.KEFU_GUARD_CACHE === 'off') return null;
  const hash = createHash('sha256').update(MODEL_VERSION);
  for (const row of rows) hash.update(`${row.expected}\u0000${row.category}\u0000${row.text}\n`);
  return path.join(
    process.env.KEFU_GUARD_CACHE ?? path.join(repositoryRoot, 'node_modules', '.cache', 'kefu'),
    `kefu-handover-${hash.digest('hex').slice(0, 20)}.bin`,
  );
}

/** [4-byte header length][header JSON: classes, vocabulary][weights float32][bias float32]. */
function saveModel(file: string, guard: HandoverGuard): void {
  const model = trainedModels.get(guard);
  if (!model) return;
  try {
    const header = Buffer.from(JSON.stringify({ classes: model.classes, vocabulary: [...model.vocabulary.keys()] }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    const body = Buffer.concat([
      length,
      header,
      Buffer.from(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength),
      Buffer.from(model.bias.buffer, model.bias.byteOffset, model.bias.byteLength),
    ]);
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, body);
    renameSync(temporary, file);
  } catch {
    // A read-only or full disk only costs the next process a training run.
  }
}

function loadModel(file: string): LinearModel | null {
  try {
    const body = readFileSync(file);
    const headerLength = body.readUInt32LE(0);
    const header = JSON.parse(body.subarray(4, 4 + headerLength).toString('utf8')) as {
      classes: number;
      vocabulary: string[];
    };
    if (header.classes !== CLASSES.length) return null;
    const weightsBytes = header.vocabulary.length * header.classes * 4;
    const start = 4 + headerLength;
    if (body.length !== start + weightsBytes + header.classes * 4) return null;
    const copy = (from: number, bytes: number) =>
      new Float32Array(body.buffer.slice(body.byteOffset + from, body.byteOffset + from + bytes));
    return {
      classes: header.classes,
      vocabulary: new Map(header.vocabulary.map((feature, index) => [feature, index])),
      weights: copy(start, weightsBytes),
      bias: copy(start + weightsBytes, header.classes * 4),
    };
  } catch {
    return null;
  }
}

function classifyWith(model: LinearModel, threshold: number, raw: string, options: ClassifyOptions): HandoverVerdict {
  const { text, truncated } = normalizeForGuard(raw);
  const disabled = new Set(options.tenant?.disabled ?? []);
  const base = { truncated, normalized: text.slice(0, 500) };

  const signal = options.modelOnly
    ? null
    : detectHandover(text, options.tenant?.patterns, options.tenant?.disabled, options.tenant?.additions);
  const scored = options.rulesOnly ? { score: 0, category: null } : scoreText(model, text, disabled);
  const borderline = Math.abs(scored.score - threshold) < BORDERLINE_MARGIN;
  if (signal) {
    const tenant = signal.rule.startsWith('tenant:');
    return {
      handover: true,
      category: ruleCategory(signal.rule) ?? scored.category,
      score: scored.score,
      source: tenant ? 'tenant' : 'rule',
      rule: signal.rule,
      borderline: false,
      ...base,
    };
  }
  // A greeting or a one-word message says too little for the classifier; only a rule hands it over.
  const enough = substance(text) >= MIN_SUBSTANCE;
  const vetoed = scored.category !== null && LOOK_ALIKES[scored.category]?.test(text) === true;
  const handover = enough && !vetoed && scored.category !== null && scored.score >= threshold;
  return {
    handover,
    category: handover ? scored.category : null,
    score: scored.score,
    source: handover ? 'model' : null,
    rule: null,
    borderline,
    ...base,
  };
}

/** The classifier's hand-over probability and likeliest category; long text is read in windows too. */
function scoreText(
  model: LinearModel,
  text: string,
  disabled: ReadonlySet<string>,
): { score: number; category: HandoverCategory | null } {
  let best = scoreWindow(model, text, disabled);
  if (text.length > WINDOW_CHARS * 1.5) {
    for (const window of windows(text)) {
      const scored = scoreWindow(model, window, disabled);
      if (scored.score > best.score) best = scored;
    }
  }
  return best;
}

function scoreWindow(
  model: LinearModel,
  text: string,
  disabled: ReadonlySet<string>,
): { score: number; category: HandoverCategory | null } {
  const probabilities = predict(model, text);
  let score = 0;
  let category: HandoverCategory | null = null;
  let top = 0;
  for (let index = 1; index < CLASSES.length; index += 1) {
    const name = CLASSES[index] as HandoverCategory;
    const probability = probabilities[index]!;
    if (!disabled.has(CATEGORY_GROUP[name])) score += probability;
    if (probability > top) {
      top = probability;
      category = name;
    }
  }
  // A message whose likeliest situation the tenant switched off stays with the bot.
  if (category !== null && disabled.has(CATEGORY_GROUP[category])) return { score, category: null };
  return { score, category };
}

/** Sentences packed into windows of about WINDOW_CHARS characters, at most MAX_WINDOWS of them. */
function windows(text: string): string[] {
  const sentences = text.split(/(?<=[。!?！？;；\n]|\.\s)/u).filter((sentence) => sentence.trim().length > 0);
  const out: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    if (current.length + sentence.length > WINDOW_CHARS && current.length > 0) {
      out.push(current);
      current = '';
    }
    // A single huge sentence is cut into fixed slices.
    for (let start = 0; start < sentence.length; start += WINDOW_CHARS) {
      const slice = sentence.slice(start, start + WINDOW_CHARS);
      if (slice.length === WINDOW_CHARS) out.push(slice);
      else current += slice;
    }
    if (out.length >= MAX_WINDOWS) break;
  }
  if (current.length > 0) out.push(current);
  return out.slice(0, MAX_WINDOWS);
}

import { turnAndAgentReplies } from './llm-suggestions.js';
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  loadTenantRuntime,
  syncedFaqRows,
  uploadedSheetVersions,
  type TenantRuntime,
  type UnderstanderMode,
} from '../engine/tenant-runtime.js';
import { gateFor } from '../engine/turn-context.js';
import { guardMessage } from '../guard/handover/turn-guard.js';
import { trainingSetHash } from '../engine/intent-models.js';
import { createClassifierUnderstander } from '../engine/classifier-understander.js';
import { createFewShotUnderstander } from '../engine/fewshot-understander.js';
import { createLexicalUnderstander } from '../engine/lexical-understander.js';
import type { LabelledPhrasing, Understander } from '../engine/understander.js';
import { ErrorCodes, KefuError, isKefuError } from '../errors/index.js';
import { trainFewShotMatcher } from '../fewshot/index.js';
import { loadIntentClassifier, trainIntentClassifierInWorker } from '../nlu/index.js';
import type { Db } from '../store/database.js';
import { recordAudit } from '../tenancy/audit.js';
import { parseTenantSettings } from '../tenancy/tenant-settings.js';
import { normalizeText } from '../text/index.js';
import { tfidfMatrix } from './features.js';
import { clusterTexts } from './phrasing-clusters.js';
import {
  DEFAULT_PROMOTION_POLICY,
  orderReviewQueue,
  promoteClicks,
  turnUncertainty,
  type Click,
  type PromotionPolicy,
} from './review-queue.js';
import type { ExampleSource, LabelKind, RunStatus } from './training-tables.js';

/**
 * The trainer's console (docs/learning.md, "Trainer's console"): the review queue, labels as
 * versioned training examples, retraining into a candidate that is evaluated against the active
 * version on the tenant's regression set (its labelled turns) without being activated, and
 * activation, which writes the accepted examples into the phrasings loadTenantRuntime trains on
 * (FAQ alternatives, intent examples). Nothing here touches the serving runtime: activation only
 * changes the tables and the caller publishes `tenant.updated`.
 */

/** Why a turn is in the review queue. */
export type ReviewReason = 'low_confidence' | 'fallback' | 'suggestion_picked' | 'handed_over' | 'thumbs_down';

export interface CatalogueEntry {
  kind: 'faq' | 'intent';
  id: string;
  /** The FAQ question, or the intent's description (its name when it has none). */
  name: string;
  /** For an FAQ entry: a pack's, an uploaded sheet's, or a trainer's new one (not activated yet). */
  source?: FaqSource;
}

export interface CurrentLabel {
  version: number;
  kind: LabelKind;
  target: string | null;
  targetName: string | null;
  labelledBy: string;
  createdAt: string;
}

export interface ReviewItem {
  traceId: string;
  conversationId: string;
  text: string;
  reasons: ReviewReason[];
  guess: { id: string; name: string | null; confidence: number } | null;
  alternatives: Array<{ id: string; name: string | null; confidence: number }>;
  /** The FAQ the customer picked from kefu's suggestions, when they did. */
  picked: { id: string; name: string | null } | null;
  route: string;
  tier: string;
  uncertainty: number;
  cluster: number;
  clusterSize: number;
  expectedValue: number;
  label: CurrentLabel | null;
  createdAt: string;
}

/** How many recent turns the queue looks at (one review window, clustered together). */
const QUEUE_WINDOW = 2000;

/** Where an FAQ entry lives: a pack (`faq_entries`), an uploaded sheet, or a trainer's new entry not yet activated. */
export type FaqSource = 'pack' | 'sheet' | 'new';

interface FaqTarget {
  question: string;
  answer: string;
  source: FaqSource;
}

/**
 * Every FAQ entry a label may point at, by id, as the runtime reads them (pack entries, then the
 * entries of uploaded sheets: loadTenantRuntime's own syncedFaqRows, a pack entry wins on the
 * same id), plus the entries trainers created that no activation has accepted yet.
 */
async function faqTargets(db: Db, tenantId: string): Promise<Map<string, FaqTarget>> {
  const pack = await db
    .selectFrom('faq_entries')
    .select(['external_id', 'question', 'answer'])
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .execute();
  const targets = new Map<string, FaqTarget>(
    pack.map((row) => [row.external_id, { question: row.question, answer: row.answer, source: 'pack' }]),
  );
  for (const row of await syncedFaqRows(db, tenantId, new Set(targets.keys())))
    targets.set(row.external_id, { question: row.question, answer: row.answer, source: 'sheet' });
  const created = await db
    .selectFrom('training_faqs')
    .select(['external_id', 'question', 'answer'])
    .where('tenant_id', '=', tenantId)
    .where('applied_run_id', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const row of created)
    if (!targets.has(row.external_id))
      targets.set(row.external_id, { question: row.question, answer: row.answer, source: 'new' });
  return targets;
}

export async function trainerCatalogue(db: Db, tenantId: string): Promise<CatalogueEntry[]> {
  const faqs = await faqTargets(db, tenantId);
  const intents = await db
    .selectFrom('intents')
    .select(['name', 'description'])
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .execute();
  return [
    ...[...faqs].map(([id, faq]) => ({ kind: 'faq' as const, id, name: faq.question, source: faq.source })),
    ...intents.map((row) => ({ kind: 'intent' as const, id: row.name, name: row.description ?? row.name })),
  ];
}

type TraceJson = { gate?: number; handover?: { rule?: string } | null; understanding?: { outOfScope?: boolean } };

function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

type LabelState = CurrentLabel & { text: string; source: ExampleSource };

/** The current (not superseded) label of each of these turns. */
async function currentLabels(db: Db, tenantId: string, traceIds?: readonly string[]) {
  if (traceIds && traceIds.length === 0) return new Map<string, LabelState>();
  const rows = await db
    .selectFrom('training_examples')
    .select(['trace_id', 'version', 'kind', 'target', 'labelled_by', 'created_at', 'text', 'source'])
    .where('tenant_id', '=', tenantId)
    .where('superseded_at', 'is', null)
    .$if(traceIds !== undefined, (query) => query.where('trace_id', 'in', traceIds!))
    .execute();
  return new Map<string, LabelState>(
    rows.map((row) => [
      row.trace_id,
      {
        version: row.version,
        kind: row.kind,
        target: row.target,
        targetName: null,
        labelledBy: row.labelled_by,
        createdAt: new Date(row.created_at).toISOString(),
        text: row.text,
        source: row.source,
      },
    ]),
  );
}

interface QueueRow {
  id: string;
  conversation_id: string;
  route: string;
  tier: string;
  intent: string | null;
  confidence: number;
  trace: unknown;
  created_at: Date;
  text: string;
}

interface QueueCandidate {
  row: QueueRow;
  id: string;
  reasons: ReviewReason[];
  trace: TraceJson;
  label: LabelState | null;
  uncertainty: number;
  cluster: number;
}

/** Below this many items the window is too small for clusterTexts' graph (its communities need room). */
const SMALL_WINDOW = 60;
/** Cosine of TF-IDF vectors (words and character n-grams) at which two phrasings of a small window are one cluster. */
const SMALL_WINDOW_SIMILARITY = 0.4;

/**
 * Phrasing clusters of the review window: clusterTexts (src/learning/phrasing-clusters.ts) once
 * the window is large enough; below SMALL_WINDOW items its k-nearest-neighbour graph joins
 * everything (3 to 5 messages come back as one cluster, so a cluster label or click agreement
 * would cover unrelated questions), so a small window links phrasings whose TF-IDF vectors are at
 * least SMALL_WINDOW_SIMILARITY alike, and each connected group is a cluster.
 */
function windowClusters(texts: readonly string[]): Int32Array {
  if (texts.length <= 1) return new Int32Array(texts.length);
  if (texts.length >= SMALL_WINDOW) return clusterTexts(texts).labels;
  const rows = tfidfMatrix(texts).rows;
  const parent = texts.map((_, index) => index);
  const root = (index: number): number => (parent[index] === index ? index : (parent[index] = root(parent[index]!)));
  for (let i = 0; i < rows.length; i++)
    for (let j = i + 1; j < rows.length; j++) {
      const a = rows[i]!;
      const b = rows[j]!;
      let cosine = 0;
      for (let x = 0, y = 0; x < a.indices.length && y < b.indices.length;) {
        if (a.indices[x] === b.indices[y]) cosine += a.values[x++]! * b.values[y++]!;
        else if (a.indices[x]! < b.indices[y]!) x++;
        else y++;
      }
      if (cosine >= SMALL_WINDOW_SIMILARITY) parent[root(j)] = root(i);
    }
  const numbers = new Map<number, number>();
  return Int32Array.from(
    texts.map((_, index) => {
      const top = root(index);
      if (!numbers.has(top)) numbers.set(top, numbers.size);
      return numbers.get(top)!;
    }),
  );
}

/**
 * The review window: the tenant's recent turns kefu was unsure about, with their reasons, current
 * label, the FAQ the customer picked (their last click) and their phrasing cluster (every item of
 * the window clustered together, labelled or not). The queue, bulk labels and click promotion all
 * read the same clusters.
 */
async function reviewWindow(db: Db, tenantId: string) {
  const rows: QueueRow[] = await db
    .selectFrom('turn_traces as t')
    .innerJoin('messages as m', (join) =>
      join.onRef('m.id', '=', 't.inbound_message_id').onRef('m.tenant_id', '=', 't.tenant_id'),
    )
    .select([
      't.id',
      't.conversation_id',
      't.route',
      't.tier',
      't.intent',
      't.confidence',
      't.trace',
      't.created_at',
      'm.text',
    ])
    .where('t.tenant_id', '=', tenantId)
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id')
    .limit(QUEUE_WINDOW)
    .execute();
  const ids = rows.map((row) => row.id);
  const signals =
    ids.length === 0
      ? []
      : await db
          .selectFrom('learning_signals')
          .select(['trace_id', 'kind', 'value', 'created_at'])
          .where('tenant_id', '=', tenantId)
          .where('trace_id', 'in', ids)
          .where('kind', 'in', ['thumbs', 'suggestion_click'])
          .orderBy('created_at')
          .orderBy('id')
          .execute();
  const thumbsDown = new Set<string>();
  const picked = new Map<string, string>();
  for (const signal of signals) {
    if (!signal.trace_id) continue;
    if (signal.kind === 'thumbs') {
      if (signal.value === 'down') thumbsDown.add(signal.trace_id);
      else thumbsDown.delete(signal.trace_id);
    } else picked.set(signal.trace_id, signal.value);
  }
  const labels = await currentLabels(db, tenantId, ids);
  const candidates: QueueCandidate[] = rows.flatMap((row) => {
    const trace = parseJson<TraceJson>(row.trace) ?? {};
    const gate = typeof trace.gate === 'number' ? trace.gate : 0.5;
    const reasons: ReviewReason[] = [];
    if (thumbsDown.has(row.id)) reasons.push('thumbs_down');
    if (picked.has(row.id)) reasons.push('suggestion_picked');
    if (row.route === 'human') reasons.push('handed_over');
    if (row.tier === 'fallback') reasons.push('fallback');
    if (row.confidence < gate && row.tier !== 'fallback') reasons.push('low_confidence');
    if (reasons.length === 0) return [];
    const answered = row.route === 'auto' && row.tier !== 'fallback';
    return [
      {
        row,
        reasons,
        trace,
        label: labels.get(row.id) ?? null,
        id: row.id,
        uncertainty: turnUncertainty({
          confidence: row.confidence,
          gate,
          answered,
          thumbsDown: thumbsDown.has(row.id),
          handoverRule: trace.handover?.rule ?? null,
        }),
        cluster: 0,
      },
    ];
  });
  const clusters = windowClusters(candidates.map((candidate) => normalizeText(candidate.row.text).text));
  candidates.forEach((candidate, index) => (candidate.cluster = clusters[index]!));
  return { candidates, picked };
}

/**
 * The review queue: recent turns kefu was unsure about (below its gate, a fallback, a hand-over,
 * a suggestion the customer picked, a thumbs down), ordered by expected value = uncertainty ×
 * the size of the phrasing's cluster in the window (src/learning/review-queue.ts).
 */
export async function reviewQueue(
  db: Db,
  tenantId: string,
  options: { limit?: number; includeLabelled?: boolean } = {},
): Promise<{ items: ReviewItem[]; total: number }> {
  const window = await reviewWindow(db, tenantId);
  const { picked } = window;
  // Cluster sizes count the turns still to review (as before labels were kept in the window).
  const candidates = window.candidates.filter((candidate) => options.includeLabelled || !candidate.label);
  const catalogue = new Map((await trainerCatalogue(db, tenantId)).map((entry) => [entry.id, entry.name]));
  const clusterSize = new Map<number, number>();
  for (const candidate of candidates) clusterSize.set(candidate.cluster, (clusterSize.get(candidate.cluster) ?? 0) + 1);
  const ordered = orderReviewQueue(candidates, 'value');
  const limit = Math.max(1, Math.min(options.limit ?? 50, 500));
  const alternativesOf = (trace: unknown) => {
    const understanding = (
      trace as { understanding?: { alternatives?: Array<{ intent: string; confidence: number }> } }
    ).understanding;
    return (understanding?.alternatives ?? []).slice(0, 3).map((alternative) => ({
      id: alternative.intent,
      name: catalogue.get(alternative.intent) ?? null,
      confidence: alternative.confidence,
    }));
  };
  return {
    total: ordered.length,
    items: ordered.slice(0, limit).map((candidate) => {
      const { row } = candidate;
      const size = clusterSize.get(candidate.cluster) ?? 1;
      const pickedId = picked.get(row.id);
      return {
        traceId: row.id,
        conversationId: row.conversation_id,
        text: row.text,
        reasons: candidate.reasons,
        guess: row.intent
          ? { id: row.intent, name: catalogue.get(row.intent) ?? null, confidence: row.confidence }
          : null,
        alternatives: alternativesOf(candidate.trace),
        picked: pickedId ? { id: pickedId, name: catalogue.get(pickedId) ?? null } : null,
        route: row.route,
        tier: row.tier,
        uncertainty: candidate.uncertainty,
        cluster: candidate.cluster,
        clusterSize: size,
        expectedValue: Math.max(0, Math.min(1, candidate.uncertainty)) * size,
        label: candidate.label
          ? (({ text: _text, source: _source, ...label }) => ({
              ...label,
              targetName: label.target ? (catalogue.get(label.target) ?? null) : null,
            }))(candidate.label)
          : null,
        createdAt: new Date(row.created_at).toISOString(),
      };
    }),
  };
}

export interface LabelInput {
  kind: LabelKind;
  /** The FAQ id (kind `faq`) or intent name (kind `intent`); none for the other kinds. */
  target?: string | null;
  /** The label version the trainer saw (0: the turn was unlabelled). */
  expectedVersion: number;
}

export interface StoredLabel extends CurrentLabel {
  id: string;
  traceId: string;
  conversationId: string;
  text: string;
}

type LatestLabel = { traceId: string; version: number; kind: string; target: string | null };

function labelConflict(conflicts: ReadonlyArray<LatestLabel | { traceId: string; version: null }>): KefuError {
  const first = conflicts[0];
  const single =
    conflicts.length === 1 && first
      ? first.version === null
        ? { currentVersion: null }
        : { currentVersion: first.version, kind: (first as LatestLabel).kind, target: (first as LatestLabel).target }
      : {};
  return new KefuError(
    ErrorCodes.trainingLabelConflict,
    conflicts.length > 1
      ? `another trainer labelled ${conflicts.length} of these turns since you loaded them; nothing was saved: reload the queue and label them again`
      : 'another trainer labelled this turn since you loaded it; reload the queue and label it again',
    {
      status: 409,
      details: {
        ...single,
        conflicts: conflicts.map((conflict) => ({ traceId: conflict.traceId, currentVersion: conflict.version })),
      },
    },
  );
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || /duplicate key|unique constraint/i.test((error as Error)?.message ?? '');
}

/** The latest label version of each turn (0 when unlabelled). */
async function latestLabels(db: Db, tenantId: string, traceIds: readonly string[]): Promise<Map<string, LatestLabel>> {
  if (traceIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('training_examples')
    .select(['id', 'trace_id', 'version', 'kind', 'target'])
    .where('tenant_id', '=', tenantId)
    .where('trace_id', 'in', [...traceIds])
    .orderBy('version', 'asc')
    .execute();
  const latest = new Map<string, LatestLabel & { id: string }>();
  for (const row of rows)
    latest.set(row.trace_id, {
      id: row.id,
      traceId: row.trace_id,
      version: row.version,
      kind: row.kind,
      target: row.target,
    });
  return latest;
}

type Turn = { traceId: string; conversationId: string; text: string };

/** The tenant's turns by trace id; CS_TRACE_NOT_FOUND (404) when one is not the tenant's. */
async function turnsOf(db: Db, tenantId: string, traceIds: readonly string[]): Promise<Map<string, Turn>> {
  const rows = await db
    .selectFrom('turn_traces as t')
    .innerJoin('messages as m', (join) =>
      join.onRef('m.id', '=', 't.inbound_message_id').onRef('m.tenant_id', '=', 't.tenant_id'),
    )
    .select(['t.id', 't.conversation_id', 'm.text'])
    .where('t.tenant_id', '=', tenantId)
    .where('t.id', 'in', [...traceIds])
    .execute();
  const turns = new Map(
    rows.map((row) => [row.id, { traceId: row.id, conversationId: row.conversation_id, text: row.text }]),
  );
  const missing = traceIds.filter((id) => !turns.has(id));
  if (missing.length > 0)
    throw new KefuError(
      ErrorCodes.traceNotFound,
      traceIds.length > 1 ? `${missing.length} turns not found` : 'turn not found',
      {
        status: 404,
        ...(traceIds.length > 1 ? { details: { missing } } : {}),
      },
    );
  return turns;
}

/**
 * The label's target, checked: an FAQ entry (pack, uploaded sheet or a trainer's new one) or an
 * intent of the tenant; CS_TRAINING_TARGET_NOT_FOUND (404) when it does not exist (or was deleted).
 */
async function resolveTarget(
  db: Db,
  tenantId: string,
  input: { kind: LabelKind; target?: string | null },
): Promise<{ target: string | null; targetName: string | null }> {
  const needsTarget = input.kind === 'faq' || input.kind === 'intent';
  if (!needsTarget) return { target: null, targetName: null };
  const target = (input.target ?? '').trim();
  if (!target) throw new KefuError(ErrorCodes.validation, `a ${input.kind} label needs a target`, { status: 400 });
  if (input.kind === 'faq') {
    const faq = (await faqTargets(db, tenantId)).get(target);
    if (!faq)
      throw new KefuError(ErrorCodes.trainingTargetNotFound, `FAQ entry "${target}" not found`, { status: 404 });
    return { target, targetName: faq.question };
  }
  const intent = await db
    .selectFrom('intents')
    .select(['name', 'description'])
    .where('tenant_id', '=', tenantId)
    .where('name', '=', target)
    .executeTakeFirst();
  if (!intent) throw new KefuError(ErrorCodes.trainingTargetNotFound, `intent "${target}" not found`, { status: 404 });
  return { target, targetName: intent.description ?? intent.name };
}

/**
 * Writes one new label version for each turn inside `trx`, all or nothing: every turn's latest
 * version must still be the one the trainer saw, or the whole write is refused with
 * CS_TRAINING_LABEL_CONFLICT naming the turns that moved.
 */
async function writeLabels(
  trx: Db,
  tenantId: string,
  turns: ReadonlyArray<Turn & { expectedVersion: number }>,
  label: { kind: LabelKind; target: string | null },
  labelledBy: string,
  source: ExampleSource,
): Promise<Array<{ id: string; version: number; createdAt: Date }>> {
  const latest = await latestLabels(
    trx,
    tenantId,
    turns.map((turn) => turn.traceId),
  );
  const conflicts = turns.flatMap((turn) => {
    const current = latest.get(turn.traceId);
    return (current?.version ?? 0) === turn.expectedVersion
      ? []
      : [current ?? { traceId: turn.traceId, version: null }];
  });
  if (conflicts.length > 0) throw labelConflict(conflicts);
  const now = new Date();
  const superseded = turns.flatMap((turn) => {
    const current = latest.get(turn.traceId) as (LatestLabel & { id: string }) | undefined;
    return current ? [current.id] : [];
  });
  if (superseded.length > 0)
    await trx
      .updateTable('training_examples')
      .set({ superseded_at: now })
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', superseded)
      .execute();
  const rows = turns.map((turn) => ({
    id: randomUUID(),
    tenant_id: tenantId,
    conversation_id: turn.conversationId,
    trace_id: turn.traceId,
    version: turn.expectedVersion + 1,
    text: turn.text,
    kind: label.kind,
    target: label.target,
    labelled_by: labelledBy,
    source,
    created_at: now,
  }));
  if (rows.length > 0) await trx.insertInto('training_examples').values(rows).execute();
  return rows.map((row) => ({ id: row.id, version: row.version, createdAt: now }));
}

/** Runs a label write; a unique-key race (two trainers at once) becomes the same 409 as a stale version. */
async function labelTransaction<T>(
  db: Db,
  tenantId: string,
  traceIds: readonly string[],
  work: (trx: Db) => Promise<T>,
): Promise<T> {
  try {
    return await db.transaction().execute((trx) => work(trx as unknown as Db));
  } catch (error) {
    if (isKefuError(error)) throw error;
    if (isUniqueViolation(error)) {
      const latest = await latestLabels(db, tenantId, traceIds);
      throw labelConflict(traceIds.map((traceId) => latest.get(traceId) ?? { traceId, version: null }));
    }
    throw error;
  }
}

/**
 * Labels a turn: a new version of its training example. `expectedVersion` is the version the
 * trainer saw; when another label got there first (a later version exists, or the same version
 * was inserted concurrently: the unique key on tenant, trace and version), the label is refused
 * with CS_TRAINING_LABEL_CONFLICT (409) and the current label in `details`.
 */
export async function labelTurn(
  db: Db,
  tenantId: string,
  traceId: string,
  input: LabelInput,
  labelledBy: string,
): Promise<StoredLabel> {
  const [stored] = await labelTurns(
    db,
    tenantId,
    [{ traceId, expectedVersion: input.expectedVersion }],
    input,
    labelledBy,
  );
  return stored!;
}

/** Most turns one bulk label may carry (a phrasing cluster of the review window). */
export const BULK_LABEL_LIMIT = 500;

/**
 * Labels several turns at once (a whole phrasing cluster) with one label, with the same rules as
 * labelTurn, all or nothing: when any turn was labelled since the trainer loaded it, nothing is
 * written and CS_TRAINING_LABEL_CONFLICT (409) lists those turns in `details.conflicts`.
 */
export async function labelTurns(
  db: Db,
  tenantId: string,
  items: ReadonlyArray<{ traceId: string; expectedVersion: number }>,
  input: { kind: LabelKind; target?: string | null },
  labelledBy: string,
  source: ExampleSource = 'trainer',
): Promise<StoredLabel[]> {
  const traceIds = [...new Set(items.map((item) => item.traceId))];
  if (traceIds.length !== items.length)
    throw new KefuError(ErrorCodes.validation, 'a turn is listed twice', { status: 400 });
  if (items.length === 0 || items.length > BULK_LABEL_LIMIT)
    throw new KefuError(ErrorCodes.validation, `label between 1 and ${BULK_LABEL_LIMIT} turns at once`, {
      status: 400,
    });
  // The turns first: another tenant's turn is answered as a missing one whatever the label says.
  const turns = await turnsOf(db, tenantId, traceIds);
  const { target, targetName } = await resolveTarget(db, tenantId, input);
  const wanted = items.map((item) => ({ ...turns.get(item.traceId)!, expectedVersion: item.expectedVersion }));
  const written = await labelTransaction(db, tenantId, traceIds, (trx) =>
    writeLabels(trx, tenantId, wanted, { kind: input.kind, target }, labelledBy, source),
  );
  return wanted.map((turn, index) => ({
    id: written[index]!.id,
    traceId: turn.traceId,
    conversationId: turn.conversationId,
    text: turn.text,
    version: written[index]!.version,
    kind: input.kind,
    target,
    targetName,
    labelledBy,
    createdAt: written[index]!.createdAt.toISOString(),
  }));
}

// --- New FAQ entries from a turn -----------------------------------------------------------

export const FAQ_QUESTION_MAX = 500;
export const FAQ_ANSWER_MAX = 5000;

export interface FaqDraft {
  traceId: string;
  /** The customer's phrasing. */
  question: string;
  /** The first reply a person (an agent, never the bot) sent after it in that conversation. */
  answer: string | null;
  answerFrom: 'agent' | null;
}

/**
 * What "new FAQ" starts from: the customer's phrasing as the question, and the answer an agent
 * gave in that conversation after it, if one did (human answers only: bot replies are never a
 * draft, internal notes neither).
 */
export async function faqDraftFromTurn(db: Db, tenantId: string, traceId: string): Promise<FaqDraft> {
  const { question, replies } = await turnAndAgentReplies(db, tenantId, traceId, 1);
  const reply = replies[0];
  return {
    traceId,
    question: question.slice(0, FAQ_QUESTION_MAX),
    answer: reply ? reply.trim().slice(0, FAQ_ANSWER_MAX) : null,
    answerFrom: reply ? 'agent' : null,
  };
}

function invalidFaq(field: 'question' | 'answer', message: string): KefuError {
  return new KefuError(ErrorCodes.trainingFaqInvalid, message, { status: 400, details: { field } });
}

/**
 * Creates a new FAQ entry from a review item and labels the turn with it, in one transaction (the
 * label follows labelTurn's version rules: a stale `expectedVersion` refuses both). The entry is a
 * candidate like a label: the next retrain trains on it, the activation that accepts it copies it
 * into the tenant's FAQ (faq_entries), and only then is it served. An empty or too long question
 * or answer is refused with CS_TRAINING_FAQ_INVALID (400, `details.field`).
 */
export async function createFaqFromTurn(
  db: Db,
  tenantId: string,
  traceId: string,
  input: { question: string; answer: string; expectedVersion: number },
  createdBy: string,
): Promise<{ faq: { id: string; question: string; answer: string; source: FaqSource }; label: StoredLabel }> {
  const question = typeof input.question === 'string' ? input.question.trim() : '';
  const answer = typeof input.answer === 'string' ? input.answer.trim() : '';
  if (!question) throw invalidFaq('question', 'the new FAQ entry needs a question');
  if (!answer) throw invalidFaq('answer', 'the new FAQ entry needs an answer');
  if (question.length > FAQ_QUESTION_MAX)
    throw invalidFaq('question', `the question is longer than ${FAQ_QUESTION_MAX} characters`);
  if (answer.length > FAQ_ANSWER_MAX)
    throw invalidFaq('answer', `the answer is longer than ${FAQ_ANSWER_MAX} characters`);
  const turns = await turnsOf(db, tenantId, [traceId]);
  const turn = turns.get(traceId)!;
  const taken = await faqTargets(db, tenantId);
  let externalId = '';
  do externalId = `new-${randomUUID().slice(0, 8)}`;
  while (taken.has(externalId));
  const written = await labelTransaction(db, tenantId, [traceId], async (trx) => {
    await trx
      .insertInto('training_faqs')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        external_id: externalId,
        question,
        answer,
        trace_id: traceId,
        created_by: createdBy,
        created_at: new Date(),
      })
      .execute();
    return writeLabels(
      trx,
      tenantId,
      [{ ...turn, expectedVersion: input.expectedVersion }],
      { kind: 'faq', target: externalId },
      createdBy,
      'trainer',
    );
  });
  return {
    faq: { id: externalId, question, answer, source: 'new' },
    label: {
      id: written[0]!.id,
      traceId,
      conversationId: turn.conversationId,
      text: turn.text,
      version: written[0]!.version,
      kind: 'faq',
      target: externalId,
      targetName: question,
      labelledBy: createdBy,
      createdAt: written[0]!.createdAt.toISOString(),
    },
  };
}

// --- Click promotion -----------------------------------------------------------------------

/** The tenant's click promotion policy (the safe default, agreement, when none is set). */
export async function promotionPolicy(db: Db, tenantId: string): Promise<PromotionPolicy> {
  const row = await db
    .selectFrom('training_settings')
    .select('promotion')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  const stored = row ? parseJson<Partial<PromotionPolicy>>(row.promotion) : null;
  const mode = stored?.mode;
  return {
    mode: mode === 'approval' || mode === 'immediate' || mode === 'agreement' ? mode : DEFAULT_PROMOTION_POLICY.mode,
    minAgreeing:
      typeof stored?.minAgreeing === 'number' && Number.isInteger(stored.minAgreeing) && stored.minAgreeing >= 1
        ? stored.minAgreeing
        : DEFAULT_PROMOTION_POLICY.minAgreeing,
  };
}

export async function setPromotionPolicy(
  db: Db,
  tenantId: string,
  input: { mode: PromotionPolicy['mode']; minAgreeing?: number },
  updatedBy: string,
): Promise<PromotionPolicy> {
  const policy: PromotionPolicy = {
    mode: input.mode,
    minAgreeing: input.minAgreeing ?? DEFAULT_PROMOTION_POLICY.minAgreeing,
  };
  if (!['agreement', 'approval', 'immediate'].includes(policy.mode) || !(policy.minAgreeing >= 1))
    throw new KefuError(ErrorCodes.validation, 'mode is agreement, approval or immediate; minAgreeing is 1 or more', {
      status: 400,
    });
  const promotion = JSON.stringify(policy);
  await db
    .insertInto('training_settings')
    .values({ tenant_id: tenantId, promotion, updated_by: updatedBy, updated_at: new Date() })
    .onConflict((conflict) =>
      conflict.column('tenant_id').doUpdateSet({ promotion, updated_by: updatedBy, updated_at: new Date() }),
    )
    .execute();
  await recordAudit(db, {
    tenantId,
    actor: updatedBy,
    action: 'training.promotion_policy',
    target: tenantId,
    details: { ...policy },
  });
  return policy;
}

export interface ClickState {
  policy: PromotionPolicy;
  /** Clicked turns with no label yet (waiting for agreement or approval, or promotable now). */
  pending: number;
  /** Of those, how many the policy promotes at the next retrain. */
  promotable: number;
  /** Current training examples that came from promoted clicks. */
  promoted: number;
}

/**
 * The suggestion clicks of the review window that the policy promotes now: the customer's last
 * click on each unlabelled turn, with the turn's phrasing cluster, against the trainers' labels
 * of the same window (src/learning/review-queue.ts, promoteClicks). A click on an FAQ entry that
 * no longer exists is never promoted.
 */
async function promotableClicks(db: Db, tenantId: string) {
  const policy = await promotionPolicy(db, tenantId);
  const { candidates, picked } = await reviewWindow(db, tenantId);
  const faqs = await faqTargets(db, tenantId);
  const clicks: Click[] = candidates.flatMap((candidate) => {
    const faq = picked.get(candidate.id);
    return faq && !candidate.label && faqs.has(faq)
      ? [{ id: candidate.id, text: candidate.row.text, faq, cluster: candidate.cluster }]
      : [];
  });
  const trainerLabels = candidates.flatMap((candidate) =>
    candidate.label && candidate.label.source === 'trainer'
      ? [
          {
            id: candidate.id,
            cluster: candidate.cluster,
            label: candidate.label.kind === 'faq' ? (candidate.label.target ?? '') : `:${candidate.label.kind}`,
          },
        ]
      : [],
  );
  const pending = candidates.filter((candidate) => picked.has(candidate.id) && !candidate.label).length;
  return { policy, pending, clicks, promoted: promoteClicks(clicks, trainerLabels, policy), candidates };
}

export async function clickState(db: Db, tenantId: string): Promise<ClickState> {
  const state = await promotableClicks(db, tenantId);
  const promoted = await db
    .selectFrom('training_examples')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('tenant_id', '=', tenantId)
    .where('source', '=', 'click')
    .where('superseded_at', 'is', null)
    .executeTakeFirst();
  return {
    policy: state.policy,
    pending: state.pending,
    promotable: state.promoted.length,
    promoted: Number(promoted?.count ?? 0),
  };
}

/**
 * Turns the clicks the policy promotes into training examples (version 1 of their turn, source
 * `click`). A turn a trainer labelled meanwhile keeps the trainer's label. Returns how many.
 */
export async function promotePendingClicks(db: Db, tenantId: string): Promise<number> {
  const { policy, promoted, candidates } = await promotableClicks(db, tenantId);
  const texts = new Map(candidates.map((candidate) => [candidate.id, candidate.row]));
  let count = 0;
  for (const click of promoted) {
    const row = texts.get(click.id)!;
    try {
      await labelTransaction(db, tenantId, [click.id], (trx) =>
        writeLabels(
          trx,
          tenantId,
          [{ traceId: click.id, conversationId: row.conversation_id, text: row.text, expectedVersion: 0 }],
          { kind: 'faq', target: click.faq },
          `clicks:${policy.mode}`,
          'click',
        ),
      );
      count += 1;
    } catch (error) {
      if (!(isKefuError(error) && error.code === ErrorCodes.trainingLabelConflict)) throw error;
    }
  }
  return count;
}

// --- Candidate building -------------------------------------------------------------------

/** An FAQ entry as loadTenantRuntime reads it (a pack row, or an entry of an uploaded sheet). */
interface SheetRow {
  external_id: string;
  question: string;
  answer: string;
  alternatives: string[];
  category: string | null;
}

interface ExampleRow {
  id: string;
  trace_id: string;
  kind: LabelKind;
  target: string | null;
  text: string;
}

/** Appends a phrasing to a list unless it is already there (same text after trimming). */
function withPhrasing(list: readonly string[], text: string): string[] {
  const trimmed = text.trim();
  return list.some((existing) => existing.trim() === trimmed) ? [...list] : [...list, trimmed];
}

/**
 * The phrasings of one FAQ entry or intent once `wanted` is active: texts an earlier activation
 * added for a label that has since been replaced (`stale`) come out, unless a current label
 * still wants them; each wanted example's text is appended. The same function builds the
 * candidate and writes the activation, so what was evaluated is what gets served.
 */
function phrasingsAfter(
  list: readonly string[],
  kind: 'faq' | 'intent',
  target: string,
  wanted: readonly ExampleRow[],
  stale: readonly ExampleRow[],
): { phrasings: string[]; appended: Set<string> } {
  const mine = (example: ExampleRow) => example.kind === kind && example.target === target;
  const keep = new Set(wanted.filter(mine).map((example) => example.text.trim()));
  const remove = new Set(stale.filter(mine).map((example) => example.text.trim()));
  let phrasings = list.filter((text) => keep.has(text.trim()) || !remove.has(text.trim()));
  const appended = new Set<string>();
  for (const example of wanted.filter(mine)) {
    const next = withPhrasing(phrasings, example.text);
    if (next.length > phrasings.length) appended.add(example.id);
    phrasings = next;
  }
  return { phrasings, appended };
}

/** The current labels (faq/intent ones teach phrasings) and the replaced ones an activation applied. */
async function exampleState(db: Db, tenantId: string): Promise<{ current: ExampleRow[]; stale: ExampleRow[] }> {
  const rows = await db
    .selectFrom('training_examples')
    .select(['id', 'trace_id', 'kind', 'target', 'text', 'superseded_at', 'applied_run_id'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('superseded_at', 'is', null), eb('applied_run_id', 'is not', null)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return {
    current: rows.filter((row) => row.superseded_at === null),
    stale: rows.filter((row) => row.superseded_at !== null && row.applied_run_id !== null),
  };
}

/**
 * Builds the candidate understander the way loadTenantRuntime would once the examples are
 * activated: the same FAQ rows and intents with each example appended to its target's phrasings,
 * the same choice of model (few-shot matcher for an FAQ-only tenant, the classifier in a worker
 * otherwise, lexical when configured). Throws when it cannot be built; nothing is stored.
 */
async function buildCandidate(
  db: Db,
  tenantId: string,
  mode: UnderstanderMode,
  examples: readonly ExampleRow[],
  stale: readonly ExampleRow[],
): Promise<{
  understander: Understander;
  modelKind: string;
  used: string[];
  orphaned: string[];
  /** The ids of trainers' new FAQ entries the candidate includes (activation copies them into faq_entries). */
  newFaqs: string[];
  /** The trained classifier and the training-set hash loadTenantRuntime will compute for it. */
  classifier?: { artifact: Uint8Array; trainingHash: string; summary: Record<string, unknown> };
}> {
  const tenant = await db
    .selectFrom('tenants')
    .select(['slug', 'settings'])
    .where('id', '=', tenantId)
    .executeTakeFirstOrThrow();
  const settings = parseTenantSettings(tenant.settings, tenant.slug);
  const packRows = await db
    .selectFrom('faq_entries')
    .select(['external_id', 'question', 'answer', 'alternatives', 'category'])
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .execute();
  const faqRows: SheetRow[] = [
    ...packRows.map((row) => ({ ...row, alternatives: [...row.alternatives] })),
    // Uploaded sheets exactly as the runtime reads them (a pack entry wins on the same id).
    ...(await syncedFaqRows(db, tenantId, new Set(packRows.map((row) => row.external_id)))),
  ];
  // The trainers' new entries no activation accepted yet: the candidate knows them, the runtime not yet.
  const newFaqs: string[] = [];
  const created = await db
    .selectFrom('training_faqs')
    .select(['external_id', 'question', 'answer'])
    .where('tenant_id', '=', tenantId)
    .where('applied_run_id', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const faqIds = new Set(faqRows.map((row) => row.external_id));
  for (const row of created) {
    if (faqIds.has(row.external_id)) continue;
    faqIds.add(row.external_id);
    newFaqs.push(row.external_id);
    faqRows.push({
      external_id: row.external_id,
      question: row.question,
      answer: row.answer,
      alternatives: [],
      category: null,
    });
  }
  const intentRows = (
    await db
      .selectFrom('intents')
      .select(['name', 'examples'])
      .where('tenant_id', '=', tenantId)
      .orderBy('position')
      .execute()
  ).map((row) => ({ name: row.name, examples: [...row.examples] }));
  const intentNames = new Set(intentRows.map((row) => row.name));
  const used: string[] = [];
  const orphaned: string[] = [];
  for (const example of examples) {
    // A label whose FAQ entry or intent was deleted since is orphaned: counted, never trained on.
    const known =
      example.target !== null &&
      ((example.kind === 'faq' && faqIds.has(example.target)) ||
        (example.kind === 'intent' && intentNames.has(example.target)));
    if (known) used.push(example.id);
    else if (example.kind === 'faq' || example.kind === 'intent') orphaned.push(example.id);
  }
  const wanted = examples.filter((example) => used.includes(example.id));
  // Every FAQ entry (pack, uploaded sheet, new) and intent takes its labels' texts the same way.
  const slots = [
    ...faqRows.map((row) => ({
      kind: 'faq' as const,
      target: row.external_id,
      list: row.alternatives,
      set: (list: string[]) => (row.alternatives = list),
    })),
    ...intentRows.map((row) => ({
      kind: 'intent' as const,
      target: row.name,
      list: row.examples,
      set: (list: string[]) => (row.examples = list),
    })),
  ];
  for (const slot of slots) slot.set(phrasingsAfter(slot.list, slot.kind, slot.target, wanted, stale).phrasings);
  const phrasings: LabelledPhrasing[] = [];
  for (const row of faqRows)
    for (const text of [row.question, ...row.alternatives])
      phrasings.push({ text: normalizeText(text).text, label: row.external_id });
  for (const row of intentRows)
    for (const text of row.examples) phrasings.push({ text: normalizeText(text).text, label: row.name });
  const labels = new Set(phrasings.map((phrasing) => phrasing.label));
  if (mode === 'lexical' || labels.size < 2)
    return { understander: createLexicalUnderstander(phrasings), modelKind: 'lexical', used, orphaned, newFaqs };
  if (intentRows.length === 0) {
    const matcher = trainFewShotMatcher(
      faqRows.map((row) => ({
        label: row.external_id,
        phrasings: [row.question, ...row.alternatives],
        answer: row.answer,
        category: row.category,
      })),
      { userDictionary: settings.dictionary },
    );
    return { understander: createFewShotUnderstander(matcher), modelKind: 'fewshot', used, orphaned, newFaqs };
  }
  const artifact = await trainIntentClassifierInWorker(phrasings, { userDictionary: settings.dictionary });
  const classifier = loadIntentClassifier(artifact);
  return {
    understander: createClassifierUnderstander(classifier, 0),
    modelKind: 'classifier',
    used,
    orphaned,
    newFaqs,
    classifier: {
      artifact,
      trainingHash: trainingSetHash(phrasings, settings.dictionary),
      summary: { ...classifier.summary },
    },
  };
}

/**
 * What kefu decides for a message: the label it would answer with, or null (it would not answer:
 * a hand-over the guard finds in the message, which no retraining changes, or too unsure).
 */
function decide(runtime: TenantRuntime, understander: Understander, text: string): string | null {
  if (guardMessage(text, runtime.handover, runtime.locale)) return null;
  const understanding = understander.understand(normalizeText(text).text);
  if (!understanding.intent || understanding.outOfScope) return null;
  return understanding.confidence >= gateFor(runtime, understanding.intent) ? understanding.intent : null;
}

/**
 * Copies the trainers' new FAQ entries a candidate included into the tenant's FAQ (faq_entries,
 * after its last entry), inside the activation's transaction. An entry already there (same id) or
 * already accepted is left alone.
 */
async function acceptNewFaqs(trx: Db, tenantId: string, runId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const pending = await trx
    .selectFrom('training_faqs')
    .select(['id', 'external_id', 'question', 'answer'])
    .where('tenant_id', '=', tenantId)
    .where('external_id', 'in', [...ids])
    .where('applied_run_id', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  if (pending.length === 0) return;
  const existing = new Set(
    (
      await trx
        .selectFrom('faq_entries')
        .select('external_id')
        .where('tenant_id', '=', tenantId)
        .where(
          'external_id',
          'in',
          pending.map((row) => row.external_id),
        )
        .execute()
    ).map((row) => row.external_id),
  );
  const last = await trx
    .selectFrom('faq_entries')
    .select((eb) => eb.fn.max('position').as('position'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  let position = Number(last?.position ?? -1);
  for (const row of pending) {
    if (!existing.has(row.external_id)) {
      const content = {
        question: row.question,
        answer: row.answer,
        alternatives: [],
        category: null,
        sensitive: false,
      };
      await trx
        .insertInto('faq_entries')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          external_id: row.external_id,
          question: row.question,
          answer: row.answer,
          alternatives: JSON.stringify([]),
          category: null,
          sensitive: false,
          content_hash: createHash('sha256').update(JSON.stringify(content)).digest('hex'),
          version: 1,
          position: (position += 1),
        })
        .execute();
    }
    await trx
      .updateTable('training_faqs')
      .set({ applied_run_id: runId })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', row.id)
      .execute();
  }
}

/**
 * Writes the phrasings an activation accepts where loadTenantRuntime reads them: the alternatives
 * of a pack FAQ entry (faq_entries), of an uploaded sheet's entry (the entry in the active version
 * of its sheet, the first sheet by path as syncedFaqRows reads them), or an intent's examples.
 * The ids of examples whose text was added go into `appended`.
 */
async function writePhrasings(
  trx: Db,
  tenantId: string,
  wanted: readonly ExampleRow[],
  stale: readonly ExampleRow[],
  appended: Set<string>,
): Promise<void> {
  const targets = { faq: new Set<string>(), intent: new Set<string>() };
  for (const example of [...wanted, ...stale])
    if ((example.kind === 'faq' || example.kind === 'intent') && example.target)
      targets[example.kind].add(example.target);
  type Slot = {
    kind: 'faq' | 'intent';
    target: string;
    list: readonly string[];
    write: (list: string[]) => Promise<void>;
  };
  const slots: Slot[] = [];
  const packIds = new Set<string>();
  if (targets.faq.size > 0)
    for (const faq of await trx
      .selectFrom('faq_entries')
      .select(['id', 'external_id', 'alternatives'])
      .where('tenant_id', '=', tenantId)
      .where('external_id', 'in', [...targets.faq])
      .execute()) {
      packIds.add(faq.external_id);
      slots.push({
        kind: 'faq',
        target: faq.external_id,
        list: faq.alternatives,
        // content_hash is left alone: re-importing an unchanged pack keeps the learned phrasings.
        write: async (list) =>
          void (await trx
            .updateTable('faq_entries')
            .set({ alternatives: JSON.stringify(list), updated_at: new Date() })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', faq.id)
            .execute()),
      });
    }
  const sheetIds = new Set([...targets.faq].filter((id) => !packIds.has(id)));
  const dirty = new Map<string, unknown[]>();
  if (sheetIds.size > 0) {
    const versions = await uploadedSheetVersions(trx, tenantId);
    const seen = new Set<string>();
    for (const version of versions) {
      const entries = parseJson<Array<Record<string, unknown>> | null>(version.faq_entries);
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        const id = entry.id;
        if (typeof id !== 'string' || typeof entry.question !== 'string' || typeof entry.answer !== 'string') continue;
        if (seen.has(id)) continue;
        seen.add(id);
        if (!sheetIds.has(id)) continue;
        const list = Array.isArray(entry.alternatives)
          ? entry.alternatives.filter((text): text is string => typeof text === 'string')
          : [];
        slots.push({
          kind: 'faq',
          target: id,
          list,
          write: async (next) => {
            entry.alternatives = next;
            dirty.set(version.id, entries);
          },
        });
      }
    }
  }
  if (targets.intent.size > 0)
    for (const intent of await trx
      .selectFrom('intents')
      .select(['id', 'name', 'examples'])
      .where('tenant_id', '=', tenantId)
      .where('name', 'in', [...targets.intent])
      .execute())
      slots.push({
        kind: 'intent',
        target: intent.name,
        list: intent.examples,
        write: async (list) =>
          void (await trx
            .updateTable('intents')
            .set({ examples: JSON.stringify(list), updated_at: new Date() })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', intent.id)
            .execute()),
      });
  for (const slot of slots) {
    const after = phrasingsAfter(slot.list, slot.kind, slot.target, wanted, stale);
    for (const id of after.appended) appended.add(id);
    const same =
      after.phrasings.length === slot.list.length && after.phrasings.every((text, i) => text === slot.list[i]);
    if (!same) await slot.write(after.phrasings);
  }
  // The sheet's entry in its active version: what the runtime reads (a re-upload of a changed
  // sheet starts from the file again; the next activation writes the labels back).
  for (const [versionId, entries] of dirty)
    await trx
      .updateTable('knowledge_document_versions')
      .set({ faq_entries: JSON.stringify(entries) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', versionId)
      .execute();
}

export interface RunView {
  id: string;
  number: number;
  status: RunStatus;
  modelKind: string | null;
  regressionSize: number;
  examples: number;
  activeAccuracy: number | null;
  candidateAccuracy: number | null;
  regresses: boolean;
  forced: boolean;
  error: string | null;
  createdBy: string;
  createdAt: string;
  activatedAt: string | null;
  /** How long the whole retrain took: loading the active version, training and evaluating (null: failed). */
  ms: number | null;
  /** How long training the candidate took (the few-shot matcher, or the classifier in its worker). */
  trainMs: number | null;
  /** Per labelled turn: what it should be and what each version decides (retrain answers only). */
  results?: Array<{
    traceId: string;
    text: string;
    expected: string | null;
    active: string | null;
    candidate: string | null;
  }>;
  orphaned?: number;
}

/** Every column but the artifact (which only activation reads). */
const RUN_COLUMNS = [
  'id',
  'number',
  'status',
  'model_kind',
  'regression_size',
  'examples',
  'active_accuracy',
  'candidate_accuracy',
  'forced',
  'error',
  'details',
  'created_by',
  'created_at',
  'activated_at',
] as const;

type RunRow = {
  id: string;
  number: number;
  status: RunStatus;
  model_kind: string | null;
  regression_size: number;
  examples: number;
  active_accuracy: number | null;
  candidate_accuracy: number | null;
  forced: boolean;
  error: string | null;
  details: unknown;
  created_by: string;
  created_at: Date;
  activated_at: Date | null;
};

function regresses(row: { active_accuracy: number | null; candidate_accuracy: number | null }): boolean {
  return (
    row.active_accuracy !== null &&
    row.candidate_accuracy !== null &&
    row.candidate_accuracy < row.active_accuracy - 1e-9
  );
}

function toRunView(row: RunRow, withResults = false): RunView {
  const details =
    parseJson<{ results?: RunView['results']; orphaned?: string[]; ms?: number; trainMs?: number }>(row.details) ?? {};
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    modelKind: row.model_kind,
    regressionSize: row.regression_size,
    examples: row.examples,
    activeAccuracy: row.active_accuracy,
    candidateAccuracy: row.candidate_accuracy,
    regresses: regresses(row),
    forced: row.forced,
    error: row.error,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    activatedAt: row.activated_at ? new Date(row.activated_at).toISOString() : null,
    ms: details.ms ?? null,
    trainMs: details.trainMs ?? null,
    ...(withResults ? { results: details.results ?? [], orphaned: details.orphaned?.length ?? 0 } : {}),
  };
}

async function insertRun(
  db: Db,
  tenantId: string,
  values: {
    status: RunStatus;
    modelKind: string | null;
    regressionSize: number;
    examples: number;
    activeAccuracy: number | null;
    candidateAccuracy: number | null;
    error: string | null;
    details: Record<string, unknown>;
    artifact?: Uint8Array | null;
    createdBy: string;
  },
): Promise<RunRow> {
  return db.transaction().execute(async (trx) => {
    // One numbering per tenant: the tenant row serialises concurrent retrains.
    await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
    const latest = await trx
      .selectFrom('training_runs')
      .select((eb) => eb.fn.max('number').as('number'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (values.status === 'candidate')
      await trx
        .updateTable('training_runs')
        .set({ status: 'discarded' })
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'candidate')
        .execute();
    return trx
      .insertInto('training_runs')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        number: Number(latest?.number ?? 0) + 1,
        status: values.status,
        model_kind: values.modelKind,
        regression_size: values.regressionSize,
        examples: values.examples,
        active_accuracy: values.activeAccuracy,
        candidate_accuracy: values.candidateAccuracy,
        error: values.error,
        details: JSON.stringify(values.details),
        artifact: values.artifact ?? null,
        created_by: values.createdBy,
        created_at: new Date(),
      })
      .returning(RUN_COLUMNS)
      .executeTakeFirstOrThrow() as Promise<RunRow>;
  });
}

/**
 * Retrains: builds a candidate from the FAQ sheet plus the accepted examples and evaluates it and
 * the active version on the regression set (every labelled turn), without activating anything.
 * A candidate that cannot be built (settings that do not parse, a classifier that fails to
 * train) is recorded as a failed run and refused with CS_TRAINING_FAILED; the active version
 * keeps serving, because nothing it reads was changed.
 */
export async function retrain(db: Db, tenantId: string, mode: UnderstanderMode, createdBy: string): Promise<RunView> {
  // Clicks the tenant's promotion policy accepts become training examples first.
  const promotedClicks = await promotePendingClicks(db, tenantId);
  const { current: examples, stale } = await exampleState(db, tenantId);
  const started = performance.now();
  let active: TenantRuntime;
  let candidate: Awaited<ReturnType<typeof buildCandidate>>;
  let trainMs: number;
  try {
    active = await loadTenantRuntime(db, tenantId, mode);
    const building = performance.now();
    candidate = await buildCandidate(db, tenantId, mode, examples, stale);
    trainMs = Math.round(performance.now() - building);
  } catch (error) {
    const message = isKefuError(error)
      ? error.message
      : `the candidate could not be built: ${(error as Error).message}`;
    const run = await insertRun(db, tenantId, {
      status: 'failed',
      modelKind: null,
      regressionSize: examples.length,
      examples: 0,
      activeAccuracy: null,
      candidateAccuracy: null,
      error: message,
      details: {},
      createdBy,
    });
    throw new KefuError(ErrorCodes.trainingFailed, message, {
      status: 422,
      details: { runId: run.id, number: run.number },
    });
  }
  const results = examples.map((example) => {
    const expected = example.kind === 'faq' || example.kind === 'intent' ? example.target : null;
    return {
      traceId: example.trace_id,
      text: example.text,
      expected,
      active: decide(active, active.understander, example.text),
      candidate: decide(active, candidate.understander, example.text),
    };
  });
  const accuracy = (key: 'active' | 'candidate') =>
    results.length === 0 ? null : results.filter((result) => result[key] === result.expected).length / results.length;
  const run = await insertRun(db, tenantId, {
    status: 'candidate',
    modelKind: candidate.modelKind,
    regressionSize: results.length,
    examples: candidate.used.length,
    activeAccuracy: accuracy('active'),
    candidateAccuracy: accuracy('candidate'),
    error: null,
    details: {
      exampleIds: candidate.used,
      orphaned: candidate.orphaned,
      newFaqIds: candidate.newFaqs,
      promotedClicks,
      results,
      ms: Math.round(performance.now() - started),
      trainMs,
      ...(candidate.classifier
        ? { trainingHash: candidate.classifier.trainingHash, modelSummary: candidate.classifier.summary }
        : {}),
    },
    artifact: candidate.classifier?.artifact ?? null,
    createdBy,
  });
  return toRunView(run, true);
}

/**
 * Activates a candidate: its examples are written into the phrasings loadTenantRuntime trains on
 * (appended to the FAQ entry's alternatives or the intent's examples; labels that were replaced
 * since an earlier activation are taken out again), in one transaction with the run's status.
 * A candidate that scores below the active version is refused (CS_TRAINING_REGRESSION, 409)
 * unless forced; a forced activation is written to the audit log. The caller publishes
 * `tenant.updated` after this returns, which retrains the serving runtime in the background.
 */
export async function activateRun(
  db: Db,
  tenantId: string,
  runId: string,
  options: {
    force: boolean;
    actor: string;
    request?: { sourceIp?: string | null; userAgent?: string | null; requestId?: string | null };
  },
): Promise<RunView> {
  const row = await db.transaction().execute(async (trx) => {
    await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
    const run = (await trx
      .selectFrom('training_runs')
      .select(RUN_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', runId)
      .executeTakeFirst()) as RunRow | undefined;
    if (!run) throw new KefuError(ErrorCodes.notFound, 'training run not found', { status: 404 });
    if (run.status !== 'candidate')
      throw new KefuError(ErrorCodes.trainingRunNotCandidate, `run ${run.number} is ${run.status}, not the candidate`, {
        status: 409,
        details: { runStatus: run.status },
      });
    const regression = regresses(run);
    if (regression && !options.force)
      throw new KefuError(
        ErrorCodes.trainingRegression,
        'the candidate scores below the active version on the regression set; activate with force to override',
        { status: 409, details: { activeAccuracy: run.active_accuracy, candidateAccuracy: run.candidate_accuracy } },
      );
    const details =
      parseJson<{
        exampleIds?: string[];
        newFaqIds?: string[];
        trainingHash?: string;
        modelSummary?: Record<string, unknown>;
      }>(run.details) ?? {};
    const exampleIds = details.exampleIds ?? [];
    // Examples of this run that are still the current label of their turn.
    const wanted: ExampleRow[] =
      exampleIds.length === 0
        ? []
        : await trx
            .selectFrom('training_examples')
            .select(['id', 'trace_id', 'kind', 'target', 'text'])
            .where('tenant_id', '=', tenantId)
            .where('id', 'in', exampleIds)
            .where('superseded_at', 'is', null)
            .orderBy('created_at')
            .orderBy('id')
            .execute();
    // Earlier activations' examples whose label has since been replaced.
    const stale: ExampleRow[] = await trx
      .selectFrom('training_examples')
      .select(['id', 'trace_id', 'kind', 'target', 'text'])
      .where('tenant_id', '=', tenantId)
      .where('superseded_at', 'is not', null)
      .where('applied_run_id', 'is not', null)
      .execute();
    const appended = new Set<string>();
    await acceptNewFaqs(trx as unknown as Db, tenantId, run.id, details.newFaqIds ?? []);
    await writePhrasings(trx as unknown as Db, tenantId, wanted, stale, appended);
    if (stale.length > 0)
      await trx
        .updateTable('training_examples')
        .set({ applied_run_id: null })
        .where('tenant_id', '=', tenantId)
        .where(
          'id',
          'in',
          stale.map((example) => example.id),
        )
        .execute();
    // Only the examples whose text was added: a text the sheet already had is never taken out.
    if (appended.size > 0)
      await trx
        .updateTable('training_examples')
        .set({ applied_run_id: run.id })
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', [...appended])
        .execute();
    // A classifier candidate becomes the tenant's active intent model as evaluated: when the
    // refresh computes the same training set it loads this model instead of training again (a
    // different set, e.g. the sheet changed meanwhile, is trained as usual).
    if (run.model_kind === 'classifier' && details.trainingHash) {
      const stored = await trx
        .selectFrom('training_runs')
        .select('artifact')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', run.id)
        .executeTakeFirst();
      if (stored?.artifact) {
        const latest = await trx
          .selectFrom('model_versions')
          .select((eb) => eb.fn.max('version').as('version'))
          .where('tenant_id', '=', tenantId)
          .where('kind', '=', 'intent')
          .executeTakeFirst();
        await trx
          .updateTable('model_versions')
          .set({ active: false })
          .where('tenant_id', '=', tenantId)
          .where('kind', '=', 'intent')
          .where('active', '=', true)
          .execute();
        await trx
          .insertInto('model_versions')
          .values({
            id: randomUUID(),
            tenant_id: tenantId,
            kind: 'intent',
            version: Number(latest?.version ?? 0) + 1,
            artifact: stored.artifact,
            summary: JSON.stringify({ ...(details.modelSummary ?? {}), trainingHash: details.trainingHash }),
            active: true,
          })
          .execute();
      }
    }
    await trx
      .updateTable('training_runs')
      .set({ status: 'superseded' })
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .execute();
    const forced = regression && options.force;
    const updated = (await trx
      .updateTable('training_runs')
      .set({ status: 'active', activated_at: new Date(), forced })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', run.id)
      .returning(RUN_COLUMNS)
      .executeTakeFirstOrThrow()) as RunRow;
    await recordAudit(trx as unknown as Db, {
      tenantId,
      actor: options.actor,
      action: forced ? 'training.activate_forced' : 'training.activate',
      target: run.id,
      details: {
        number: run.number,
        activeAccuracy: run.active_accuracy,
        candidateAccuracy: run.candidate_accuracy,
        examples: wanted.length,
        added: appended.size,
        forced,
      },
      sourceIp: options.request?.sourceIp ?? null,
      userAgent: options.request?.userAgent ?? null,
      requestId: options.request?.requestId ?? null,
    });
    return updated;
  });
  return toRunView(row);
}

/** One point per evaluation run, oldest first (failed runs included, with no accuracy). */
export async function accuracyHistory(db: Db, tenantId: string, limit = 500): Promise<RunView[]> {
  const rows = (await db
    .selectFrom('training_runs')
    .select(RUN_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .orderBy('number', 'desc')
    .limit(Math.max(1, Math.min(limit, 5000)))
    .execute()) as RunRow[];
  return rows.reverse().map((row) => toRunView(row));
}

export async function getRun(db: Db, tenantId: string, runId: string): Promise<RunView> {
  const row = (await db
    .selectFrom('training_runs')
    .select(RUN_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', runId)
    .executeTakeFirst()) as RunRow | undefined;
  if (!row) throw new KefuError(ErrorCodes.notFound, 'training run not found', { status: 404 });
  return toRunView(row, true);
}

type ExportRow = {
  id: string;
  trace_id: string;
  conversation_id: string;
  version: number;
  text: string;
  kind: LabelKind;
  target: string | null;
  labelled_by: string;
  source: ExampleSource;
  superseded_at: Date | null;
  created_at: Date;
};

/**
 * The labelled examples as JSONL lines, read in pages by (created_at, id) so a tenant with many
 * labels streams with flat memory. `mask` hides personal data in the customer's text.
 */
export async function* exportExamples(
  db: Db,
  tenantId: string,
  options: { all?: boolean; mask?: (text: string) => string; pageSize?: number } = {},
): AsyncGenerator<string> {
  const pageSize = options.pageSize ?? 500;
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const cursor: { createdAt: Date; id: string } | null = after;
    const rows: ExportRow[] = await db
      .selectFrom('training_examples')
      .select([
        'id',
        'trace_id',
        'conversation_id',
        'version',
        'text',
        'kind',
        'target',
        'labelled_by',
        'source',
        'superseded_at',
        'created_at',
      ])
      .where('tenant_id', '=', tenantId)
      .$if(!options.all, (query) => query.where('superseded_at', 'is', null))
      .$if(cursor !== null, (query) =>
        query.where((eb) =>
          eb.or([
            eb('created_at', '>', cursor!.createdAt),
            eb.and([eb('created_at', '=', cursor!.createdAt), eb('id', '>', cursor!.id)]),
          ]),
        ),
      )
      .orderBy('created_at')
      .orderBy('id')
      .limit(pageSize)
      .execute();
    for (const row of rows) {
      const text = options.mask ? options.mask(row.text) : row.text;
      yield `${JSON.stringify({
        text,
        label: row.kind === 'faq' || row.kind === 'intent' ? row.target : row.kind,
        kind: row.kind,
        target: row.target,
        version: row.version,
        current: row.superseded_at === null,
        traceId: row.trace_id,
        conversationId: row.conversation_id,
        labelledBy: row.labelled_by,
        source: row.source,
        createdAt: new Date(row.created_at).toISOString(),
      })}\n`;
    }
    if (rows.length < pageSize) return;
    const last: ExportRow = rows[rows.length - 1]!;
    after = { createdAt: new Date(last.created_at), id: last.id };
  }
}

/** The agent scope that opens the trainer's console. */
export const TRAINER_SCOPE = 'trainer';

/** Grants or withdraws the `trainer` scope; false when the agent does not exist in the tenant. */
export async function setAgentTrainer(db: Db, tenantId: string, agentId: string, allowed: boolean): Promise<boolean> {
  const result = allowed
    ? await sql`
        update agents set scopes = case when scopes @> ${JSON.stringify([TRAINER_SCOPE])}::jsonb then scopes
          else scopes || ${JSON.stringify([TRAINER_SCOPE])}::jsonb end
        where tenant_id = ${tenantId} and id = ${agentId}`.execute(db)
    : await sql`
        update agents set scopes = scopes - ${TRAINER_SCOPE}
        where tenant_id = ${tenantId} and id = ${agentId}`.execute(db);
  return (result.numAffectedRows ?? 0n) > 0n;
}

export async function agentIsTrainer(db: Db, tenantId: string, agentId: string): Promise<boolean> {
  const result = await sql<{ scopes: unknown }>`
    select scopes from agents where tenant_id = ${tenantId} and id = ${agentId}`.execute(db);
  if (result.rows.length === 0) return false;
  const scopes = parseJson<unknown>(result.rows[0]!.scopes);
  return Array.isArray(scopes) && scopes.includes(TRAINER_SCOPE);
}

import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  loadTenantRuntime,
  syncedFaqRows,
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
import { clusterTexts } from './phrasing-clusters.js';
import { orderReviewQueue, turnUncertainty } from './review-queue.js';
import type { LabelKind, RunStatus } from './training-tables.js';

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

export async function trainerCatalogue(db: Db, tenantId: string): Promise<CatalogueEntry[]> {
  const faqs = await db
    .selectFrom('faq_entries')
    .select(['external_id', 'question'])
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .execute();
  const intents = await db
    .selectFrom('intents')
    .select(['name', 'description'])
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .execute();
  return [
    ...faqs.map((row) => ({ kind: 'faq' as const, id: row.external_id, name: row.question })),
    ...intents.map((row) => ({ kind: 'intent' as const, id: row.name, name: row.description ?? row.name })),
  ];
}

type TraceJson = { gate?: number; handover?: { rule?: string } | null; understanding?: { outOfScope?: boolean } };

function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** The current (not superseded) label of each of these turns. */
async function currentLabels(db: Db, tenantId: string, traceIds?: readonly string[]) {
  if (traceIds && traceIds.length === 0) return new Map<string, CurrentLabel & { text: string }>();
  const rows = await db
    .selectFrom('training_examples')
    .select(['trace_id', 'version', 'kind', 'target', 'labelled_by', 'created_at', 'text'])
    .where('tenant_id', '=', tenantId)
    .where('superseded_at', 'is', null)
    .$if(traceIds !== undefined, (query) => query.where('trace_id', 'in', traceIds!))
    .execute();
  return new Map(
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
      },
    ]),
  );
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
  const rows = await db
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
  const catalogue = new Map((await trainerCatalogue(db, tenantId)).map((entry) => [entry.id, entry.name]));

  const candidates = rows.flatMap((row) => {
    const trace = parseJson<TraceJson>(row.trace) ?? {};
    const gate = typeof trace.gate === 'number' ? trace.gate : 0.5;
    const reasons: ReviewReason[] = [];
    if (thumbsDown.has(row.id)) reasons.push('thumbs_down');
    if (picked.has(row.id)) reasons.push('suggestion_picked');
    if (row.route === 'human') reasons.push('handed_over');
    if (row.tier === 'fallback') reasons.push('fallback');
    if (row.confidence < gate && row.tier !== 'fallback') reasons.push('low_confidence');
    if (reasons.length === 0) return [];
    const label = labels.get(row.id) ?? null;
    if (label && !options.includeLabelled) return [];
    const answered = row.route === 'auto' && row.tier !== 'fallback';
    return [
      {
        row,
        reasons,
        trace,
        label,
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
  if (candidates.length > 1) {
    const clusters = clusterTexts(candidates.map((candidate) => normalizeText(candidate.row.text).text));
    candidates.forEach((candidate, index) => (candidate.cluster = clusters.labels[index]!));
  }
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
          ? (({ text: _text, ...label }) => ({
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

function labelConflict(current: { version: number; kind: string; target: string | null } | undefined): KefuError {
  return new KefuError(
    ErrorCodes.trainingLabelConflict,
    'another trainer labelled this turn since you loaded it; reload the queue and label it again',
    {
      status: 409,
      details: current
        ? { currentVersion: current.version, kind: current.kind, target: current.target }
        : { currentVersion: null },
    },
  );
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || /duplicate key|unique constraint/i.test((error as Error)?.message ?? '');
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
  const needsTarget = input.kind === 'faq' || input.kind === 'intent';
  const target = needsTarget ? (input.target ?? '').trim() : null;
  if (needsTarget && !target)
    throw new KefuError(ErrorCodes.validation, `a ${input.kind} label needs a target`, { status: 400 });
  const turn = await db
    .selectFrom('turn_traces as t')
    .innerJoin('messages as m', (join) =>
      join.onRef('m.id', '=', 't.inbound_message_id').onRef('m.tenant_id', '=', 't.tenant_id'),
    )
    .select(['t.id', 't.conversation_id', 'm.text'])
    .where('t.tenant_id', '=', tenantId)
    .where('t.id', '=', traceId)
    .executeTakeFirst();
  if (!turn) throw new KefuError(ErrorCodes.traceNotFound, 'turn not found', { status: 404 });
  let targetName: string | null = null;
  if (input.kind === 'faq') {
    const faq = await db
      .selectFrom('faq_entries')
      .select('question')
      .where('tenant_id', '=', tenantId)
      .where('external_id', '=', target!)
      .executeTakeFirst();
    if (!faq)
      throw new KefuError(ErrorCodes.trainingTargetNotFound, `FAQ entry "${target}" not found`, { status: 404 });
    targetName = faq.question;
  } else if (input.kind === 'intent') {
    const intent = await db
      .selectFrom('intents')
      .select(['name', 'description'])
      .where('tenant_id', '=', tenantId)
      .where('name', '=', target!)
      .executeTakeFirst();
    if (!intent)
      throw new KefuError(ErrorCodes.trainingTargetNotFound, `intent "${target}" not found`, { status: 404 });
    targetName = intent.description ?? intent.name;
  }
  const id = randomUUID();
  const version = input.expectedVersion + 1;
  try {
    const createdAt = await db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('training_examples')
        .select(['id', 'version', 'kind', 'target'])
        .where('tenant_id', '=', tenantId)
        .where('trace_id', '=', traceId)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      if ((current?.version ?? 0) !== input.expectedVersion) throw labelConflict(current);
      const now = new Date();
      if (current)
        await trx
          .updateTable('training_examples')
          .set({ superseded_at: now })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', current.id)
          .execute();
      await trx
        .insertInto('training_examples')
        .values({
          id,
          tenant_id: tenantId,
          conversation_id: turn.conversation_id,
          trace_id: traceId,
          version,
          text: turn.text,
          kind: input.kind,
          target,
          labelled_by: labelledBy,
          created_at: now,
        })
        .execute();
      return now;
    });
    return {
      id,
      traceId,
      conversationId: turn.conversation_id,
      text: turn.text,
      version,
      kind: input.kind,
      target,
      targetName,
      labelledBy,
      createdAt: createdAt.toISOString(),
    };
  } catch (error) {
    if (isKefuError(error)) throw error;
    if (isUniqueViolation(error)) {
      const current = await db
        .selectFrom('training_examples')
        .select(['version', 'kind', 'target'])
        .where('tenant_id', '=', tenantId)
        .where('trace_id', '=', traceId)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      throw labelConflict(current);
    }
    throw error;
  }
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
    ...(await syncedFaqRows(db, tenantId, new Set(packRows.map((row) => row.external_id)))),
  ];
  const packIds = new Set(packRows.map((row) => row.external_id));
  const intentRows = (
    await db
      .selectFrom('intents')
      .select(['name', 'examples'])
      .where('tenant_id', '=', tenantId)
      .orderBy('position')
      .execute()
  ).map((row) => ({ name: row.name, examples: [...row.examples] }));
  const used: string[] = [];
  const orphaned: string[] = [];
  for (const example of examples) {
    const known =
      (example.kind === 'faq' && example.target !== null && packIds.has(example.target)) ||
      (example.kind === 'intent' && intentRows.some((row) => row.name === example.target));
    if (known) used.push(example.id);
    else if (example.kind === 'faq' || example.kind === 'intent') orphaned.push(example.id);
  }
  const wanted = examples.filter((example) => used.includes(example.id));
  for (const row of faqRows)
    if (packIds.has(row.external_id))
      row.alternatives = phrasingsAfter(row.alternatives, 'faq', row.external_id, wanted, stale).phrasings;
  for (const row of intentRows)
    row.examples = phrasingsAfter(row.examples, 'intent', row.name, wanted, stale).phrasings;
  const phrasings: LabelledPhrasing[] = [];
  for (const row of faqRows)
    for (const text of [row.question, ...row.alternatives])
      phrasings.push({ text: normalizeText(text).text, label: row.external_id });
  for (const row of intentRows)
    for (const text of row.examples) phrasings.push({ text: normalizeText(text).text, label: row.name });
  const labels = new Set(phrasings.map((phrasing) => phrasing.label));
  if (mode === 'lexical' || labels.size < 2)
    return { understander: createLexicalUnderstander(phrasings), modelKind: 'lexical', used, orphaned };
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
    return { understander: createFewShotUnderstander(matcher), modelKind: 'fewshot', used, orphaned };
  }
  const artifact = await trainIntentClassifierInWorker(phrasings, { userDictionary: settings.dictionary });
  const classifier = loadIntentClassifier(artifact);
  return {
    understander: createClassifierUnderstander(classifier, 0),
    modelKind: 'classifier',
    used,
    orphaned,
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
      parseJson<{ exampleIds?: string[]; trainingHash?: string; modelSummary?: Record<string, unknown> }>(
        run.details,
      ) ?? {};
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
    const faqIds = new Set<string>();
    const intentNames = new Set<string>();
    for (const example of [...wanted, ...stale]) {
      if (example.kind === 'faq' && example.target) faqIds.add(example.target);
      if (example.kind === 'intent' && example.target) intentNames.add(example.target);
    }
    const appended = new Set<string>();
    const faqRows =
      faqIds.size === 0
        ? []
        : await trx
            .selectFrom('faq_entries')
            .select(['id', 'external_id', 'alternatives'])
            .where('tenant_id', '=', tenantId)
            .where('external_id', 'in', [...faqIds])
            .execute();
    for (const faq of faqRows) {
      const after = phrasingsAfter(faq.alternatives, 'faq', faq.external_id, wanted, stale);
      for (const id of after.appended) appended.add(id);
      // content_hash is left alone: re-importing an unchanged pack keeps the learned phrasings.
      await trx
        .updateTable('faq_entries')
        .set({ alternatives: JSON.stringify(after.phrasings), updated_at: new Date() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', faq.id)
        .execute();
    }
    const intentRows =
      intentNames.size === 0
        ? []
        : await trx
            .selectFrom('intents')
            .select(['id', 'name', 'examples'])
            .where('tenant_id', '=', tenantId)
            .where('name', 'in', [...intentNames])
            .execute();
    for (const intent of intentRows) {
      const after = phrasingsAfter(intent.examples, 'intent', intent.name, wanted, stale);
      for (const id of after.appended) appended.add(id);
      await trx
        .updateTable('intents')
        .set({ examples: JSON.stringify(after.phrasings), updated_at: new Date() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', intent.id)
        .execute();
    }
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

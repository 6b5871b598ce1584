import { sql } from 'kysely';
import { consistencyByDay } from '../guard/style/style-checks.js';
import { centroids } from '../learning/cluster.js';
import { clusterTexts } from '../learning/phrasing-clusters.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';
import { normalizeText } from '../text/index.js';

/**
 * Analytics for the console (docs/learning.md, "Analytics"): per-day trends in the tenant's time
 * zone, phrasing clusters of the messages kefu did not answer, and the number of distinct
 * phrasings seen per FAQ entry or intent. Every query is scoped to one tenant.
 *
 * Conversations are counted on the day they started (a cohort): a conversation's hand-over, its
 * outcome and its cost all belong to that day, so the rates of one day add up.
 */

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The longest range one request may ask for. */
export const MAX_ANALYTICS_DAYS = 366;
/** Most recent unanswered messages a cluster run looks at (the trainer's review window is as large). */
export const CLUSTER_WINDOW = 2000;

export interface AnalyticsRange {
  timezone: string;
  /** First day, YYYY-MM-DD, in the tenant's time zone. */
  from: string;
  /** Last day, included. */
  to: string;
  /** Midnight starting `from`, as an instant. */
  start: Date;
  /** Midnight after `to`, as an instant. */
  end: Date;
}

/** The calendar day `date` is on in `timezone`. */
export function dayIn(date: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}

/** Midnight of a calendar day in a time zone, as an instant. */
export function startOfDay(day: string, timezone: string): Date {
  const utc = new Date(`${day}T00:00:00Z`);
  const offsetAt = (instant: Date) => {
    const shown = new Date(instant.toLocaleString('en-US', { timeZone: timezone }));
    return shown.getTime() - new Date(instant.toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
  };
  // Twice: the offset at midnight local time can differ from the one at midnight UTC (DST).
  const first = new Date(utc.getTime() - offsetAt(utc));
  return new Date(utc.getTime() - offsetAt(first));
}

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function isRealDay(day: string): boolean {
  if (!DAY.test(day)) return false;
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

/** Every day from `from` to `to`, included. */
export function daysOf(range: Pick<AnalyticsRange, 'from' | 'to'>): string[] {
  const days: string[] = [];
  for (let day = range.from; day <= range.to; day = addDays(day, 1)) days.push(day);
  return days;
}

/**
 * The range a request asks for: `from`/`to` (YYYY-MM-DD, the tenant's days), by default the last
 * 30 days up to today. A range that is reversed, longer than a year or not made of real dates is
 * refused with 400 CS_VALIDATION_FAILED.
 */
export function analyticsRange(
  query: { from?: string; to?: string },
  timezone: string,
  now: Date = new Date(),
): AnalyticsRange {
  const to = query.to ?? dayIn(now, timezone);
  const from = query.from ?? addDays(to, -29);
  const invalid = (message: string) => new KefuError(ErrorCodes.validation, message, { status: 400 });
  if (!isRealDay(from) || !isRealDay(to)) throw invalid('from and to must be real dates, YYYY-MM-DD');
  const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
  if (span < 0 || span >= MAX_ANALYTICS_DAYS)
    throw invalid(`from must be a day on or before to, at most ${MAX_ANALYTICS_DAYS} days apart`);
  return { timezone, from, to, start: startOfDay(from, timezone), end: startOfDay(addDays(to, 1), timezone) };
}

/** FAQ entries by id (their question) and intents by name (their description, else the name). */
export async function catalogueNames(
  db: Db,
  tenantId: string,
): Promise<Map<string, { kind: 'faq' | 'intent'; name: string }>> {
  const [faqs, intents] = await Promise.all([
    db
      .selectFrom('faq_entries')
      .select(['external_id', 'question'])
      .where('tenant_id', '=', tenantId)
      .orderBy('position')
      .execute(),
    db
      .selectFrom('intents')
      .select(['name', 'description'])
      .where('tenant_id', '=', tenantId)
      .orderBy('position')
      .execute(),
  ]);
  const names = new Map<string, { kind: 'faq' | 'intent'; name: string }>();
  for (const row of intents) names.set(row.name, { kind: 'intent', name: row.description?.trim() || row.name });
  // An FAQ entry's question wins over an intent of the same id (the classifier's labels are FAQ ids).
  for (const row of faqs) names.set(row.external_id, { kind: 'faq', name: row.question });
  return names;
}

// ---------------------------------------------------------------------------------------------
// Trends

export interface TrendIntent {
  id: string;
  /** The FAQ question or the intent's description; the id itself only for an entry since deleted. */
  name: string;
  turns: number;
}

export interface TrendDay {
  day: string;
  /** Conversations that started this day and had at least one turn or hand-over. */
  conversations: number;
  /** Customer messages kefu took a turn on this day. */
  turns: number;
  /** Turns per top intent (ids of `intents`). */
  volume: Record<string, number>;
  /** Turns recognised as an intent outside the top ones. */
  otherVolume: number;
  /** Turns no intent was recognised for (out of scope, fallback). */
  unrecognisedVolume: number;
  /** Conversations resolved by the bot: never handed over, and answered or marked resolved. */
  contained: number;
  containment: number | null;
  handedOver: number;
  handoverRate: number | null;
  /** Contained conversations plus those a person resolved. */
  resolutions: number;
  csatAverage: number | null;
  csatRatings: number;
  /** Cost of the day's conversations (the cost ledger on their turns), yuan. */
  costYuan: number;
  costPerResolution: number | null;
  /** Share of outgoing messages that passed the style guide unchanged; null without checks that day. */
  styleConsistency: number | null;
  styleMessages: number;
}

export interface Trends {
  timezone: string;
  from: string;
  to: string;
  intents: TrendIntent[];
  days: TrendDay[];
  totals: Omit<TrendDay, 'day' | 'volume' | 'otherVolume' | 'unrecognisedVolume' | 'styleMessages'> & {
    styleMessages: number;
  };
}

/** Outcomes that say the bot did the work / that it did not. */
const BOT_OUTCOMES = new Set(['resolved_by_bot', 'converted']);
const FAILED_OUTCOMES = new Set(['abandoned', 'reopened', 'resolved_by_agent']);

const ratio = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);
const money = (yuan: number) => Math.round(yuan * 1_000_000) / 1_000_000;

/**
 * Trends per day. A conversation is contained when it was never handed over and either its
 * latest outcome signal says the bot resolved it (or it converted), or it has no outcome signal
 * and its last turn was answered (route auto, not a fallback). A handed-over conversation is a
 * resolution when a person closed its hand-off, unless its outcome says abandoned or reopened.
 */
export async function analyticsTrends(
  db: Db,
  tenantId: string,
  range: AnalyticsRange,
  options: { top?: number } = {},
): Promise<Trends> {
  const tz = range.timezone;
  const dayOf = (column: string) => sql<string>`to_char(${sql.ref(column)} at time zone ${tz}, 'YYYY-MM-DD')`;

  const conversationRows = await db
    .selectFrom('conversations as c')
    .select((eb) => [
      dayOf('c.created_at').as('day'),
      eb
        .selectFrom('turn_traces as t')
        .select(sql<string>`count(*)`.as('n'))
        .whereRef('t.tenant_id', '=', 'c.tenant_id')
        .whereRef('t.conversation_id', '=', 'c.id')
        .as('turns'),
      eb
        .selectFrom('turn_traces as t')
        .select(sql<string>`coalesce(sum(t.cost_micros), 0)`.as('cost'))
        .whereRef('t.tenant_id', '=', 'c.tenant_id')
        .whereRef('t.conversation_id', '=', 'c.id')
        .as('cost_micros'),
      eb
        .selectFrom('turn_traces as t')
        .select(sql<string>`t.route || ':' || t.tier`.as('last'))
        .whereRef('t.tenant_id', '=', 'c.tenant_id')
        .whereRef('t.conversation_id', '=', 'c.id')
        .orderBy('t.created_at', 'desc')
        .orderBy('t.id', 'desc')
        .limit(1)
        .as('last_turn'),
      eb
        .selectFrom('handoffs as h')
        .select(sql<string>`count(*)`.as('n'))
        .whereRef('h.tenant_id', '=', 'c.tenant_id')
        .whereRef('h.conversation_id', '=', 'c.id')
        .as('handoffs'),
      eb
        .selectFrom('handoffs as h')
        .select(sql<string>`count(*)`.as('n'))
        .whereRef('h.tenant_id', '=', 'c.tenant_id')
        .whereRef('h.conversation_id', '=', 'c.id')
        .where('h.status', '=', 'closed')
        .as('closed_handoffs'),
      eb
        .selectFrom('learning_signals as s')
        .select('s.value')
        .whereRef('s.tenant_id', '=', 'c.tenant_id')
        .whereRef('s.conversation_id', '=', 'c.id')
        .where('s.kind', '=', 'outcome')
        .orderBy('s.created_at', 'desc')
        .orderBy('s.id', 'desc')
        .limit(1)
        .as('outcome'),
    ])
    .where('c.tenant_id', '=', tenantId)
    .where('c.created_at', '>=', range.start)
    .where('c.created_at', '<', range.end)
    .execute();

  const volumeRows = await db
    .selectFrom('turn_traces')
    .select([
      dayOf('created_at').as('day'),
      sql<string | null>`case when tier = 'fallback' then null else intent end`.as('intent'),
      sql<string>`count(*)`.as('turns'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('created_at', '>=', range.start)
    .where('created_at', '<', range.end)
    // By position: the day expression's time-zone parameter would not match a second copy of it.
    .groupBy([sql`1`, sql`2`])
    .execute();

  const csatRows = await db
    .selectFrom('handoff_events')
    .select([
      dayOf('created_at').as('day'),
      sql<string>`count(*)`.as('ratings'),
      sql<string>`coalesce(sum((details->>'score')::numeric), 0)`.as('total'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'csat')
    .where('created_at', '>=', range.start)
    .where('created_at', '<', range.end)
    .groupBy(sql`1`)
    .execute();

  const style = await consistencyByDay(db, tenantId, { from: range.start, to: range.end, timezone: tz });
  const names = await catalogueNames(db, tenantId);

  const days = new Map<string, TrendDay>(
    daysOf(range).map((day) => [
      day,
      {
        day,
        conversations: 0,
        turns: 0,
        volume: {},
        otherVolume: 0,
        unrecognisedVolume: 0,
        contained: 0,
        containment: null,
        handedOver: 0,
        handoverRate: null,
        resolutions: 0,
        csatAverage: null,
        csatRatings: 0,
        costYuan: 0,
        costPerResolution: null,
        styleConsistency: null,
        styleMessages: 0,
      },
    ]),
  );
  const costMicros = new Map<string, number>();
  for (const row of conversationRows) {
    const day = days.get(row.day);
    if (!day) continue;
    const turns = Number(row.turns ?? 0);
    const handedOver = Number(row.handoffs ?? 0) > 0;
    if (turns === 0 && !handedOver) continue;
    day.conversations += 1;
    const outcome = row.outcome ?? null;
    const [route, tier] = (row.last_turn ?? ':').split(':');
    const answered = route === 'auto' && tier !== 'fallback';
    const contained =
      !handedOver && (outcome ? BOT_OUTCOMES.has(outcome) : answered) && !(outcome && FAILED_OUTCOMES.has(outcome));
    if (contained) day.contained += 1;
    if (handedOver) {
      day.handedOver += 1;
      const closedByPerson = Number(row.closed_handoffs ?? 0) > 0 || outcome === 'resolved_by_agent';
      if (closedByPerson && outcome !== 'abandoned' && outcome !== 'reopened') day.resolutions += 1;
    }
    if (contained) day.resolutions += 1;
    costMicros.set(row.day, (costMicros.get(row.day) ?? 0) + Number(row.cost_micros ?? 0));
  }

  // The top intents over the whole range, by volume.
  const perIntent = new Map<string, number>();
  for (const row of volumeRows)
    if (row.intent !== null) perIntent.set(row.intent, (perIntent.get(row.intent) ?? 0) + Number(row.turns));
  const top = Math.max(1, Math.min(options.top ?? 8, 50));
  const intents = [...perIntent.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, top)
    .map(([id, turns]) => ({ id, name: names.get(id)?.name ?? id, turns }));
  const topIds = new Set(intents.map((intent) => intent.id));
  for (const row of volumeRows) {
    const day = days.get(row.day);
    if (!day) continue;
    const turns = Number(row.turns);
    day.turns += turns;
    if (row.intent === null) day.unrecognisedVolume += turns;
    else if (topIds.has(row.intent)) day.volume[row.intent] = (day.volume[row.intent] ?? 0) + turns;
    else day.otherVolume += turns;
  }
  const csatTotals = new Map<string, number>();
  for (const row of csatRows) {
    const day = days.get(row.day);
    if (!day) continue;
    day.csatRatings = Number(row.ratings);
    csatTotals.set(row.day, Number(row.total));
    day.csatAverage = day.csatRatings === 0 ? null : Math.round((Number(row.total) / day.csatRatings) * 100) / 100;
  }
  for (const entry of style) {
    const day = days.get(entry.day);
    if (!day) continue;
    day.styleMessages = entry.messages;
    day.styleConsistency = ratio(entry.passed, entry.messages);
  }
  for (const day of days.values()) {
    day.costYuan = money((costMicros.get(day.day) ?? 0) / 1_000_000);
    day.containment = ratio(day.contained, day.conversations);
    day.handoverRate = ratio(day.handedOver, day.conversations);
    day.costPerResolution = day.resolutions === 0 ? null : money(day.costYuan / day.resolutions);
  }

  const list = [...days.values()];
  const sum = (pick: (day: TrendDay) => number) => list.reduce((total, day) => total + pick(day), 0);
  const conversations = sum((day) => day.conversations);
  const contained = sum((day) => day.contained);
  const handedOver = sum((day) => day.handedOver);
  const resolutions = sum((day) => day.resolutions);
  const csatRatings = sum((day) => day.csatRatings);
  const csatTotal = [...csatTotals.values()].reduce((total, value) => total + value, 0);
  const costYuan = money(sum((day) => day.costYuan));
  const styleMessages = style.reduce((total, entry) => total + entry.messages, 0);
  const stylePassed = style.reduce((total, entry) => total + entry.passed, 0);
  return {
    timezone: tz,
    from: range.from,
    to: range.to,
    intents,
    days: list,
    totals: {
      conversations,
      turns: sum((day) => day.turns),
      contained,
      containment: ratio(contained, conversations),
      handedOver,
      handoverRate: ratio(handedOver, conversations),
      resolutions,
      csatAverage: csatRatings === 0 ? null : Math.round((csatTotal / csatRatings) * 100) / 100,
      csatRatings,
      costYuan,
      costPerResolution: resolutions === 0 ? null : money(costYuan / resolutions),
      styleConsistency: ratio(stylePassed, styleMessages),
      styleMessages,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Phrasing clusters

export type GapReason = 'unanswered' | 'fallback' | 'handed_over';

export interface Phrasing {
  text: string;
  /** How many messages said it (the same after normalisation: width, script, case, spaces). */
  count: number;
}

export interface PhrasingCluster {
  /** Position in this answer (largest cluster first); not stable across requests. */
  index: number;
  /** Messages in the cluster. */
  size: number;
  /** Distinct phrasings in the cluster. */
  phrasings: number;
  /** Share of all the unanswered messages in the range. */
  share: number;
  /** The most central phrasing, cleaned into a question. */
  proposedQuestion: string;
  /** Up to five phrasings, most central first. */
  representatives: Phrasing[];
  reasons: Record<GapReason, number>;
  /** Some of its turns, for the trainer (trace ids, newest first). */
  traceIds: string[];
  lastSeen: string;
}

export interface PhrasingClusters {
  timezone: string;
  from: string;
  to: string;
  /** Unanswered, fallback and handed-over customer messages looked at. */
  messages: number;
  /** Messages first in a group too small to be a cluster, joined to their nearest one. */
  noise: number;
  clusters: PhrasingCluster[];
}

const GREETING =
  /^(?:(?:你好|您好|hello|hi|hey|在吗|在嗎|请问|請問|麻烦问一下|麻煩問一下|打扰一下|打擾一下|excuse me|please)[\s,，.。!！~～、:：]*)+/i;

/**
 * A customer's phrasing made into an FAQ question: greetings and fillers at the start removed,
 * spaces and repeated punctuation collapsed, ending in a question mark of the text's own script.
 */
export function proposeQuestion(text: string): string {
  let question = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/([?？!！。.,，~～])\1+/g, '$1');
  const stripped = question.replace(GREETING, '').trim();
  if (stripped.length >= 2) question = stripped;
  question = question.replace(/[\s?？!！。.,，~～、:：;；]+$/u, '');
  if (question.length > 80) question = `${question.slice(0, 79)}…`;
  if (!question) return text.trim().slice(0, 80);
  const han = /\p{Script=Han}/u.test(question);
  return han ? `${question}？` : `${question.charAt(0).toUpperCase()}${question.slice(1)}?`;
}

/**
 * Clusters the customer messages kefu did not answer in the range (a fallback, a hand-over, or a
 * turn it only drafted or suggested for): the most recent {@link CLUSTER_WINDOW} of them, by the
 * same automatic clustering as the trainer's queue (src/learning/phrasing-clusters.ts: the number
 * of clusters is found, and groups too small to stand alone are noise joined to their nearest
 * cluster). Largest cluster first. `mask` hides personal data in what is shown.
 */
export async function analyticsClusters(
  db: Db,
  tenantId: string,
  range: AnalyticsRange,
  options: { mask?: (text: string) => string; limit?: number } = {},
): Promise<PhrasingClusters> {
  const rows = await db
    .selectFrom('turn_traces as t')
    .innerJoin('messages as m', (join) =>
      join.onRef('m.id', '=', 't.inbound_message_id').onRef('m.tenant_id', '=', 't.tenant_id'),
    )
    .select(['t.id', 't.route', 't.tier', 't.created_at', 'm.text'])
    .where('t.tenant_id', '=', tenantId)
    .where('t.created_at', '>=', range.start)
    .where('t.created_at', '<', range.end)
    .where((eb) => eb.or([eb('t.route', '!=', 'auto'), eb('t.tier', '=', 'fallback')]))
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id')
    .limit(CLUSTER_WINDOW)
    .execute();
  const mask = options.mask ?? ((text: string) => text);
  const items = rows
    .map((row) => ({ ...row, normalized: normalizeText(row.text).text }))
    .filter((row) => row.normalized.length > 0);
  const base = { timezone: range.timezone, from: range.from, to: range.to, messages: items.length };
  if (items.length === 0) return { ...base, noise: 0, clusters: [] };
  const result =
    items.length === 1
      ? null
      : clusterTexts(
          items.map((item) => item.normalized),
          { minClusterSize: 2 },
        );
  const labels = result ? result.labels : new Int32Array(1);
  const k = result ? result.clusters : 1;
  const centres = result ? centroids(result.embedding, labels, k) : null;
  const similarity = (i: number) => {
    if (!result || !centres) return 1;
    const { data, dims } = result.embedding;
    const c = labels[i]!;
    let dot = 0;
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      dot += data[i * dims + d]! * centres[c * dims + d]!;
      norm += data[i * dims + d]! ** 2;
    }
    return norm === 0 ? 0 : dot / Math.sqrt(norm);
  };

  const groups = new Map<number, number[]>();
  items.forEach((_, i) => {
    const members = groups.get(labels[i]!);
    if (members) members.push(i);
    else groups.set(labels[i]!, [i]);
  });
  const clusters = [...groups.values()].map((members) => {
    // Distinct phrasings: the first (newest) original text of each normalised form, its best similarity.
    const phrasings = new Map<string, { text: string; count: number; score: number }>();
    const reasons: Record<GapReason, number> = { unanswered: 0, fallback: 0, handed_over: 0 };
    for (const i of members) {
      const item = items[i]!;
      const score = similarity(i);
      const seen = phrasings.get(item.normalized);
      if (seen) {
        seen.count += 1;
        seen.score = Math.max(seen.score, score);
      } else phrasings.set(item.normalized, { text: item.text.trim(), count: 1, score });
      reasons[item.route === 'human' ? 'handed_over' : item.tier === 'fallback' ? 'fallback' : 'unanswered'] += 1;
    }
    const ranked = [...phrasings.values()].sort(
      (a, b) => b.score - a.score || b.count - a.count || a.text.localeCompare(b.text),
    );
    return {
      size: members.length,
      phrasings: phrasings.size,
      share: Math.round((members.length / items.length) * 10_000) / 10_000,
      proposedQuestion: proposeQuestion(mask(ranked[0]!.text)),
      representatives: ranked.slice(0, 5).map((phrasing) => ({ text: mask(phrasing.text), count: phrasing.count })),
      reasons,
      traceIds: members.slice(0, 20).map((i) => items[i]!.id),
      lastSeen: new Date(items[members[0]!]!.created_at).toISOString(),
    };
  });
  clusters.sort((a, b) => b.size - a.size || b.phrasings - a.phrasings || a.lastSeen.localeCompare(b.lastSeen));
  const limit = Math.max(1, Math.min(options.limit ?? 50, 500));
  return {
    ...base,
    noise: result?.noise ?? 0,
    clusters: clusters.slice(0, limit).map((cluster, index) => ({ index, ...cluster })),
  };
}

// ---------------------------------------------------------------------------------------------
// Distinct phrasings per FAQ entry / intent

export interface PhrasingCount {
  kind: 'faq' | 'intent';
  id: string;
  name: string;
  /** Distinct customer phrasings (after normalisation) seen for it in the range. */
  phrasings: number;
  /** Customer messages behind them. */
  messages: number;
}

/**
 * For each FAQ entry and intent, the distinct ways customers asked for it in the range: messages
 * kefu answered with it, suggestions of it a customer picked, and turns a trainer labelled with it.
 * Most phrasings first; entries never asked for are listed with 0.
 */
export async function analyticsPhrasings(
  db: Db,
  tenantId: string,
  range: AnalyticsRange,
): Promise<{ timezone: string; from: string; to: string; entries: PhrasingCount[] }> {
  const answered = db
    .selectFrom('turn_traces as t')
    .innerJoin('messages as m', (join) =>
      join.onRef('m.id', '=', 't.inbound_message_id').onRef('m.tenant_id', '=', 't.tenant_id'),
    )
    .select(['t.id as trace_id', 't.intent as target', 'm.text'])
    .where('t.tenant_id', '=', tenantId)
    .where('t.created_at', '>=', range.start)
    .where('t.created_at', '<', range.end)
    .where('t.route', '=', 'auto')
    .where('t.tier', '!=', 'fallback')
    .where('t.intent', 'is not', null)
    .execute();
  const clicked = db
    .selectFrom('learning_signals as s')
    .innerJoin('turn_traces as t', (join) =>
      join.onRef('t.id', '=', 's.trace_id').onRef('t.tenant_id', '=', 's.tenant_id'),
    )
    .innerJoin('messages as m', (join) =>
      join.onRef('m.id', '=', 't.inbound_message_id').onRef('m.tenant_id', '=', 't.tenant_id'),
    )
    .select(['t.id as trace_id', 's.value as target', 'm.text'])
    .where('s.tenant_id', '=', tenantId)
    .where('s.kind', '=', 'suggestion_click')
    .where('s.created_at', '>=', range.start)
    .where('s.created_at', '<', range.end)
    .execute();
  const labelled = db
    .selectFrom('training_examples')
    .select(['trace_id', 'target', 'text'])
    .where('tenant_id', '=', tenantId)
    .where('superseded_at', 'is', null)
    .where('kind', 'in', ['faq', 'intent'])
    .where('created_at', '>=', range.start)
    .where('created_at', '<', range.end)
    .execute();
  const [names, ...sources] = await Promise.all([catalogueNames(db, tenantId), answered, clicked, labelled]);
  // One message counts once per target, however many sources name it.
  const seen = new Map<string, { texts: Set<string>; traces: Set<string> }>();
  for (const source of sources)
    for (const row of source) {
      if (!row.target) continue;
      const entry = seen.get(row.target) ?? { texts: new Set<string>(), traces: new Set<string>() };
      const text = normalizeText(row.text).text;
      if (text) entry.texts.add(text);
      entry.traces.add(row.trace_id);
      seen.set(row.target, entry);
    }
  const entries: PhrasingCount[] = [...names.entries()].map(([id, { kind, name }]) => ({
    kind,
    id,
    name,
    phrasings: seen.get(id)?.texts.size ?? 0,
    messages: seen.get(id)?.traces.size ?? 0,
  }));
  entries.sort((a, b) => b.phrasings - a.phrasings || b.messages - a.messages || a.name.localeCompare(b.name));
  return { timezone: range.timezone, from: range.from, to: range.to, entries };
}

// ---------------------------------------------------------------------------------------------
// Export: CSV (UTF-8 with a BOM, so Excel reads Chinese) and JSONL, one row at a time

export type ExportRow = Record<string, string | number | boolean | null>;

/** One CSV cell: quoted when needed; text that a spreadsheet would run as a formula is defused. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV lines (BOM and header row first, CRLF endings as RFC 4180 has them). */
export function* csvLines(columns: readonly string[], rows: Iterable<ExportRow>): Generator<string> {
  yield `\uFEFF${columns.map(csvCell).join(',')}\r\n`;
  for (const row of rows) yield `${columns.map((column) => csvCell(row[column])).join(',')}\r\n`;
}

export function* jsonLines(rows: Iterable<ExportRow>): Generator<string> {
  for (const row of rows) yield `${JSON.stringify(row)}\n`;
}

export interface ExportTable {
  name: string;
  columns: readonly string[];
  rows: () => Iterable<ExportRow>;
}

/** The daily trends table: one row per day, every line chart's series. */
export function dailyTable(trends: Trends): ExportTable {
  return {
    name: 'daily',
    columns: [
      'day',
      'conversations',
      'turns',
      'contained',
      'containment',
      'handed_over',
      'handover_rate',
      'resolutions',
      'csat_average',
      'csat_ratings',
      'cost_yuan',
      'cost_per_resolution',
      'style_consistency',
      'style_messages',
    ],
    *rows() {
      for (const day of trends.days)
        yield {
          day: day.day,
          conversations: day.conversations,
          turns: day.turns,
          contained: day.contained,
          containment: day.containment,
          handed_over: day.handedOver,
          handover_rate: day.handoverRate,
          resolutions: day.resolutions,
          csat_average: day.csatAverage,
          csat_ratings: day.csatRatings,
          cost_yuan: day.costYuan,
          cost_per_resolution: day.costPerResolution,
          style_consistency: day.styleConsistency,
          style_messages: day.styleMessages,
        };
    },
  };
}

/** The volume chart: one row per day and intent (top intents, then the `other` and `unrecognised` buckets). */
export function volumeTable(trends: Trends): ExportTable {
  return {
    name: 'volume',
    columns: ['day', 'bucket', 'intent_id', 'intent', 'turns'],
    *rows() {
      for (const day of trends.days) {
        for (const intent of trends.intents)
          yield {
            day: day.day,
            bucket: 'top',
            intent_id: intent.id,
            intent: intent.name,
            turns: day.volume[intent.id] ?? 0,
          };
        yield { day: day.day, bucket: 'other', intent_id: null, intent: null, turns: day.otherVolume };
        yield { day: day.day, bucket: 'unrecognised', intent_id: null, intent: null, turns: day.unrecognisedVolume };
      }
    },
  };
}

export function clustersTable(clusters: PhrasingClusters): ExportTable {
  return {
    name: 'clusters',
    columns: [
      'cluster',
      'size',
      'share',
      'phrasings',
      'proposed_question',
      'representatives',
      'unanswered',
      'fallback',
      'handed_over',
      'last_seen',
    ],
    *rows() {
      for (const cluster of clusters.clusters)
        yield {
          cluster: cluster.index + 1,
          size: cluster.size,
          share: cluster.share,
          phrasings: cluster.phrasings,
          proposed_question: cluster.proposedQuestion,
          representatives: cluster.representatives.map((phrasing) => phrasing.text).join(' | '),
          unanswered: cluster.reasons.unanswered,
          fallback: cluster.reasons.fallback,
          handed_over: cluster.reasons.handed_over,
          last_seen: cluster.lastSeen,
        };
    },
  };
}

export function phrasingsTable(result: { entries: PhrasingCount[] }): ExportTable {
  return {
    name: 'phrasings',
    columns: ['kind', 'id', 'name', 'phrasings', 'messages'],
    *rows() {
      for (const entry of result.entries)
        yield {
          kind: entry.kind,
          id: entry.id,
          name: entry.name,
          phrasings: entry.phrasings,
          messages: entry.messages,
        };
    },
  };
}

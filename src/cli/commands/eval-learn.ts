import { loadConfig } from '../../config/index.js';
import type { FaqEntry } from '../../knowledge/faq-sheet.js';
import { clusterTexts, Random } from '../../learning/index.js';
import {
  DEFAULT_PROMOTION_POLICY,
  orderReviewQueue,
  promoteClicks,
  turnUncertainty,
  type Click,
  type QueueStrategy,
} from '../../learning/review-queue.js';
import { importPack, type TenantPack } from '../../packs/index.js';
import { createKefu, type Kefu } from '../../server/kefu.js';
import { migrateToLatest, openDatabase } from '../../store/database.js';
import { readFaqSheet, readFaqTestRows, type FaqTestRow } from './eval-faq.js';

export interface EvalLearnOptions {
  faq: string;
  stream: string;
  split?: string;
  budget?: string;
  strategy?: string;
  seed?: string;
  domain?: string;
  json?: boolean;
  /** Print the result (default true; the benchmark turns it off). */
  print?: boolean;
}

export interface LearnScores {
  n: number;
  answer_accuracy: number | null;
  auto_precision: number | null;
  oos_recall: number | null;
  human_recall: number | null;
  /** In-scope rows answered right or offered the right FAQ among suggestions. */
  answer_or_suggestion_accuracy: number | null;
}

export interface LearnEvaluation {
  strategy: QueueStrategy;
  budget: number;
  seed: number;
  split: number;
  live_rows: number;
  scored_rows: number;
  before: LearnScores;
  after: LearnScores;
  /** Trainer labels spent (at most the budget; fewer when the queue is shorter). */
  labels_used: number;
  /** Trainer labels by kind: an FAQ (learned as a phrasing), oos or human (recorded; the matcher has no use for them yet). */
  labels_by_kind: { faq: number; oos: number; human: number };
  /** Suggestion clicks the simulated customers made during live traffic. */
  clicks_used: number;
  /** Clicks promoted to training examples by the promotion policy (default: agreement). */
  promoted: number;
  /** Phrasings added to the FAQ sheet (trainer labels + promoted clicks, deduplicated). */
  examples_added: number;
  review_queue: number;
  live_clusters: number;
  policy: string;
}

interface Outcome {
  automatic: boolean;
  person: boolean;
  faq: string | null;
  confidence: number;
  suggested: string[];
  route: string;
  handoverRule: string | null;
}

function parseNumberOption(name: string, value: string | undefined, fallback: number, check: (n: number) => boolean) {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || !check(number)) throw new Error(`--${name}: invalid value ${JSON.stringify(value)}`);
  return number;
}

const ratio = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : Math.round((numerator / denominator) * 10000) / 10000;

function buildPack(slug: string, entries: readonly FaqEntry[], domain: string): TenantPack {
  return {
    tenant: {
      slug,
      name: slug,
      locale: 'zh-CN',
      domain,
      timezone: 'Asia/Shanghai',
      messages: {},
      channels: [],
    },
    intents: [],
    faq: entries.map((entry) => ({ ...entry, alternatives: [...entry.alternatives] })),
    documents: [],
    playbooks: [],
    tables: [],
    dictionary: [],
    style: null,
  } as unknown as TenantPack;
}

/** One message through the real turn pipeline of a tenant (a fresh conversation), read back from its trace. */
async function ask(kefu: Kefu, tenantId: string, text: string): Promise<Outcome> {
  const conversation = await kefu.conversations.createConversation(tenantId, { channel: { kind: 'api' } });
  const result = await kefu.conversations.postCustomerMessage(tenantId, conversation.id, { text });
  const turn = result.turn!;
  const trace = await kefu.conversations.getTrace(tenantId, turn.traceId);
  const citations = (trace.trace.citations ?? []) as Array<{ source: string; id: string }>;
  const faq = citations.find((citation) => citation.source === 'faq')?.id ?? null;
  const automatic = turn.route === 'auto' && turn.tier === 'light' && faq !== null;
  const offered = ((trace.trace.reasons ?? []) as string[]).find((reason) => /^(?:suggest|clarify): /.test(reason));
  const suggested =
    offered && turn.route === 'auto' && !automatic
      ? (offered.replace(/^\w+: /, '').split(/ \(|\s+are close/)[0] ?? '').split(/,\s*|\s+vs\s+/).filter(Boolean)
      : [];
  return {
    automatic,
    person: turn.route === 'human' || turn.route === 'assist',
    faq,
    confidence: turn.confidence,
    suggested,
    route: turn.route,
    handoverRule: (trace.trace.handover as { rule: string } | null)?.rule ?? null,
  };
}

function score(rows: readonly FaqTestRow[], outcomes: readonly Outcome[]): LearnScores {
  const pairs = rows.map((row, index) => ({ row, outcome: outcomes[index]! }));
  const inScope = pairs.filter(({ row }) => row.expected !== 'oos' && row.expected !== 'human');
  const oos = pairs.filter(({ row }) => row.expected === 'oos');
  const human = pairs.filter(({ row }) => row.expected === 'human');
  const automatic = pairs.filter(({ outcome }) => outcome.automatic);
  return {
    n: rows.length,
    answer_accuracy: ratio(
      inScope.filter(({ row, outcome }) => outcome.automatic && outcome.faq === row.expected).length,
      inScope.length,
    ),
    auto_precision: ratio(
      automatic.filter(({ row, outcome }) => outcome.faq === row.expected).length,
      automatic.length,
    ),
    oos_recall: ratio(oos.filter(({ outcome }) => !outcome.automatic).length, oos.length),
    human_recall: ratio(human.filter(({ outcome }) => outcome.person).length, human.length),
    answer_or_suggestion_accuracy: ratio(
      inScope.filter(
        ({ row, outcome }) =>
          (outcome.automatic && outcome.faq === row.expected) || outcome.suggested.includes(row.expected),
      ).length,
      inScope.length,
    ),
  };
}

/**
 * `kefu eval learn`: does kefu get better from its own traffic? The stream is shuffled (seeded)
 * and split. The first part plays live traffic on a day-one tenant built from the sheet (the pack
 * import eval-faq uses): a simulated customer clicks the right suggestion when it is offered, and
 * thumbs down a wrong automatic answer; the turns kefu was unsure about fill the review queue,
 * whose first `budget` items (value order, or random) a simulated trainer labels with the gold
 * label. kefu learns as the product does: FAQ labels and the clicks that the promotion policy
 * lets through become phrasings of their FAQ entries, and the sheet is imported again (a new
 * tenant version, retrained on load). The second part is scored on both versions.
 */
export async function runEvalLearn(options: EvalLearnOptions): Promise<LearnEvaluation> {
  const split = parseNumberOption('split', options.split, 0.5, (n) => n > 0 && n < 1);
  const budget = parseNumberOption('budget', options.budget, 60, (n) => Number.isInteger(n) && n >= 0);
  const seed = parseNumberOption('seed', options.seed, 1, (n) => Number.isInteger(n));
  const strategy = (options.strategy ?? 'value') as QueueStrategy;
  if (strategy !== 'value' && strategy !== 'random')
    throw new Error(`--strategy must be "value" or "random" (got ${JSON.stringify(options.strategy)})`);
  const domain = options.domain ?? 'general';
  const entries = readFaqSheet(options.faq);
  const faqIds = new Set(entries.map((entry) => entry.id));
  const rows = new Random(seed).shuffle(readFaqTestRows(options.stream, faqIds));
  const cut = Math.max(1, Math.min(rows.length - 1, Math.round(rows.length * split)));
  if (rows.length < 2) throw new Error(`${options.stream}: at least two rows are needed to split the stream`);
  const live = rows.slice(0, cut);
  const held = rows.slice(cut);

  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  try {
    await migrateToLatest(database.db);
    const dayOne = await importPack(database.db, buildPack('eval-learn-day-one', entries, domain), {
      actor: 'eval-learn',
    });
    const kefu = await createKefu(loadConfig({ env: { KEFU_DEMO: 'false', LOG_LEVEL: 'silent' } }), {
      database,
      logger: false,
    });
    try {
      // Live traffic on the day-one version.
      const liveOutcomes: Outcome[] = [];
      for (const row of live) liveOutcomes.push(await ask(kefu, dayOne.tenantId, row.text));
      const clusters = clusterTexts(live.map((row) => row.text)).labels;
      const clicks: Click[] = [];
      const gate = (await kefu.runtimes.get(dayOne.tenantId)).gate;
      const queue: Array<{ id: string; uncertainty: number; cluster: number; index: number }> = [];
      live.forEach((row, index) => {
        const outcome = liveOutcomes[index]!;
        const id = `live-${index}`;
        const inScope = faqIds.has(row.expected);
        if (inScope && outcome.suggested.includes(row.expected))
          clicks.push({ id, text: row.text, faq: row.expected, cluster: clusters[index]! });
        const thumbsDown = outcome.automatic && outcome.faq !== row.expected;
        // The review queue: suggestions (picked or not), fallbacks, hand-overs and thumbs-down turns.
        if (!outcome.automatic || thumbsDown)
          queue.push({
            id,
            uncertainty: turnUncertainty({
              confidence: outcome.confidence,
              gate,
              answered: outcome.automatic,
              thumbsDown,
              handoverRule: outcome.handoverRule,
            }),
            cluster: clusters[index]!,
            index,
          });
      });
      const ordered = orderReviewQueue(queue, strategy, seed);
      const labelled = ordered.slice(0, budget).map((item) => ({
        id: item.id,
        cluster: item.cluster,
        index: item.index,
        label: live[item.index]!.expected,
      }));
      const promoted = promoteClicks(clicks, labelled, DEFAULT_PROMOTION_POLICY);

      // Learn: new phrasings for their FAQ entries, imported as the next version of the sheet.
      const additions = new Map<string, Set<string>>();
      const add = (faq: string, text: string) => {
        const set = additions.get(faq) ?? new Set<string>();
        set.add(text.trim());
        additions.set(faq, set);
      };
      for (const item of labelled) if (faqIds.has(item.label)) add(item.label, live[item.index]!.text);
      for (const click of promoted) add(click.faq, click.text);
      let examplesAdded = 0;
      const learnedEntries = entries.map((entry) => {
        const known = new Set([entry.question, ...entry.alternatives].map((text) => text.trim()));
        const extra = [...(additions.get(entry.id) ?? [])].filter((text) => !known.has(text));
        examplesAdded += extra.length;
        return { ...entry, alternatives: [...entry.alternatives, ...extra] };
      });
      const learned = await importPack(database.db, buildPack('eval-learn-learned', learnedEntries, domain), {
        actor: 'eval-learn',
      });

      const beforeOutcomes: Outcome[] = [];
      const afterOutcomes: Outcome[] = [];
      for (const row of held) {
        beforeOutcomes.push(await ask(kefu, dayOne.tenantId, row.text));
        afterOutcomes.push(await ask(kefu, learned.tenantId, row.text));
      }
      const evaluation: LearnEvaluation = {
        strategy,
        budget,
        seed,
        split,
        live_rows: live.length,
        scored_rows: held.length,
        before: score(held, beforeOutcomes),
        after: score(held, afterOutcomes),
        labels_used: labelled.length,
        labels_by_kind: {
          faq: labelled.filter((item) => faqIds.has(item.label)).length,
          oos: labelled.filter((item) => item.label === 'oos').length,
          human: labelled.filter((item) => item.label === 'human').length,
        },
        clicks_used: clicks.length,
        promoted: promoted.length,
        examples_added: examplesAdded,
        review_queue: queue.length,
        live_clusters: new Set(clusters).size,
        policy: `${DEFAULT_PROMOTION_POLICY.mode} (${DEFAULT_PROMOTION_POLICY.minAgreeing} agreeing clicks in a phrasing cluster, or a trainer label)`,
      };
      if (options.print === false) return evaluation;
      if (options.json) process.stdout.write(`${JSON.stringify(evaluation)}\n`);
      else process.stdout.write(formatTable(evaluation));
      return evaluation;
    } finally {
      await kefu.close();
    }
  } finally {
    await database.close().catch(() => undefined);
  }
}

function formatTable(evaluation: LearnEvaluation): string {
  const percent = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);
  const line = (name: string, key: keyof LearnScores) =>
    `${name.padEnd(18)} ${percent(evaluation.before[key] as number | null).padStart(7)} → ${percent(evaluation.after[key] as number | null)}`;
  return (
    [
      `strategy ${evaluation.strategy}, budget ${evaluation.budget}, seed ${evaluation.seed}: live ${evaluation.live_rows} rows, scored ${evaluation.scored_rows}`,
      `labels used ${evaluation.labels_used} (faq ${evaluation.labels_by_kind.faq}, oos ${evaluation.labels_by_kind.oos}, human ${evaluation.labels_by_kind.human}); clicks ${evaluation.clicks_used}, promoted ${evaluation.promoted}; phrasings added ${evaluation.examples_added}`,
      line('answer accuracy', 'answer_accuracy'),
      line('auto precision', 'auto_precision'),
      line('oos recall', 'oos_recall'),
      line('human recall', 'human_recall'),
      line('answer or sugg.', 'answer_or_suggestion_accuracy'),
    ].join('\n') + '\n'
  );
}

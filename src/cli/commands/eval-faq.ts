import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../config/index.js';
import { parseFaqSheet, type FaqEntry } from '../../knowledge/faq-sheet.js';
import { readJsonlFile, rowProblem } from '../../datasets/index.js';
import { expectedCalibrationError } from '../../nlu/index.js';
import { importPack, type TenantPack } from '../../packs/index.js';
import { createKefu } from '../../server/kefu.js';
import { migrateToLatest, openDatabase } from '../../store/database.js';

export interface EvalFaqOptions {
  faq: string;
  test: string;
  dialogues?: string;
  /** Confidence gate; without it the tenant default for its domain applies. */
  gate?: string;
  /** Tenant domain of the throw-away tenant (default general). */
  domain?: string;
  json?: boolean;
}

/** One labelled message: an FAQ id, `oos` (decline) or `human` (a person must take it). */
export interface FaqTestRow {
  text: string;
  expected: string;
  kind: string | null;
  line: number;
}

export interface FaqDialogue {
  id: string;
  turns: Array<{ text: string; expected: string }>;
  line: number;
}

/** What kefu did with one message. */
export interface RowOutcome {
  text: string;
  expected: string;
  kind: string | null;
  route: 'auto' | 'assist' | 'human';
  tier: string;
  intent: string | null;
  confidence: number;
  /** The FAQ id the reply (or, for assist, the draft) cites, if any. */
  faq: string | null;
  /** Answered automatically: route auto, tier light, citing an FAQ entry. */
  automatic: boolean;
  /** Routed to a person: route human or assist. */
  person: boolean;
  handoverRule: string | null;
  /** FAQ ids offered as quick replies when kefu was unsure ("您是想问…"), in order. */
  suggested: string[];
  /** The matcher's first guess (trace.understanding) and its confidence, whatever the route. */
  guess: string | null;
  guessConfidence: number;
  correct: boolean;
}

/** One row of the risk–coverage curve: the first guess, its confidence, and the label. */
export interface RiskCoverageRow {
  expected: string;
  guess: string | null;
  confidence: number;
}

export interface RiskCoverage {
  /** Highest in-scope coverage (rows answered ÷ in-scope rows) at which the answered rows are ≥ p precise. */
  coverage_at_precision: Record<'0.95' | '0.97' | '0.99', number | null>;
  /** Area under the risk–coverage curve (mean selective risk over all coverage levels; lower is better). */
  aurc: number | null;
}

/**
 * The risk–coverage curve of the first guess, had kefu answered every row whose confidence is at
 * least t, for every t. A row is right when its guess is its expected FAQ (an `oos` or `human` row is
 * never right). Ties in confidence enter together. `coverage_at_precision[p]` is the largest share of
 * the in-scope rows answered while the precision of everything answered (OOS and human rows
 * included) stays ≥ p; `aurc` is the mean over k = 1…n of the error rate of the k most confident rows
 * (Geifman & El-Yaniv), over all rows. `kefu eval faq` leaves out rows a hand-over rule took.
 */
export function riskCoverage(rows: readonly RiskCoverageRow[]): RiskCoverage {
  const isInScope = (row: RiskCoverageRow) => row.expected !== 'oos' && row.expected !== 'human';
  const inScope = rows.filter(isInScope).length;
  const sorted = [...rows].sort((a, b) => b.confidence - a.confidence);
  const levels = ['0.95', '0.97', '0.99'] as const;
  const best: Record<string, number> = { '0.95': 0, '0.97': 0, '0.99': 0 };
  let accepted = 0;
  let right = 0;
  let acceptedInScope = 0;
  let riskSum = 0;
  for (let index = 0; index < sorted.length;) {
    let end = index;
    while (end < sorted.length && sorted[end]!.confidence === sorted[index]!.confidence) end += 1;
    for (let position = index; position < end; position += 1) {
      const row = sorted[position]!;
      accepted += 1;
      if (isInScope(row)) acceptedInScope += 1;
      if (row.guess !== null && row.guess === row.expected) right += 1;
    }
    // Every k inside a tie group sees the group's average error rate.
    riskSum += (end - index) * (1 - right / accepted);
    const precision = right / accepted;
    for (const level of levels)
      if (precision >= Number(level) && inScope > 0) best[level] = Math.max(best[level]!, acceptedInScope / inScope);
    index = end;
  }
  const round = (value: number) => Math.round(value * 10000) / 10000;
  return {
    coverage_at_precision: {
      '0.95': inScope === 0 ? null : round(best['0.95']!),
      '0.97': inScope === 0 ? null : round(best['0.97']!),
      '0.99': inScope === 0 ? null : round(best['0.99']!),
    },
    aurc: sorted.length === 0 ? null : round(riskSum / sorted.length),
  };
}

export interface FaqEvaluation {
  n: number;
  gate: number;
  answer_accuracy: number | null;
  auto_coverage: number | null;
  auto_precision: number | null;
  oos_recall: number | null;
  human_recall: number | null;
  human_precision: number | null;
  ece: number | null;
  dialogue_turn_accuracy?: number | null;
  /** In-scope rows whose right FAQ was answered automatically or drafted for a person (assist). */
  answer_or_draft_accuracy: number | null;
  /** In-scope rows answered automatically with the right FAQ, or offered it as a suggestion (one tap away). */
  answer_or_suggestion_accuracy: number | null;
  /** Risk–coverage of the first guess over all rows (see `riskCoverage`). */
  coverage_at_precision: RiskCoverage['coverage_at_precision'];
  aurc: number | null;
  /** Rows that got a suggestion instead of an answer, and how many of the in-scope ones offered the right FAQ. */
  suggestions: { rows: number; in_scope: number; right_offered: number };
  /** Rows whose expected FAQ is marked 敏感: how many went to assist, and with the right draft. */
  sensitive: { n: number; assist: number; right_draft: number; answered_automatically: number };
  /** The hand-over rules alone (trace.handover), on `human` rows vs the others. */
  handover_rules: {
    recall: number | null;
    false_rate: number | null;
    false_rate_in_scope: number | null;
    false_rate_oos: number | null;
    by_rule: Record<string, number>;
  };
  counts: { in_scope: number; oos: number; human: number; automatic: number; person: number; dialogue_turns?: number };
  train_ms: number;
  turn_ms_p50: number;
  errors: Array<
    Pick<
      RowOutcome,
      'text' | 'expected' | 'route' | 'tier' | 'intent' | 'faq' | 'confidence' | 'handoverRule' | 'suggested'
    > & { dialogue?: string }
  >;
}

function checkExpected(expected: unknown, faqIds: ReadonlySet<string>): string {
  if (typeof expected !== 'string' || expected.trim() === '')
    rowProblem('"expected" must be a non-empty string (an FAQ id, "oos" or "human")');
  const value = expected.trim();
  if (value !== 'oos' && value !== 'human' && !faqIds.has(value))
    rowProblem(`"expected" is ${JSON.stringify(value)}, which is not an FAQ id of the sheet, "oos" or "human"`);
  return value;
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) rowProblem('expected a JSON object');
  return value as Record<string, unknown>;
}

/** Test rows `{"text","expected","kind"?}`; a malformed row throws `file:line: problem`. */
export function readFaqTestRows(file: string, faqIds: ReadonlySet<string>): FaqTestRow[] {
  const rows = readJsonlFile(file, (parsed, line): FaqTestRow => {
    const value = asObject(parsed);
    if (typeof value.text !== 'string' || value.text.trim() === '') rowProblem('"text" must be a non-empty string');
    const expected = checkExpected(value.expected, faqIds);
    return { text: value.text, expected, kind: typeof value.kind === 'string' ? value.kind : null, line };
  });
  if (rows.length === 0) throw new Error(`${file}: no test rows`);
  return rows;
}

/** Dialogues `{"id","turns":[{"text","expected"}]}`; a malformed one throws `file:line: problem`. */
export function readFaqDialogues(file: string, faqIds: ReadonlySet<string>): FaqDialogue[] {
  return readJsonlFile(file, (parsed, line): FaqDialogue => {
    const value = asObject(parsed);
    if (!Array.isArray(value.turns) || value.turns.length === 0) rowProblem('"turns" must be a non-empty array');
    const turns = value.turns.map((turn: unknown, position: number) => {
      const entry = (typeof turn === 'object' && turn !== null ? turn : {}) as Record<string, unknown>;
      if (typeof entry.text !== 'string' || entry.text.trim() === '')
        rowProblem(`turn ${position + 1}: "text" must be a non-empty string`);
      return { text: entry.text, expected: checkExpected(entry.expected, faqIds) };
    });
    return { id: typeof value.id === 'string' ? value.id : `line-${line}`, turns, line };
  });
}

/** The FAQ sheet as the pack import would read it; errors stop the eval. */
export function readFaqSheet(file: string): FaqEntry[] {
  const { entries, problems } = parseFaqSheet(readFileSync(file), path.basename(file));
  if (entries.length === 0) {
    const first = problems[0];
    throw new Error(
      `${file}${first?.row ? `:${first.row}` : ''}: no usable FAQ entries${first ? ` (${first.message})` : ''}`,
    );
  }
  return entries;
}

const ratio = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : Math.round((numerator / denominator) * 10000) / 10000;

/** Did kefu do what the label asks? FAQ id: answered automatically with it; oos: no FAQ answer; human: a person. */
function isCorrect(expected: string, outcome: Pick<RowOutcome, 'automatic' | 'faq' | 'person'>): boolean {
  if (expected === 'oos') return !outcome.automatic;
  if (expected === 'human') return outcome.person;
  return outcome.automatic && outcome.faq === expected;
}

/**
 * `kefu eval faq`: builds a throw-away tenant from the FAQ sheet alone (the same pack import a
 * user's sheet goes through, in-memory PGlite), runs every test row through the real turn
 * pipeline with no LLM (one fresh conversation per row, one per dialogue) and scores the routes.
 */
export async function runEvalFaq(options: EvalFaqOptions): Promise<FaqEvaluation> {
  let gate: number | undefined;
  if (options.gate !== undefined) {
    gate = Number(options.gate);
    if (!Number.isFinite(gate) || gate < 0 || gate > 1)
      throw new Error(`--gate must be a number between 0 and 1 (got ${JSON.stringify(options.gate)})`);
  }
  const domain = options.domain ?? 'general';
  const entries = readFaqSheet(options.faq);
  const faqIds = new Set(entries.map((entry) => entry.id));
  const sensitiveIds = new Set(entries.filter((entry) => entry.sensitive).map((entry) => entry.id));
  const rows = readFaqTestRows(options.test, faqIds);
  const dialogues = options.dialogues ? readFaqDialogues(options.dialogues, faqIds) : null;

  const pack = {
    tenant: {
      slug: 'eval-faq',
      name: 'eval faq',
      locale: 'zh-CN',
      domain,
      timezone: 'Asia/Shanghai',
      messages: {},
      channels: [],
      ...(gate === undefined ? {} : { gate }),
    },
    intents: [],
    faq: entries,
    documents: [],
    playbooks: [],
    tables: [],
    dictionary: [],
    style: null,
  } as TenantPack;

  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  try {
    await migrateToLatest(database.db);
    const { tenantId } = await importPack(database.db, pack, { actor: 'eval-faq' });
    const kefu = await createKefu(loadConfig({ env: { KEFU_DEMO: 'false', LOG_LEVEL: 'silent' } }), {
      database,
      logger: false,
    });
    try {
      const trainStarted = performance.now();
      const runtime = await kefu.runtimes.get(tenantId);
      const trainMs = Math.round(performance.now() - trainStarted);
      const turnMs: number[] = [];
      const ask = async (
        conversationId: string,
        row: { text: string; expected: string; kind: string | null },
      ): Promise<RowOutcome> => {
        const started = performance.now();
        const result = await kefu.conversations.postCustomerMessage(tenantId, conversationId, { text: row.text });
        turnMs.push(performance.now() - started);
        const turn = result.turn!;
        const trace = await kefu.conversations.getTrace(tenantId, turn.traceId);
        const citations = (trace.trace.citations ?? []) as Array<{ source: string; id: string }>;
        const faq = citations.find((citation) => citation.source === 'faq')?.id ?? null;
        const handover = trace.trace.handover as { rule: string } | null;
        const automatic = turn.route === 'auto' && turn.tier === 'light' && faq !== null;
        const person = turn.route === 'human' || turn.route === 'assist';
        // "suggest: faq-01, faq-02 (…)" or "clarify: faq-01 vs faq-02 are close (…)" in the reasons.
        const offered = ((trace.trace.reasons ?? []) as string[]).find((reason) =>
          /^(?:suggest|clarify): /.test(reason),
        );
        const suggested =
          offered && turn.route === 'auto' && !automatic
            ? (offered.replace(/^\w+: /, '').split(/ \(|\s+are close/)[0] ?? '').split(/,\s*|\s+vs\s+/).filter(Boolean)
            : [];
        const understanding = (trace.trace.understanding ?? {}) as { intent?: string | null; confidence?: number };
        const outcome = {
          guess: understanding.intent ?? null,
          guessConfidence: typeof understanding.confidence === 'number' ? understanding.confidence : 0,
          text: row.text,
          expected: row.expected,
          kind: row.kind,
          route: turn.route,
          tier: turn.tier,
          intent: turn.intent,
          confidence: turn.confidence,
          faq,
          automatic,
          person,
          handoverRule: handover?.rule ?? null,
          suggested,
        };
        return { ...outcome, correct: isCorrect(row.expected, outcome) };
      };

      const outcomes: RowOutcome[] = [];
      for (const row of rows) {
        const conversation = await kefu.conversations.createConversation(tenantId, { channel: { kind: 'api' } });
        outcomes.push(await ask(conversation.id, row));
      }
      const dialogueOutcomes: Array<RowOutcome & { dialogue: string }> = [];
      for (const dialogue of dialogues ?? []) {
        const conversation = await kefu.conversations.createConversation(tenantId, { channel: { kind: 'api' } });
        for (const turn of dialogue.turns)
          dialogueOutcomes.push({ ...(await ask(conversation.id, { ...turn, kind: null })), dialogue: dialogue.id });
      }
      return report(
        outcomes,
        dialogueOutcomes,
        dialogues !== null,
        { gate: runtime.gate, trainMs, turnMs, sensitiveIds },
        options.json === true,
      );
    } finally {
      await kefu.close();
    }
  } finally {
    await database.close().catch(() => undefined);
  }
}

function report(
  outcomes: readonly RowOutcome[],
  dialogueOutcomes: ReadonlyArray<RowOutcome & { dialogue: string }>,
  withDialogues: boolean,
  context: { gate: number; trainMs: number; turnMs: number[]; sensitiveIds: ReadonlySet<string> },
  json: boolean,
): FaqEvaluation {
  const inScope = outcomes.filter((row) => row.expected !== 'oos' && row.expected !== 'human');
  const oos = outcomes.filter((row) => row.expected === 'oos');
  const human = outcomes.filter((row) => row.expected === 'human');
  const automatic = outcomes.filter((row) => row.automatic);
  const person = outcomes.filter((row) => row.person);
  const rightAnswers = automatic.filter((row) => row.faq === row.expected);
  const sensitive = inScope.filter((row) => context.sensitiveIds.has(row.expected));
  const notHuman = outcomes.filter((row) => row.expected !== 'human');
  const byRule: Record<string, number> = {};
  for (const row of outcomes) if (row.handoverRule) byRule[row.handoverRule] = (byRule[row.handoverRule] ?? 0) + 1;
  const sorted = [...context.turnMs].sort((a, b) => a - b);
  const evaluation: FaqEvaluation = {
    n: outcomes.length,
    gate: context.gate,
    answer_accuracy: ratio(inScope.filter((row) => row.automatic && row.faq === row.expected).length, inScope.length),
    auto_coverage: ratio(inScope.filter((row) => row.automatic).length, inScope.length),
    auto_precision: ratio(rightAnswers.length, automatic.length),
    oos_recall: ratio(oos.filter((row) => !row.automatic).length, oos.length),
    human_recall: ratio(human.filter((row) => row.person).length, human.length),
    human_precision: ratio(person.filter((row) => row.expected === 'human').length, person.length),
    ece:
      automatic.length === 0
        ? null
        : Math.round(
            expectedCalibrationError(
              automatic.map((row) => row.confidence),
              automatic.map((row) => row.faq === row.expected),
              15,
            ) * 10000,
          ) / 10000,
    ...(withDialogues
      ? { dialogue_turn_accuracy: ratio(dialogueOutcomes.filter((row) => row.correct).length, dialogueOutcomes.length) }
      : {}),
    answer_or_draft_accuracy: ratio(
      inScope.filter((row) => row.faq === row.expected && (row.automatic || row.route === 'assist')).length,
      inScope.length,
    ),
    answer_or_suggestion_accuracy: ratio(
      inScope.filter((row) => (row.automatic && row.faq === row.expected) || row.suggested.includes(row.expected))
        .length,
      inScope.length,
    ),
    // Rows a hand-over rule took never reach the confidence gate: the curve is the matcher's.
    ...riskCoverage(
      outcomes
        .filter((row) => row.handoverRule === null)
        .map((row) => ({ expected: row.expected, guess: row.guess, confidence: row.guessConfidence })),
    ),
    suggestions: {
      rows: outcomes.filter((row) => row.suggested.length > 0).length,
      in_scope: inScope.filter((row) => row.suggested.length > 0).length,
      right_offered: inScope.filter((row) => row.suggested.includes(row.expected)).length,
    },
    sensitive: {
      n: sensitive.length,
      assist: sensitive.filter((row) => row.route === 'assist').length,
      right_draft: sensitive.filter((row) => row.route === 'assist' && row.faq === row.expected).length,
      answered_automatically: sensitive.filter((row) => row.automatic).length,
    },
    handover_rules: {
      recall: ratio(human.filter((row) => row.handoverRule).length, human.length),
      false_rate: ratio(notHuman.filter((row) => row.handoverRule).length, notHuman.length),
      false_rate_in_scope: ratio(inScope.filter((row) => row.handoverRule).length, inScope.length),
      false_rate_oos: ratio(oos.filter((row) => row.handoverRule).length, oos.length),
      by_rule: byRule,
    },
    counts: {
      in_scope: inScope.length,
      oos: oos.length,
      human: human.length,
      automatic: automatic.length,
      person: person.length,
      ...(withDialogues ? { dialogue_turns: dialogueOutcomes.length } : {}),
    },
    train_ms: context.trainMs,
    turn_ms_p50: sorted.length === 0 ? 0 : Math.round(sorted[Math.floor((sorted.length - 1) / 2)]! * 100) / 100,
    errors: [...outcomes, ...dialogueOutcomes]
      .filter((row) => !row.correct)
      .map((row) => ({
        ...('dialogue' in row ? { dialogue: (row as { dialogue: string }).dialogue } : {}),
        text: row.text,
        expected: row.expected,
        route: row.route,
        tier: row.tier,
        intent: row.intent,
        faq: row.faq,
        confidence: Math.round(row.confidence * 1000) / 1000,
        handoverRule: row.handoverRule,
        suggested: row.suggested,
      })),
  };
  if (json) process.stdout.write(JSON.stringify(evaluation) + '\n');
  else process.stdout.write(formatTable(evaluation));
  return evaluation;
}

function formatTable(evaluation: FaqEvaluation): string {
  const percent = (value: number | null | undefined) =>
    value === null || value === undefined ? '-' : `${(value * 100).toFixed(2)}%`;
  const rows: Array<[string, string]> = [
    [
      'rows (n)',
      `${evaluation.n} (in scope ${evaluation.counts.in_scope}, oos ${evaluation.counts.oos}, human ${evaluation.counts.human})`,
    ],
    ['gate', String(evaluation.gate)],
    ['answer accuracy', percent(evaluation.answer_accuracy)],
    ['auto coverage', percent(evaluation.auto_coverage)],
    ['auto precision', percent(evaluation.auto_precision)],
    ['oos recall', percent(evaluation.oos_recall)],
    ['human recall', percent(evaluation.human_recall)],
    ['human precision', percent(evaluation.human_precision)],
    ['ECE (15 bins, automatic answers)', evaluation.ece === null ? '-' : evaluation.ece.toFixed(4)],
  ];
  if (evaluation.dialogue_turn_accuracy !== undefined)
    rows.push([
      'dialogue turn accuracy',
      `${percent(evaluation.dialogue_turn_accuracy)} of ${evaluation.counts.dialogue_turns} turns`,
    ]);
  rows.push(
    ['answer or assist draft accuracy', percent(evaluation.answer_or_draft_accuracy)],
    [
      'answer or right suggestion',
      `${percent(evaluation.answer_or_suggestion_accuracy)} (suggestions: ${evaluation.suggestions.rows} rows, right FAQ offered in ${evaluation.suggestions.right_offered}/${evaluation.suggestions.in_scope} in scope)`,
    ],
    [
      'coverage at precision 95 / 97 / 99%',
      (['0.95', '0.97', '0.99'] as const).map((level) => percent(evaluation.coverage_at_precision[level])).join(' / '),
    ],
    ['AURC (first guess, all rows)', evaluation.aurc === null ? '-' : evaluation.aurc.toFixed(4)],
    [
      'sensitive FAQ rows → assist (right draft)',
      `${evaluation.sensitive.assist}/${evaluation.sensitive.n} (${evaluation.sensitive.right_draft})`,
    ],
    [
      'hand-over rules: recall / false rate',
      `${percent(evaluation.handover_rules.recall)} / ${percent(evaluation.handover_rules.false_rate)}`,
    ],
    ['train / turn p50', `${evaluation.train_ms} ms / ${evaluation.turn_ms_p50} ms`],
  );
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n') + '\n';
}

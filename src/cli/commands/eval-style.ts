import path from 'node:path';
import { readJsonlFile, rowProblem } from '../../datasets/index.js';
import {
  checkStyle,
  compileStyleGuide,
  MESSAGE_KINDS,
  STYLE_RULE_NAMES,
  type MessageKind,
  type StyleRuleName,
} from '../../guard/style/index.js';
import { loadPack } from '../../packs/index.js';
import { cliIo } from '../io.js';

export interface EvalStyleOptions {
  pack: string;
  replies: string;
  json?: boolean;
}

/**
 * One labelled reply: the text, what kind of message it is and where it stands in the
 * conversation, and the rules it breaks (`violations`, empty for a clean reply) or just `ok`.
 */
export interface StyleReplyRow {
  text: string;
  kind: MessageKind;
  locale: string | null;
  first: boolean;
  closing: boolean;
  verified: boolean;
  /** The rules the reply breaks; null when the row only says ok/not ok. */
  violations: StyleRuleName[] | null;
  violating: boolean;
  line: number;
}

export interface RuleScore {
  n: number;
  recall: number | null;
  flagged: number;
  precision: number | null;
}

export interface StyleEvaluation {
  n: number;
  violating: number;
  flagged: number;
  precision: number;
  recall: number;
  by_rule: Record<string, RuleScore>;
  /** Share of replies that passed without change. */
  consistency: number;
  /** Share of flagged replies whose deterministic fix leaves nothing to mend. */
  fixable: number;
  misses: Array<{ line: number; text: string; expected: string[]; found: string[] }>;
}

const RULES = new Set<string>(STYLE_RULE_NAMES);
const KINDS = new Set<string>(MESSAGE_KINDS);

export function parseStyleRow(value: unknown, line: number): StyleReplyRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) rowProblem('a row must be a JSON object');
  const row = value as Record<string, unknown>;
  if (typeof row.text !== 'string' || row.text.length === 0) rowProblem('"text" must be a non-empty string');
  const kind = row.kind ?? 'bot';
  if (typeof kind !== 'string' || !KINDS.has(kind)) rowProblem(`"kind" must be one of ${[...KINDS].join(', ')}`);
  for (const flag of ['first', 'closing', 'verified', 'ok'] as const)
    if (row[flag] !== undefined && typeof row[flag] !== 'boolean') rowProblem(`"${flag}" must be true or false`);
  if (row.locale !== undefined && typeof row.locale !== 'string') rowProblem('"locale" must be a string');
  let violations: StyleRuleName[] | null = null;
  if (row.violations !== undefined) {
    if (!Array.isArray(row.violations)) rowProblem('"violations" must be a list of rule names');
    for (const rule of row.violations as unknown[])
      if (typeof rule !== 'string' || !RULES.has(rule))
        rowProblem(`unknown rule ${JSON.stringify(rule)}; rules are ${STYLE_RULE_NAMES.join(', ')}`);
    violations = [...new Set(row.violations as StyleRuleName[])];
  } else if (row.ok === undefined) rowProblem('give "violations" (a list, empty when clean) or "ok"');
  const violating = violations !== null ? violations.length > 0 : row.ok === false;
  return {
    text: row.text,
    kind: kind as MessageKind,
    locale: (row.locale as string | undefined) ?? null,
    first: row.first === true,
    closing: row.closing === true,
    verified: row.verified === true,
    violations,
    violating,
    line,
  };
}

const ratio = (part: number, whole: number): number => (whole === 0 ? 1 : Math.round((part / whole) * 10_000) / 10_000);

/** Scores the checker of a pack's style guide (and its domain's compliance rules) on labelled replies. */
export function evaluateStyle(
  rows: readonly StyleReplyRow[],
  style: Parameters<typeof compileStyleGuide>[0],
  domain: string,
  readerLocale = 'zh-CN',
): StyleEvaluation {
  const guide = compileStyleGuide(style);
  const perRule = new Map<string, { n: number; found: number; flagged: number; right: number }>();
  const ruleOf = (rule: string) => {
    let score = perRule.get(rule);
    if (!score) perRule.set(rule, (score = { n: 0, found: 0, flagged: 0, right: 0 }));
    return score;
  };
  let violating = 0;
  let flagged = 0;
  let caught = 0;
  let passed = 0;
  let fixable = 0;
  const misses: StyleEvaluation['misses'] = [];
  for (const row of rows) {
    const check = checkStyle(row.text, guide, {
      kind: row.kind,
      domain,
      firstReply: row.first,
      closing: row.closing,
      verified: row.verified,
      readerLocale: row.locale ?? readerLocale,
    });
    const found = [...new Set(check.violations.map((violation) => violation.rule))];
    if (check.passed) passed += 1;
    else {
      flagged += 1;
      if (check.remaining.length === 0) fixable += 1;
    }
    if (row.violating) {
      violating += 1;
      if (!check.passed) caught += 1;
    }
    const expected = row.violations ?? [];
    for (const rule of expected) {
      const score = ruleOf(rule);
      score.n += 1;
      if (found.includes(rule)) score.found += 1;
    }
    for (const rule of found) {
      const score = ruleOf(rule);
      score.flagged += 1;
      if (row.violations === null ? row.violating : expected.includes(rule)) score.right += 1;
    }
    const wrong =
      row.violating === check.passed ||
      (row.violations !== null &&
        (expected.some((rule) => !found.includes(rule)) || found.some((rule) => !expected.includes(rule))));
    if (wrong) misses.push({ line: row.line, text: row.text.slice(0, 120), expected, found });
  }
  const byRule: Record<string, RuleScore> = {};
  for (const rule of STYLE_RULE_NAMES) {
    const score = perRule.get(rule);
    if (!score) continue;
    byRule[rule] = {
      n: score.n,
      recall: score.n === 0 ? null : ratio(score.found, score.n),
      flagged: score.flagged,
      precision: score.flagged === 0 ? null : ratio(score.right, score.flagged),
    };
  }
  const correctFlags = rows.filter((row) => row.violating).length === 0 ? 0 : caught;
  return {
    n: rows.length,
    violating,
    flagged,
    precision: ratio(correctFlags, flagged),
    recall: ratio(caught, violating),
    by_rule: byRule,
    consistency: ratio(passed, rows.length),
    fixable: ratio(fixable, flagged),
    misses,
  };
}

/** `kefu eval style --pack <dir> --replies <rows.jsonl> [--json]` */
export async function runEvalStyle(options: EvalStyleOptions): Promise<void> {
  const io = cliIo();
  const base = io.cwd ?? process.cwd();
  const packDir = path.resolve(base, options.pack);
  const loaded = loadPack(packDir);
  const errors = loaded.problems.filter((problem) => problem.severity === 'error');
  if (!loaded.pack || errors.length > 0) {
    for (const problem of errors)
      io.stderr(
        `${path.join(options.pack, problem.file)}${problem.line !== null ? `:${problem.line}` : ''}: ${problem.message}\n`,
      );
    io.exitCode = 1;
    return;
  }
  let rows: StyleReplyRow[];
  try {
    rows = readJsonlFile(path.resolve(base, options.replies), parseStyleRow);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n`);
    io.exitCode = 1;
    return;
  }
  const { tenant, style } = loaded.pack;
  const result = evaluateStyle(rows, style, tenant.domain, tenant.locale);
  if (options.json) {
    io.stdout(`${JSON.stringify({ pack: tenant.slug, domain: tenant.domain, ...result })}\n`);
    return;
  }
  const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
  io.stdout(
    [
      `pack ${tenant.slug} (${tenant.domain}): ${result.n} replies, ${result.violating} violating, ${result.flagged} flagged`,
      `precision ${percent(result.precision)}  recall ${percent(result.recall)}  consistency ${percent(result.consistency)}  fixable ${percent(result.fixable)}`,
      ...Object.entries(result.by_rule).map(
        ([rule, score]) =>
          `  ${rule.padEnd(17)} n=${String(score.n).padStart(3)}  recall ${percent(score.recall).padStart(6)}  flagged ${String(score.flagged).padStart(3)}  precision ${percent(score.precision).padStart(6)}`,
      ),
      ...result.misses.map(
        (miss) =>
          `  line ${miss.line}: expected [${miss.expected.join(', ')}] found [${miss.found.join(', ')}]: ${miss.text}`,
      ),
      '',
    ].join('\n'),
  );
}

import { readJsonlFile, rowProblem } from '../../datasets/index.js';
import {
  defaultHandoverGuard,
  evaluateGuard,
  type HandoverEvaluation,
  type LabelledRow,
} from '../../guard/handover/index.js';
import { callerPath, print } from '../io.js';

export interface EvalHandoverOptions {
  test: string;
  json?: boolean;
}

/** Reads `{"text","expected":"human"|"bot","category"?}` rows; a bad row names its file and line. */
export function readHandoverRows(file: string): LabelledRow[] {
  return readJsonlFile(file, (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      rowProblem('expected an object {"text","expected","category"?}');
    const row = value as Record<string, unknown>;
    if (typeof row.text !== 'string') rowProblem('"text" must be a string');
    if (row.expected !== 'human' && row.expected !== 'bot')
      rowProblem(`"expected" must be "human" or "bot" (got ${JSON.stringify(row.expected)})`);
    if (row.category !== undefined && row.category !== null && typeof row.category !== 'string')
      rowProblem('"category" must be a string when given');
    return { text: row.text, expected: row.expected, category: (row.category as string | null | undefined) ?? null };
  });
}

/**
 * `kefu eval handover --test <rows.jsonl> [--json]`: every row through the product's own hand-over
 * guard (rules + classifier, no LLM); prints n, recall, precision, false_rate, by_category and the
 * classify latency (µs, p50/p99).
 */
export async function runEvalHandover(options: EvalHandoverOptions): Promise<HandoverEvaluation> {
  const file = callerPath(options.test);
  const rows = readHandoverRows(file);
  if (rows.length === 0) throw new Error(`${options.test}: no rows to evaluate`);
  const guard = defaultHandoverGuard();
  // One warm-up call so the first row's time is not the JIT's.
  guard.classify('warm up 你好，轉人工');
  const { errors: _errors, ...metrics } = evaluateGuard(guard, rows);
  if (options.json) print(JSON.stringify(metrics));
  else print(formatTable(metrics));
  return metrics;
}

function formatTable(metrics: HandoverEvaluation): string {
  const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
  const lines = [
    `rows           ${metrics.n}`,
    `recall         ${percent(metrics.recall)}`,
    `precision      ${percent(metrics.precision)}`,
    `false rate     ${percent(metrics.false_rate)}`,
    `classify p50   ${metrics.classify_us_p50} µs   p99 ${metrics.classify_us_p99} µs`,
    '',
    'category                  n   recall',
  ];
  for (const [category, { n, recall }] of Object.entries(metrics.by_category))
    lines.push(`${category.padEnd(24)} ${String(n).padStart(3)}   ${percent(recall)}`);
  return lines.join('\n');
}

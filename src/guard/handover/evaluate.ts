import { performance } from 'node:perf_hooks';
import type { ClassifyOptions, HandoverGuard } from './guard.js';

/** One labelled message (the rows of `kefu eval handover --test`). */
export interface LabelledRow {
  text: string;
  expected: 'human' | 'bot';
  category?: string | null;
}

/** What `kefu eval handover --json` prints, and what the benchmark reports per split. */
export interface HandoverEvaluation {
  n: number;
  /** Human rows handed over ÷ human rows. */
  recall: number | null;
  /** Handed-over rows that were human ÷ handed-over rows. */
  precision: number | null;
  /** Bot rows handed over ÷ bot rows. */
  false_rate: number | null;
  /** Per category of the human rows: how many, and the share handed over. */
  by_category: Record<string, { n: number; recall: number | null }>;
  classify_us_p50: number;
  classify_us_p99: number;
}

export interface EvaluationDetail extends HandoverEvaluation {
  /** Rows the guard got wrong, for reading (not printed by the CLI). */
  errors: Array<{
    text: string;
    expected: 'human' | 'bot';
    category: string | null;
    predicted: string | null;
    score: number;
  }>;
}

/** Runs every row through the guard (no LLM) and scores it. */
export function evaluateGuard(
  guard: HandoverGuard,
  rows: readonly LabelledRow[],
  options: ClassifyOptions = {},
): EvaluationDetail {
  let truePositives = 0;
  let humans = 0;
  let bots = 0;
  let falsePositives = 0;
  const byCategory = new Map<string, { n: number; found: number }>();
  const timings: number[] = [];
  const errors: EvaluationDetail['errors'] = [];
  for (const row of rows) {
    const started = performance.now();
    const verdict = guard.classify(row.text, options);
    timings.push((performance.now() - started) * 1000);
    if (row.expected === 'human') {
      humans += 1;
      if (verdict.handover) truePositives += 1;
      const category = row.category ?? 'unlabelled';
      const entry = byCategory.get(category) ?? { n: 0, found: 0 };
      entry.n += 1;
      if (verdict.handover) entry.found += 1;
      byCategory.set(category, entry);
    } else {
      bots += 1;
      if (verdict.handover) falsePositives += 1;
    }
    if (verdict.handover !== (row.expected === 'human'))
      errors.push({
        text: row.text,
        expected: row.expected,
        category: row.category ?? null,
        predicted: verdict.category,
        score: round(verdict.score),
      });
  }
  timings.sort((a, b) => a - b);
  const handedOver = truePositives + falsePositives;
  return {
    n: rows.length,
    recall: humans > 0 ? round(truePositives / humans) : null,
    precision: handedOver > 0 ? round(truePositives / handedOver) : null,
    false_rate: bots > 0 ? round(falsePositives / bots) : null,
    by_category: Object.fromEntries(
      [...byCategory.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([category, { n, found }]) => [category, { n, recall: n > 0 ? round(found / n) : null }]),
    ),
    classify_us_p50: round(percentile(timings, 0.5), 1),
    classify_us_p99: round(percentile(timings, 0.99), 1),
    errors,
  };
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

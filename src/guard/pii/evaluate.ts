import { rowProblem } from '../../datasets/index.js';
import { detectPii } from './detect.js';
import { PiiTypes, isPiiType, type PiiType } from './types.js';

/** One labelled message: gold spans in UTF-16 offsets, `end` exclusive. */
export interface PiiRow {
  text: string;
  spans: Array<{ start: number; end: number; type: PiiType }>;
}

export interface PiiTypeScore {
  n: number;
  recall: number | null;
  precision: number | null;
}

export interface PiiEvaluation {
  n: number;
  /** Gold spans in all rows. */
  gold: number;
  detected: number;
  recall: number | null;
  precision: number | null;
  by_type: Record<string, PiiTypeScore>;
  /** Rows with at least one gold span missed (a partly masked message). */
  rows_with_miss: number;
  /** Rows with at least one wrong detection. */
  rows_with_false_alarm: number;
  detect_us_p50: number;
  detect_us_p99: number;
}

/** Validates one parsed JSONL value as a row; problems name the field. */
export function toPiiRow(value: unknown): PiiRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    rowProblem('expected an object {"text","spans"}');
  const record = value as Record<string, unknown>;
  if (typeof record.text !== 'string') rowProblem('"text" must be a string');
  const text = record.text;
  if (!Array.isArray(record.spans)) rowProblem('"spans" must be an array (use [] for none)');
  const spans = (record.spans as unknown[]).map((span, index) => {
    if (typeof span !== 'object' || span === null)
      rowProblem(`spans[${index}] must be an object {"start","end","type"}`);
    const { start, end, type } = span as Record<string, unknown>;
    if (!Number.isInteger(start) || !Number.isInteger(end))
      rowProblem(`spans[${index}]: "start" and "end" must be integers`);
    if ((start as number) < 0 || (end as number) <= (start as number) || (end as number) > text.length)
      rowProblem(`spans[${index}]: [${String(start)}, ${String(end)}) is outside the text (length ${text.length})`);
    if (!isPiiType(type))
      rowProblem(`spans[${index}]: unknown type ${JSON.stringify(type)} (one of ${PiiTypes.join(', ')})`);
    return { start: start as number, end: end as number, type };
  });
  return { text, spans };
}

function overlaps(left: { start: number; end: number }, right: { start: number; end: number }): boolean {
  return left.start < right.end && right.start < left.end;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/** Per-row outcome, for reports of what was missed or wrongly masked. */
export interface PiiRowOutcome {
  row: PiiRow;
  detected: Array<{ start: number; end: number; type: PiiType; value: string }>;
  missed: PiiRow['spans'];
  wrong: Array<{ start: number; end: number; type: PiiType; value: string }>;
}

/**
 * Scores the recognisers on labelled rows. A gold span is found when a detected span of the same
 * type overlaps it; a detected span is correct when it overlaps a gold span of the same type.
 */
export function evaluatePii(rows: PiiRow[], onRow?: (outcome: PiiRowOutcome) => void): PiiEvaluation {
  const counts = new Map<PiiType, { gold: number; found: number; detected: number; correct: number }>();
  const count = (type: PiiType) => {
    let entry = counts.get(type);
    if (!entry) counts.set(type, (entry = { gold: 0, found: 0, detected: 0, correct: 0 }));
    return entry;
  };
  const timings: number[] = [];
  let rowsWithMiss = 0;
  let rowsWithFalseAlarm = 0;
  for (const row of rows) {
    const began = process.hrtime.bigint();
    const detected = detectPii(row.text);
    timings.push(Number(process.hrtime.bigint() - began) / 1_000);
    const missed: PiiRow['spans'] = [];
    const wrong: PiiRowOutcome['detected'] = [];
    for (const gold of row.spans) {
      const entry = count(gold.type);
      entry.gold += 1;
      if (detected.some((span) => span.type === gold.type && overlaps(span, gold))) entry.found += 1;
      else missed.push(gold);
    }
    for (const span of detected) {
      const entry = count(span.type);
      entry.detected += 1;
      if (row.spans.some((gold) => gold.type === span.type && overlaps(span, gold))) entry.correct += 1;
      else wrong.push({ start: span.start, end: span.end, type: span.type, value: span.value });
    }
    if (missed.length > 0) rowsWithMiss += 1;
    if (wrong.length > 0) rowsWithFalseAlarm += 1;
    onRow?.({
      row,
      detected: detected.map(({ start, end, type, value }) => ({ start, end, type, value })),
      missed,
      wrong,
    });
  }
  let gold = 0;
  let found = 0;
  let detectedTotal = 0;
  let correct = 0;
  const byType: Record<string, PiiTypeScore> = {};
  for (const type of PiiTypes) {
    const entry = counts.get(type);
    if (!entry) continue;
    gold += entry.gold;
    found += entry.found;
    detectedTotal += entry.detected;
    correct += entry.correct;
    byType[type] = {
      n: entry.gold,
      recall: ratio(entry.found, entry.gold),
      precision: ratio(entry.correct, entry.detected),
    };
  }
  timings.sort((left, right) => left - right);
  return {
    n: rows.length,
    gold,
    detected: detectedTotal,
    recall: ratio(found, gold),
    precision: ratio(correct, detectedTotal),
    by_type: byType,
    rows_with_miss: rowsWithMiss,
    rows_with_false_alarm: rowsWithFalseAlarm,
    detect_us_p50: Math.round(percentile(timings, 0.5)),
    detect_us_p99: Math.round(percentile(timings, 0.99)),
  };
}

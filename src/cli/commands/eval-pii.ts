import { readJsonlFile } from '../../datasets/index.js';
import { evaluatePii, toPiiRow, type PiiEvaluation } from '../../guard/pii/evaluate.js';
import { print } from '../io.js';

export interface EvalPiiOptions {
  test: string;
  json?: boolean;
}

/**
 * `kefu eval pii --test rows.jsonl [--json]`: the personal-data recognisers on labelled rows
 * {"text","spans":[{"start","end","type"}]} (UTF-16 offsets). A file that cannot be read or a
 * malformed row throws a message naming the file and line; the CLI prints it and exits 1.
 */
export async function runEvalPii(options: EvalPiiOptions): Promise<PiiEvaluation> {
  const rows = readJsonlFile(options.test, (value) => toPiiRow(value));
  if (rows.length === 0) throw new Error(`${options.test}: no rows`);
  const result = evaluatePii(rows);
  if (options.json) {
    print(JSON.stringify(result));
    return result;
  }
  const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(2)}%`);
  print(`rows ${result.n}, spans ${result.gold}, detected ${result.detected}`);
  print(`recall ${percent(result.recall)}  precision ${percent(result.precision)}`);
  for (const [type, score] of Object.entries(result.by_type)) {
    print(
      `  ${type.padEnd(10)} n=${String(score.n).padStart(5)}  recall ${percent(score.recall)}  precision ${percent(score.precision)}`,
    );
  }
  print(`rows partly masked ${result.rows_with_miss}, rows with a wrong mask ${result.rows_with_false_alarm}`);
  return result;
}

import { readFileSync } from 'node:fs';

/** Thrown by a row reader to report what is wrong with the current line. */
export class JsonlRowError extends Error {}

/** Reports a problem with the row being read; the parser adds the file and line. */
export function rowProblem(message: string): never {
  throw new JsonlRowError(message);
}

/**
 * Parses JSONL (a BOM and blank lines are ignored). `toRow` turns each parsed value into a row
 * and calls `rowProblem` when it is malformed; every error names `source` and the 1-based line.
 */
export function parseJsonl<T>(content: string, source: string, toRow: (value: unknown, line: number) => T): T[] {
  const rows: T[] = [];
  content
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((text, index) => {
      if (text.trim().length === 0) return;
      const line = index + 1;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new Error(`${source}:${line}: not valid JSON (${(error as Error).message})`, { cause: error });
      }
      try {
        rows.push(toRow(value, line));
      } catch (error) {
        if (error instanceof JsonlRowError) throw new Error(`${source}:${line}: ${error.message}`, { cause: error });
        throw error;
      }
    });
  return rows;
}

/** Reads and parses a JSONL file (see parseJsonl); a file that cannot be read is a clear error. */
export function readJsonlFile<T>(path: string, toRow: (value: unknown, line: number) => T): T[] {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${path}${code ? ` (${code})` : ''}`, { cause: error });
  }
  return parseJsonl(content, path, toRow);
}

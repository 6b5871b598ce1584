import { parseJsonl, readJsonlFile, rowProblem } from '../datasets/index.js';
import type { IntentExample } from './types.js';

function toExample(value: unknown): IntentExample {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    rowProblem('expected an object {"text","label"}');
  const { text, label } = value as Record<string, unknown>;
  if (typeof text !== 'string') rowProblem('"text" must be a string');
  if (typeof label !== 'string' || label.length === 0) rowProblem('"label" must be a non-empty string');
  return { text, label };
}

/**
 * Parses JSONL rows `{"text","label"}` (extra fields are ignored, blank lines skipped). Throws an
 * Error naming the file and 1-based line number of the first malformed row.
 */
export function parseIntentJsonl(content: string, source = '<input>'): IntentExample[] {
  return parseJsonl(content, source, toExample);
}

/** Reads and parses a JSONL file (see parseIntentJsonl). */
export function readIntentJsonl(path: string): IntentExample[] {
  return readJsonlFile(path, toExample);
}

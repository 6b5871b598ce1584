import { readFileSync } from 'node:fs';
import type { IntentExample } from './types.js';

/**
 * Parses JSONL rows `{"text","label"}` (extra fields are ignored, blank lines skipped). Throws an
 * Error naming the file and 1-based line number of the first malformed row.
 */
export function parseIntentJsonl(content: string, source = '<input>'): IntentExample[] {
  const rows: IntentExample[] = [];
  const lines = content.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim().length === 0) return;
    const where = `${source}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${where}: invalid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: expected an object {"text","label"}`);
    const { text, label } = value as Record<string, unknown>;
    if (typeof text !== 'string') throw new Error(`${where}: "text" must be a string`);
    if (typeof label !== 'string' || label.length === 0) throw new Error(`${where}: "label" must be a non-empty string`);
    rows.push({ text, label });
  });
  return rows;
}

/** Reads and parses a JSONL file (see parseIntentJsonl). */
export function readIntentJsonl(path: string): IntentExample[] {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${path}${code ? ` (${code})` : ''}`);
  }
  return parseIntentJsonl(content, path);
}

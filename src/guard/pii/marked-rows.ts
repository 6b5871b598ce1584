import { isPiiType } from './types.js';
import type { PiiRow } from './evaluate.js';

/**
 * Reads the hand-written fixture format: one message a line, personal data marked
 * `{{type:value}}`, `#` lines are comments. Offsets come out in UTF-16 code units.
 */
export function parseMarkedRows(content: string, source = 'marked rows'): PiiRow[] {
  const rows: PiiRow[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    let text = '';
    const spans: PiiRow['spans'] = [];
    let cursor = 0;
    for (const match of line.matchAll(/\{\{([a-z_]+):(.+?)\}\}/g)) {
      const type = match[1];
      if (!isPiiType(type)) throw new Error(`${source}:${index + 1}: unknown type ${type}`);
      text += line.slice(cursor, match.index);
      spans.push({ start: text.length, end: text.length + match[2].length, type });
      text += match[2];
      cursor = match.index + match[0].length;
    }
    rows.push({ text: text + line.slice(cursor), spans });
  });
  return rows;
}

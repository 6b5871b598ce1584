import type { HandoverCategory } from '../categories.js';

/**
 * The hand-over corpus is written by hand, one scenario (a situation) at a time, with the many
 * ways people say it. Rows of a scenario are never split between training and held-out data, so a
 * held-out score measures situations the model has not seen, not rephrasings of ones it has.
 */
export interface Scenario {
  id: string;
  expected: 'human' | 'bot';
  /** For `human`, the category; for `bot`, the category whose words the ordinary question shares. */
  category: HandoverCategory;
  industry: string;
  lines: string[];
}

/**
 * Lines of a scenario: one per non-empty line. A `{a|b|c}` slot expands into one line per
 * alternative (amounts, deadlines, products), the only generated variety in the corpus.
 */
function lines(block: string): string[] {
  const out: string[] = [];
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('//')) continue;
    out.push(...expand(line));
  }
  return out;
}

function expand(line: string): string[] {
  const slot = /\{([^{}]*\|[^{}]*)\}/.exec(line);
  if (!slot) return [line];
  return slot[1]!
    .split('|')
    .flatMap((choice) => expand(line.slice(0, slot.index) + choice + line.slice(slot.index + slot[0].length)));
}

/** A situation that must reach a person. */
export function human(category: HandoverCategory, id: string, industry: string, block: string): Scenario {
  return { id, expected: 'human', category, industry, lines: lines(block) };
}

/** An ordinary question that shares the words of `category` and must stay with the bot. */
export function bot(category: HandoverCategory, id: string, industry: string, block: string): Scenario {
  return { id, expected: 'bot', category, industry, lines: lines(block) };
}

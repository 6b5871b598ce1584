import { DISPUTES } from './disputes.js';
import { FRAUD } from './fraud.js';
import { MIXED } from './mixed.js';
import { MORE_SITUATIONS } from './more-situations.js';
import { ORDINARY } from './ordinary.js';
import { ORDINARY_MORE } from './ordinary-more.js';
import { ORDINARY_NARRATIVE } from './ordinary-narrative.js';
import { PEOPLE } from './people.js';
import { SAFETY } from './safety.js';
import type { Scenario } from './scenario.js';
import { SELF_HARM } from './self-harm.js';
import { VOICES } from './voices.js';

export type { Scenario } from './scenario.js';

/** Every scenario of the hand-over corpus, hand-written for kefu (docs/guard.md). */
export const SCENARIOS: readonly Scenario[] = [
  ...SELF_HARM,
  ...SAFETY,
  ...FRAUD,
  ...PEOPLE,
  ...DISPUTES,
  ...MIXED,
  ...MORE_SITUATIONS,
  ...ORDINARY,
  ...ORDINARY_MORE,
  ...ORDINARY_NARRATIVE,
  ...VOICES,
];

/** One corpus line, as written to handover-corpus.jsonl. */
export interface CorpusRow {
  text: string;
  expected: 'human' | 'bot';
  category: string;
  scenario: string;
  industry: string;
}

/** The corpus as rows. */
export function corpusRows(scenarios: readonly Scenario[] = SCENARIOS): CorpusRow[] {
  return scenarios.flatMap((scenario) =>
    scenario.lines.map((text) => ({
      text,
      expected: scenario.expected,
      category: scenario.category,
      scenario: scenario.id,
      industry: scenario.industry,
    })),
  );
}

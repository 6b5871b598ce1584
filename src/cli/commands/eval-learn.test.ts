// ci: embedded only (it checks the embedded default and skips itself on PostgreSQL; .ci/run runs it embedded on both Node versions)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runEvalLearn } from './eval-learn.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const faq = path.join(here, '../../../test/fixtures/travel-zh/faq.csv');
const stream = path.join(here, '../../learning/__fixtures__/learn-stream.jsonl');

// The evaluation builds its own throw-away PGlite tenants whatever DATABASE_URL says: the PostgreSQL pass would repeat it.
describe.skipIf(Boolean(process.env.DATABASE_URL))('kefu eval learn', () => {
  afterEach(() => vi.restoreAllMocks());

  it('replays live traffic, learns, and prints before/after with labels, clicks and promotions', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    await runEvalLearn({ faq, stream, budget: '6', strategy: 'value', seed: '2', domain: 'travel', json: true });
    expect(written).toHaveLength(1);
    const printed = JSON.parse(written[0]!);
    for (const side of ['before', 'after'])
      for (const key of ['answer_accuracy', 'auto_precision', 'oos_recall', 'human_recall'])
        expect(printed[side]).toHaveProperty(key);
    for (const key of ['labels_used', 'clicks_used', 'promoted']) expect(Number.isInteger(printed[key])).toBe(true);
    expect(printed.labels_used).toBeLessThanOrEqual(6);
    expect(printed.promoted).toBeLessThanOrEqual(printed.clicks_used);
    expect(printed.live_rows + printed.scored_rows).toBe(28);
    expect(printed.labels_by_kind.faq + printed.labels_by_kind.oos + printed.labels_by_kind.human).toBe(
      printed.labels_used,
    );
    // What was learned is what was labelled or promoted (deduplicated against the sheet).
    expect(printed.examples_added).toBeLessThanOrEqual(printed.labels_by_kind.faq + printed.promoted);
    // Hand-over rules do not depend on the matcher: learning keeps them.
    if (printed.before.human_recall !== null) expect(printed.after.human_recall).toBe(printed.before.human_recall);
  }, 300_000);

  it('rejects bad options plainly', async () => {
    await expect(runEvalLearn({ faq, stream, strategy: 'greedy' })).rejects.toThrow(/--strategy must be/);
    await expect(runEvalLearn({ faq, stream, split: '1.5' })).rejects.toThrow(/--split/);
    await expect(runEvalLearn({ faq, stream, budget: '-1' })).rejects.toThrow(/--budget/);
  });
});

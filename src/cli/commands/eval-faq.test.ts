// ci: embedded only (it checks the embedded default and skips itself on PostgreSQL; .ci/run runs it embedded on both Node versions)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { riskCoverage, runEvalFaq } from './eval-faq.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__/eval-faq');
const fixture = (name: string) => path.join(fixtures, name);

// The evaluation builds its own throw-away PGlite tenant whatever DATABASE_URL says: the PostgreSQL pass would repeat it.
describe.skipIf(Boolean(process.env.DATABASE_URL))('kefu eval faq', () => {
  afterEach(() => vi.restoreAllMocks());

  it('answers, declines and hands over through the real pipeline and prints one JSON object', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    const result = await runEvalFaq({
      faq: fixture('faq.csv'),
      test: fixture('test.jsonl'),
      dialogues: fixture('dialogues.jsonl'),
      gate: '0.5',
      json: true,
    });

    expect(written).toHaveLength(1);
    const printed = JSON.parse(written[0]!);
    expect(printed.n).toBe(8);
    expect(printed.gate).toBe(0.5);
    for (const key of [
      'answer_accuracy',
      'auto_coverage',
      'auto_precision',
      'oos_recall',
      'human_recall',
      'human_precision',
      'ece',
      'dialogue_turn_accuracy',
      'coverage_at_precision',
      'aurc',
      'answer_or_suggestion_accuracy',
    ]) {
      expect(printed).toHaveProperty(key);
    }
    expect(result.counts).toMatchObject({ in_scope: 4, oos: 1, human: 3, dialogue_turns: 2 });
    // The hand-over rules catch the regulator threat, the Traditional 轉人工 and the English lawsuit.
    expect(result.human_recall).toBe(1);
    expect(result.handover_rules.recall).toBe(1);
    expect(result.handover_rules.by_rule).toMatchObject({
      'complaint.regulator': 1,
      'human.request': 1,
      'complaint.legal': 1,
    });
    expect(result.handover_rules.false_rate).toBe(0);
    // Simplified, Traditional and English phrasings of the sheet are answered with their entry.
    const wrongIds = result.errors.map((error) => error.text);
    for (const text of ['我要退款', '多久能發貨？', 'I forgot my password']) expect(wrongIds).not.toContain(text);
    // The 敏感 entry is drafted for a person (assist), not answered: it counts against answer accuracy…
    expect(result.sensitive).toEqual({ n: 1, assist: 1, right_draft: 1, answered_automatically: 0 });
    expect(result.errors).toContainEqual(
      expect.objectContaining({ text: '扣了两次钱', route: 'assist', faq: 'charge' }),
    );
    expect(result.answer_accuracy).toBe(0.75);
    // …and is right as a draft.
    expect(result.answer_or_draft_accuracy).toBe(1);
    expect(result.auto_precision).toBe(1);
    expect(result.oos_recall).toBe(1);
    // 3 human rows + the sensitive draft went to a person.
    expect(result.human_precision).toBe(0.75);
    expect(result.dialogue_turn_accuracy).toBe(1);
    // The 3 human rows are taken by rules and left out of the curve; the 4 in-scope guesses are all right.
    expect(Object.keys(printed.coverage_at_precision)).toEqual(['0.95', '0.97', '0.99']);
    expect(result.coverage_at_precision['0.95']).toBeGreaterThanOrEqual(0.75);
    expect(result.aurc).toBeGreaterThanOrEqual(0);
    expect(result.aurc).toBeLessThan(0.5);
  }, 120_000);

  it('under a strict gate, unsure in-scope rows get suggestions (counted, not handed over)', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    // Vaguer wordings (Simplified, Traditional, English) than the sheet's, and a 转人工.
    const result = await runEvalFaq({
      faq: fixture('faq.csv'),
      test: fixture('unsure.jsonl'),
      gate: '0.9999',
      domain: 'travel',
      json: true,
    });
    expect(result.answer_accuracy).toBe(0);
    expect(result.suggestions).toEqual({ rows: 4, in_scope: 4, right_offered: 4 });
    expect(result.answer_or_suggestion_accuracy).toBe(1);
    expect(
      result.errors.every(
        (error) => error.route === 'auto' && error.suggested.length >= 1 && error.suggested.length <= 3,
      ),
    ).toBe(true);
    // Only the 转人工 row reaches a person, not the unsure ones.
    expect(result).toMatchObject({ human_recall: 1, human_precision: 1 });
    expect(result.counts.person).toBe(1);
  }, 120_000);

  it('prints a readable table without --json', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    await runEvalFaq({ faq: fixture('faq.csv'), test: fixture('test.jsonl'), gate: '0.5' });
    expect(written.join('')).toMatch(/answer accuracy\s+75\.00%/);
    expect(written.join('')).toMatch(/human recall\s+100\.00%/);
  }, 120_000);

  it.each([
    ['bad-text.jsonl', /bad-text\.jsonl:3: "text" must be a non-empty string/],
    ['bad-label.jsonl', /bad-label\.jsonl:2: "expected" is "faq-99", which is not an FAQ id/],
    ['bad-json.jsonl', /bad-json\.jsonl:2: not valid JSON/],
  ])('a malformed test row (%s) stops the eval with its line number', async (file, message) => {
    await expect(runEvalFaq({ faq: fixture('faq.csv'), test: fixture(file), json: true })).rejects.toThrow(message);
  });

  it('computes coverage at precision and AURC from the first guesses (ties enter together)', () => {
    const rows = [
      { expected: 'a', guess: 'a', confidence: 0.99 },
      { expected: 'b', guess: 'b', confidence: 0.95 },
      { expected: 'c', guess: 'x', confidence: 0.9 },
      { expected: 'oos', guess: 'a', confidence: 0.5 },
      { expected: 'd', guess: 'd', confidence: 0.5 },
      { expected: 'e', guess: 'e', confidence: 0.1 },
    ];
    const curve = riskCoverage(rows);
    // Precision 1 down to 0.95 (2 of 5 in scope); the wrong third row drops it to 2/3.
    expect(curve.coverage_at_precision).toEqual({ '0.95': 0.4, '0.97': 0.4, '0.99': 0.4 });
    // Risks at k = 1…6: 0, 0, 1/3, then the tie (k 4 and 5) at 2/5 each, then 2/6.
    expect(curve.aurc).toBeCloseTo((0 + 0 + 1 / 3 + 0.4 + 0.4 + 2 / 6) / 6, 4);
    // A perfect ranking of right answers above wrong ones gives full coverage at every level.
    const perfect = riskCoverage([
      { expected: 'a', guess: 'a', confidence: 0.9 },
      { expected: 'b', guess: 'b', confidence: 0.8 },
      { expected: 'oos', guess: 'a', confidence: 0.2 },
    ]);
    expect(perfect.coverage_at_precision['0.99']).toBe(1);
    expect(perfect.aurc).toBeCloseTo((0 + 0 + 1 / 3) / 3, 4);
    expect(riskCoverage([])).toEqual({
      coverage_at_precision: { '0.95': null, '0.97': null, '0.99': null },
      aurc: null,
    });
  });

  it('refuses a gate outside 0..1', async () => {
    await expect(runEvalFaq({ faq: fixture('faq.csv'), test: fixture('test.jsonl'), gate: '1.5' })).rejects.toThrow(
      /--gate/,
    );
  });
});

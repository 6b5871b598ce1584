import { fixturePath } from '../../test/support/fixtures.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRetrievalIndex } from './build-retrieval-index.js';
import { parseFaqSheet } from './faq-sheet.js';
import { reciprocalRankFusion } from './rank-fusion.js';
import { VectorIndex } from './vector-index.js';

const { entries: travel } = parseFaqSheet(readFileSync(fixturePath('travel-zh', 'faq.csv')), 'faq.csv');
const travelIndex = buildRetrievalIndex(
  travel.map((entry) => ({
    id: entry.id,
    question: entry.question,
    alternatives: entry.alternatives,
    answer: entry.answer,
  })),
);

describe('buildRetrievalIndex (lexical)', () => {
  it('finds FAQ entries from paraphrases in Simplified, Traditional and mixed Chinese–English', () => {
    expect(travelIndex.size).toBe(40);
    expect(travelIndex.search('退机票手续费怎么算')[0]!.id).toBe('faq-01');
    expect(travelIndex.search('退票費怎麼算的？經濟艙，還有五天起飛')[0]!.id).toBe('faq-01');
    expect(travelIndex.search('机票退票 fee 怎么收？')[0]!.id).toBe('faq-01');
  });

  it('reaches a useful top-1 accuracy on the travel-zh dev paraphrases', () => {
    const rows = readFileSync(fixturePath('travel-zh', 'dev.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { text: string; expected: string; kind: string });
    const paraphrases = rows.filter((row) => row.kind === 'paraphrase');
    const correct = paraphrases.filter((row) => travelIndex.search(row.text, { k: 1 })[0]?.id === row.expected).length;
    expect(correct / paraphrases.length).toBeGreaterThan(0.65);
  });

  it('gives calibrated-looking match scores: high for an exact question, lower for an unrelated message', () => {
    const exact = travelIndex.search('机票退票怎么收费？')[0]!;
    expect(exact.id).toBe('faq-01');
    expect(exact.matchScore).toBeGreaterThan(0.7);
    const unrelated = travelIndex.search('今天股市怎么样')[0];
    expect(unrelated === undefined || unrelated.matchScore < exact.matchScore - 0.3).toBe(true);
    for (const hit of travelIndex.search('退票', { k: 10 })) {
      expect(hit.matchScore).toBeGreaterThanOrEqual(0);
      expect(hit.matchScore).toBeLessThanOrEqual(1);
    }
    expect(travelIndex.search('')).toEqual([]);
    expect(travelIndex.search('！？。')).toEqual([]);
  });

  it('honours k and exclude, and ranks with field boosts (question over answer text)', () => {
    expect(travelIndex.search('退票', { k: 3 })).toHaveLength(3);
    const excluded = travelIndex.search('机票退票怎么收费？', { exclude: new Set(['faq-01']) });
    expect(excluded.map((hit) => hit.id)).not.toContain('faq-01');
    const index = buildRetrievalIndex([
      { id: 'answer-mentions', question: '会员等级有哪些', answer: '积分可以在下单时抵扣现金。' },
      { id: 'question-asks', question: '积分怎么抵扣现金', answer: '在结算页勾选使用积分。' },
    ]);
    expect(index.search('积分抵扣现金')[0]!.id).toBe('question-asks');
  });

  it('indexes documents by title and body, and English with stemming', () => {
    const index = buildRetrievalIndex([
      { id: 'shipping', title: 'Delivery times', body: 'Orders ship within 24 hours of payment.' },
      { id: 'returns', title: 'Returns', body: 'Unused items can be returned within 7 days.' },
    ]);
    expect(index.search('when will my order be shipped?')[0]!.id).toBe('shipping');
    expect(index.search('returning an unused item')[0]!.id).toBe('returns');
  });

  it('segments product names from a tenant user dictionary', () => {
    const entries = [
      { id: 'a', question: '云途白金卡有什么权益' },
      { id: 'b', question: '白金卡和金卡的区别' },
    ];
    const withDictionary = buildRetrievalIndex(entries, { userDictionary: ['云途白金卡 1000 n'] });
    expect(withDictionary.search('云途白金卡权益')[0]!.id).toBe('a');
  });

  it('answers within a couple of milliseconds on a few thousand entries', () => {
    const entries = Array.from({ length: 3000 }, (_, index) => ({
      id: `e${index}`,
      question: `第${index}号问题：${travel[index % 40]!.question}${index}`,
    }));
    const index = buildRetrievalIndex(entries);
    const started = performance.now();
    for (let round = 0; round < 50; round += 1) index.search('机票退票怎么收费');
    expect((performance.now() - started) / 50).toBeLessThan(20);
  });
});

describe('VectorIndex and reciprocalRankFusion', () => {
  it('ranks by cosine similarity, one result per id, skipping excluded ids', () => {
    const index = new VectorIndex(2);
    index.add('east', Float32Array.of(1, 0));
    index.add('north', Float32Array.of(0, 2));
    index.add('north', Float32Array.of(0.1, 1));
    index.add('northeast', Float32Array.of(1, 1));
    const results = index.search(Float32Array.of(0, 1), 10);
    expect(results.map((result) => result.id)).toEqual(['north', 'northeast', 'east']);
    expect(results[0]!.similarity).toBeCloseTo(1);
    expect(index.search(Float32Array.of(0, 1), 10, new Set(['north']))[0]!.id).toBe('northeast');
    expect(() => index.search(Float32Array.of(1), 1)).toThrow(/dimension/);
  });

  it('fuses rankings by reciprocal rank', () => {
    const fused = reciprocalRankFusion([{ ids: ['a', 'b', 'c'] }, { ids: ['c', 'a', 'd'] }]);
    expect(fused.map((item) => item.id)).toEqual(['a', 'c', 'b', 'd']);
    expect(fused[0]!.score).toBeCloseTo(1 / 61 + 1 / 62);
  });
});

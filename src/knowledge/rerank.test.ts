import path from 'node:path';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { datasetsFolder, fixturePath, hasDataset } from '../../test/support/fixtures.js';
import { parseFaqSheet } from './faq-sheet.js';
import { commonSubsequenceLength, questionTypes, RERANK_FEATURES } from './rerank-features.js';
import { defaultRerankModel, loadRerankModel, parseRerankModel } from './rerank-model.js';

/** The opt-in research build (ATEC-derived, never shipped), when this machine has built it. */
const researchModel = path.resolve('data/research/rerank-model.json');
const hasResearchModel = existsSync(researchModel);
import { LexicalIndex } from './retrieval-index.js';
import { learnWordAssociations } from './training/word-associations.js';

describe('the learned re-ranker', () => {
  it('ships no research-derived model: the default build has none, KEFU_RERANK_MODEL opts in', () => {
    expect(defaultRerankModel({})).toBeUndefined();
    expect(existsSync(new URL('./rerank-model.json', import.meta.url))).toBe(false);
    const folder = mkdtempSync(path.join(tmpdir(), 'kefu-rerank-'));
    try {
      const file = path.join(folder, 'model.json');
      writeFileSync(
        file,
        JSON.stringify({ description: 'tiny', depth: 12, weights: { relativeScore: 1 }, associations: {} }),
      );
      expect(defaultRerankModel({ KEFU_RERANK_MODEL: file })?.depth).toBe(12);
      expect(() => defaultRerankModel({ KEFU_RERANK_MODEL: path.join(folder, 'missing.json') })).toThrow();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasResearchModel)('the research build pairs paraphrase words (更换/更改, 取消/撤销)', () => {
    const model = loadRerankModel(researchModel);
    expect(model.depth).toBeGreaterThanOrEqual(10);
    expect(model.weights).toHaveLength(RERANK_FEATURES.length);
    expect(model.associations.size).toBeGreaterThan(500);
    const related = (word: string): string[] => [...(model.associations.get(word)?.keys() ?? [])];
    expect(related('更换').concat(related('更改'), related('修改'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(更改|修改|更换|换)$/)]),
    );
    expect(readFileSync(researchModel).byteLength).toBeLessThan(1_000_000);
  });

  it('learns associations from paraphrase pairs with IBM model 1 (Chinese and English)', () => {
    const pairs: [string[], string[]][] = [];
    for (let copy = 0; copy < 5; copy += 1) {
      pairs.push(
        [
          ['怎么', '取消', '订单'],
          ['如何', '撤销', '订单'],
        ],
        [
          ['取消', '借款'],
          ['撤销', '借款'],
        ],
        [
          ['how', 'cancel', 'order'],
          ['how', 'revok', 'order'],
        ],
        [
          ['怎么', '还款'],
          ['如何', '还款'],
        ],
      );
    }
    const table = learnWordAssociations(pairs, { minCount: 1 });
    expect(table.get('取消')?.get('撤销')).toBeGreaterThan(0.3);
    expect(table.get('怎么')?.get('如何')).toBeGreaterThan(0.3);
    expect(table.get('cancel')?.get('revok')).toBeGreaterThan(0.3);
    expect(table.get('订单')?.has('订单') ?? false).toBe(false);
  });

  it('recognises question types and common subsequences across scripts', () => {
    expect(questionTypes('一般多久会打电话') & questionTypes('什么时候来电话')).not.toBe(0);
    expect(questionTypes('为什么扣款失败') & questionTypes('怎么还款')).toBe(0);
    expect(questionTypes('how long does delivery take')).not.toBe(0);
    expect(commonSubsequenceLength('怎么更换绑定还款的卡', '如何更换还款卡')).toBe(5);
  });

  it.skipIf(!hasDataset('bq_corpus') || !hasResearchModel)(
    'ranks labelled BQ paraphrases higher than BM25 alone (first 600 dev queries), with match scores in (0, 1)',
    () => {
      const read = <T>(file: string): T[] =>
        readFileSync(path.join(datasetsFolder()!, 'bq_corpus', file), 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as T);
      const kb = read<{ id: string; question: string }>('dev_kb.jsonl').map((row) => ({
        id: row.id,
        question: row.question,
      }));
      const queries = read<{ query: string; relevant_ids: string[]; exclude_ids: string[] }>('dev_queries.jsonl').slice(
        0,
        600,
      );
      const recall = (index: LexicalIndex, depth: number): number =>
        queries.filter((row) =>
          index
            .search(row.query, { k: depth, exclude: new Set(row.exclude_ids) })
            .some((hit) => row.relevant_ids.includes(hit.id)),
        ).length / queries.length;
      const plain = new LexicalIndex(kb, { reranker: false });
      const reranked = new LexicalIndex(kb, { reranker: loadRerankModel(researchModel) });
      expect(recall(reranked, 5)).toBeGreaterThan(recall(plain, 5) + 0.01);
      expect(recall(reranked, 1)).toBeGreaterThanOrEqual(recall(plain, 1));
      for (const hit of reranked.search('怎么更换绑定还款的卡')) {
        expect(hit.matchScore).toBeGreaterThan(0);
        expect(hit.matchScore).toBeLessThan(1);
      }
    },
  );

  it('keeps BM25 order when turned off, and a zero model keeps it too', () => {
    const { entries } = parseFaqSheet(readFileSync(fixturePath('travel-zh', 'faq.csv')), 'faq.csv');
    const kb = entries.map((entry) => ({
      id: entry.id,
      question: entry.question,
      alternatives: entry.alternatives,
      answer: entry.answer,
    }));
    const plain = new LexicalIndex(kb, { reranker: false });
    const zero = new LexicalIndex(kb, {
      reranker: parseRerankModel(JSON.stringify({ description: 'zero', depth: 30, weights: {}, associations: {} })),
    });
    for (const query of ['退票怎么收费', '護照過期了還能訂票嗎', 'can I bring a pet on board']) {
      expect(zero.search(query).map((hit) => hit.id)).toEqual(plain.search(query).map((hit) => hit.id));
    }
    expect(() => parseRerankModel('{"depth":30,"weights":{"nonsense":1},"associations":{}}')).toThrow(
      /unknown feature/,
    );
  });

  it.skipIf(!hasResearchModel)(
    'the research build is at least as good as BM25 alone on the travel-zh dev paraphrases',
    () => {
      const { entries } = parseFaqSheet(readFileSync(fixturePath('travel-zh', 'faq.csv')), 'faq.csv');
      const kb = entries.map((entry) => ({
        id: entry.id,
        question: entry.question,
        alternatives: entry.alternatives,
        answer: entry.answer,
      }));
      const rows = readFileSync(fixturePath('travel-zh', 'dev.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { text: string; expected: string; kind: string });
      const paraphrases = rows.filter((row) => row.kind === 'paraphrase');
      const accuracy = (index: LexicalIndex): number =>
        paraphrases.filter((row) => index.search(row.text, { k: 1 })[0]?.id === row.expected).length /
        paraphrases.length;
      const plain = accuracy(new LexicalIndex(kb, { reranker: false }));
      const reranked = accuracy(new LexicalIndex(kb, { reranker: loadRerankModel(researchModel) }));
      expect(reranked).toBeGreaterThanOrEqual(plain);
      expect(reranked).toBeGreaterThan(0.7);
    },
  );
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clusterTexts, scoreClustering } from './index.js';
import { knnGraph, louvain } from './cluster.js';
import { symmetricEigen } from './lsa.js';
import { orderReviewQueue, promoteClicks, turnUncertainty } from './review-queue.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__/phrasings.jsonl');
const rows = readFileSync(fixture, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { text: string; label: string });

describe('phrasing clusters', () => {
  it('finds the number of intents itself in a small Simplified / Traditional / English set', () => {
    const truth = rows.map((row) => row.label);
    const result = clusterTexts(rows.map((row) => row.text));
    const trueK = new Set(truth).size;
    expect(result.clusters).toBeGreaterThanOrEqual(Math.floor(trueK * 0.7));
    expect(result.clusters).toBeLessThanOrEqual(Math.ceil(trueK * 1.3));
    const scores = scoreClustering(truth, Array.from(result.labels));
    expect(scores.nmi).toBeGreaterThan(0.8);
    expect(scores.acc).toBeGreaterThan(0.8);
    // Traditional and Simplified phrasings of one question land together.
    const at = (text: string) => result.labels[rows.findIndex((row) => row.text === text)];
    expect(at('機票退票手續費怎麼算')).toBe(at('退机票手续费是多少'));
    expect(at('酒店發票怎麼開')).toBe(at('酒店发票怎么开'));
  });

  it('forces k when asked, and handles empty and one-row input', () => {
    const result = clusterTexts(
      rows.map((row) => row.text),
      { k: 3 },
    );
    expect(new Set(result.labels).size).toBeLessThanOrEqual(3);
    expect(clusterTexts([]).clusters).toBe(0);
    expect(clusterTexts(['只有一句']).clusters).toBe(1);
    expect(clusterTexts(['同一句话', '同一句话', '同一句话']).clusters).toBe(1);
  });

  it('Louvain separates two cliques joined by one edge', () => {
    const n = 8;
    const data = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) data.set(i < 4 ? [1, 0.05 * i] : [0.05 * i, 1], i * 2);
    for (let i = 0; i < n; i++) {
      const norm = Math.hypot(data[i * 2]!, data[i * 2 + 1]!);
      data[i * 2]! /= norm;
      data[i * 2 + 1]! /= norm;
    }
    const labels = louvain(knnGraph({ data, n, dims: 2 }, 3), 1, 1);
    expect(new Set(labels.slice(0, 4)).size).toBe(1);
    expect(new Set(labels.slice(4)).size).toBe(1);
    expect(labels[0]).not.toBe(labels[4]);
  });

  it('Jacobi eigen-decomposition recovers a symmetric matrix', () => {
    const matrix = Float64Array.from([4, 1, 0, 1, 3, 1, 0, 1, 2]);
    const { values, vectors } = symmetricEigen(matrix, 3);
    expect(values[0]).toBeGreaterThanOrEqual(values[1]!);
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let k = 0; k < 3; k++) sum += vectors[r * 3 + k]! * values[k]! * vectors[c * 3 + k]!;
        expect(sum).toBeCloseTo(matrix[r * 3 + c]!, 8);
      }
  });
});

describe('review queue and click promotion', () => {
  it('orders by uncertainty × cluster frequency and interleaves clusters', () => {
    const items = [
      { id: 'a1', uncertainty: 0.9, cluster: 1 },
      { id: 'a2', uncertainty: 0.8, cluster: 1 },
      { id: 'a3', uncertainty: 0.7, cluster: 1 },
      { id: 'b1', uncertainty: 0.9, cluster: 2 },
      { id: 'c1', uncertainty: 0.2, cluster: 3 },
      { id: 'c2', uncertainty: 0.1, cluster: 3 },
    ];
    expect(orderReviewQueue(items, 'value').map((item) => item.id)).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
    const random = orderReviewQueue(items, 'random', 3).map((item) => item.id);
    expect([...random].sort()).toEqual(items.map((item) => item.id).sort());
  });

  it('rates uncertainty against the gate: near-misses first, confident declines and rule hand-overs last', () => {
    const base = { gate: 0.8, answered: false, thumbsDown: false, handoverRule: null };
    expect(turnUncertainty({ ...base, confidence: 0.7 })).toBeGreaterThan(
      turnUncertainty({ ...base, confidence: 0.1 }),
    );
    expect(turnUncertainty({ ...base, confidence: 0.7, handoverRule: 'complaint.regulator' })).toBeLessThan(0.2);
    expect(turnUncertainty({ ...base, confidence: 0.95, answered: true, thumbsDown: true })).toBe(1);
  });

  it('promotes a click only after agreement or a trainer label (default policy)', () => {
    const clicks = [
      { id: '1', text: '退票多少钱', faq: 'faq-01', cluster: 1 },
      { id: '2', text: '退票扣多少', faq: 'faq-01', cluster: 1 },
      { id: '3', text: '改签收费吗', faq: 'faq-02', cluster: 2 },
      { id: '4', text: '行李多重', faq: 'faq-03', cluster: 3 },
      { id: '5', text: '行李额度', faq: 'faq-04', cluster: 3 },
    ];
    const promoted = promoteClicks(clicks, [{ id: 'x', cluster: 2, label: 'faq-02' }]);
    // Cluster 1: two agreeing clicks. Cluster 2: one click, approved by a trainer label. Cluster 3: clicks disagree.
    expect(promoted.map((click) => click.id)).toEqual(['1', '2', '3']);
    expect(promoteClicks(clicks, [], { mode: 'approval', minAgreeing: 2 })).toEqual([]);
    expect(promoteClicks(clicks, [], { mode: 'immediate', minAgreeing: 2 })).toHaveLength(5);
  });
});

import { describe, expect, it } from 'vitest';
import { expectedCalibrationError } from '../nlu/calibration.js';
import { SHEET } from './__fixtures__/travel-sheet.js';
import { trainFewShotMatcher } from './index.js';
import {
  applyRecalibration,
  crossValidateRecalibration,
  fitRecalibration,
  type RecalibrationMethod,
} from './recalibration.js';

/** Seeded uniform numbers in [0, 1). */
function randomSource(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * An over-confident scorer: the truth is right with probability σ(z), the scorer says σ(3z) —
 * pushed towards 0 and 1 — with a bend on top (squared towards the high end) Platt cannot follow.
 */
function overConfident(rows: number, seed: number): { confidences: number[]; correct: boolean[] } {
  const random = randomSource(seed);
  const confidences: number[] = [];
  const correct: boolean[] = [];
  for (let row = 0; row < rows; row += 1) {
    const z = (random() - 0.35) * 8;
    const truth = sigmoid(z) ** 2;
    confidences.push(sigmoid(3 * z));
    correct.push(random() < truth);
  }
  return { confidences, correct };
}

const METHODS: RecalibrationMethod[] = ['platt', 'beta', 'isotonic'];

describe('fitRecalibration', () => {
  const fitData = overConfident(3000, 7);
  const heldOut = overConfident(3000, 11);

  it('reduces the ECE of an over-confident scorer on held-out data, beta below Platt (which cannot bend)', () => {
    const raw = expectedCalibrationError(heldOut.confidences, heldOut.correct, 15);
    expect(raw).toBeGreaterThan(0.08);
    const ece = Object.fromEntries(
      METHODS.map((method) => {
        const fitted = fitRecalibration(fitData.confidences, fitData.correct, { method });
        const recalibrated = heldOut.confidences.map((confidence) => applyRecalibration(fitted, confidence));
        return [method, expectedCalibrationError(recalibrated, heldOut.correct, 15)];
      }),
    ) as Record<RecalibrationMethod, number>;
    expect(ece.isotonic).toBeLessThan(raw / 3);
    expect(ece.beta).toBeLessThan(raw / 3);
    expect(ece.platt).toBeLessThan(raw);
    expect(ece.beta).toBeLessThan(ece.platt);
  });

  it('keeps the original { a, b } shape for Platt, the default', () => {
    const fitted = fitRecalibration(fitData.confidences, fitData.correct);
    expect(Object.keys(fitted).sort()).toEqual(['a', 'b']);
    expect(fitted).toHaveProperty('a');
    // Over-confident: Platt flattens the logit.
    expect((fitted as { a: number }).a).toBeLessThan(1);
  });

  it('never decreases, and isotonic is strictly increasing (no ties, the ranking is kept)', () => {
    const grid = Array.from({ length: 2001 }, (_, index) => index / 2000);
    for (const method of METHODS) {
      const fitted = fitRecalibration(fitData.confidences, fitData.correct, { method });
      const mapped = grid.map((confidence) => applyRecalibration(fitted, confidence));
      for (let index = 1; index < mapped.length; index += 1)
        expect(mapped[index]!, `${method} at ${grid[index]}`).toBeGreaterThanOrEqual(mapped[index - 1]!);
      if (method === 'isotonic') expect(new Set(mapped).size).toBe(grid.length);
    }
  });

  it('gives a finite probability for confidences of exactly 0 and 1, and for inputs that are all 0 or 1', () => {
    const extremes = {
      confidences: [0, 0, 0, 1, 1, 1, 1, 0.5],
      correct: [false, false, true, true, true, false, true, false],
    };
    for (const method of METHODS) {
      for (const data of [fitData, extremes]) {
        const fitted = fitRecalibration(data.confidences, data.correct, { method, minBlockSize: 2 });
        for (const confidence of [0, 1]) {
          const value = applyRecalibration(fitted, confidence);
          expect(Number.isFinite(value), `${method} at ${confidence}`).toBe(true);
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThanOrEqual(1);
        }
        expect(applyRecalibration(fitted, 1)).toBeGreaterThanOrEqual(applyRecalibration(fitted, 0));
      }
    }
  });

  it('pools isotonic blocks of at least the minimum size', () => {
    const fitted = fitRecalibration(fitData.confidences, fitData.correct, { method: 'isotonic', minBlockSize: 300 });
    if (fitted.method !== 'isotonic') throw new Error('expected an isotonic fit');
    // At most 3000 / 300 blocks, plus the two corners.
    expect(fitted.x.length).toBeLessThanOrEqual(12);
    expect(fitted.x[0]).toBe(0);
    expect(fitted.x[fitted.x.length - 1]).toBe(1);
  });

  it('refuses what it cannot fit: no rows, one class only, mismatched lengths, a confidence outside [0, 1]', () => {
    expect(() => fitRecalibration([], [])).toThrow(RangeError);
    expect(() => fitRecalibration([0.2, 0.9], [true, true], { method: 'isotonic' })).toThrow(/both right and wrong/);
    expect(() => fitRecalibration([0.2, 0.9], [false, false], { method: 'beta' })).toThrow(/both right and wrong/);
    expect(() => fitRecalibration([0.2, 0.9], [true])).toThrow(/2 confidences but 1 labels/);
    expect(() => fitRecalibration([0.2, 1.5], [true, false])).toThrow(/not in \[0, 1\]/);
  });
});

describe('crossValidateRecalibration', () => {
  it('ranks every method by held-out ECE, and any recalibration above none for an over-confident scorer', () => {
    const { confidences, correct } = overConfident(2000, 3);
    const table = crossValidateRecalibration(confidences, correct, { folds: 5, seed: 1 });
    expect(table.map((row) => row.method).sort()).toEqual(['beta', 'isotonic', 'none', 'platt']);
    for (const row of table) expect(row.foldEce).toHaveLength(5);
    expect(table.map((row) => row.meanEce)).toEqual([...table.map((row) => row.meanEce)].sort((a, b) => a - b));
    expect(table[table.length - 1]!.method).toBe('none');
  });
});

describe('a recalibrated few-shot matcher', () => {
  const plain = trainFewShotMatcher(SHEET);
  const labelled: Array<[string, string | null]> = [
    ['退票要扣多少手续费', 'refund'],
    ['經濟艙可以托運幾公斤', 'baggage'],
    ['hotel invoice 怎么开', 'invoice'],
    ['机票怎么改签', 'change'],
    ['宠物狗可以上飞机吗', 'pets'],
    ['境外流量包多少钱', 'data'],
    ['今天北京天气怎么样', null],
    ['那个怎么弄', null],
    ['what time is it in London', null],
    ['酒店發票怎麼開', 'invoice'],
  ];
  const predictions = labelled.map(([text]) => plain.match(text));

  it('keeps the order of its confidences (Simplified, Traditional, English) for every method', () => {
    const correct = predictions.map((prediction, index) => prediction.intent === labelled[index]![1]);
    const queries = ['退票費怎麼算', '行李可以带多重', 'refund 要扣钱吗', '境外留量包怎么买', '今天吃什么'];
    const before = queries.map((text) => plain.match(text).confidence);
    for (const method of METHODS) {
      const recalibration = fitRecalibration(
        predictions.map((prediction) => prediction.confidence),
        correct,
        { method, minBlockSize: 2 },
      );
      const matcher = trainFewShotMatcher(SHEET, { recalibration });
      const after = queries.map((text) => matcher.match(text).confidence);
      for (let left = 0; left < queries.length; left += 1)
        for (let right = 0; right < queries.length; right += 1)
          if (before[left]! > before[right]!)
            expect(after[left]!, `${method}: ${queries[left]} vs ${queries[right]}`).toBeGreaterThanOrEqual(
              after[right]!,
            );
      expect(matcher.match('退票費怎麼算').intent).toBe(plain.match('退票費怎麼算').intent);
    }
  });
});

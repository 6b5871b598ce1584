import { describe, expect, it } from 'vitest';
import {
  expectedCalibrationError,
  fitCombinationWeights,
  fitOutOfScopeThreshold,
  type OutOfFoldRow,
} from './calibration.js';

describe('expectedCalibrationError', () => {
  it('is zero for perfectly calibrated bins and grows with over-confidence', () => {
    const confidences = [0.8, 0.8, 0.8, 0.8, 0.8];
    expect(expectedCalibrationError(confidences, [true, true, true, true, false])).toBeCloseTo(0, 10);
    expect(expectedCalibrationError([0.99, 0.99], [false, true])).toBeCloseTo(0.49, 10);
    expect(expectedCalibrationError([], [])).toBe(0);
  });
});

describe('fitCombinationWeights', () => {
  it('learns a temperature: shrinks over-confident evidence that is often wrong', () => {
    // Two classes; the member is very confident, but right only 70 % of the time.
    const rows: OutOfFoldRow[] = Array.from({ length: 100 }, (_, index) => ({
      linear: Float32Array.from([Math.log(0.99), Math.log(0.01)]),
      mlp: new Float32Array(2),
      knn: new Float32Array(2),
      label: index < 70 ? 0 : 1,
    }));
    const weights = fitCombinationWeights(
      rows,
      2,
      { linear: 1, mlp: 0, knn: 0 },
      { linear: true, mlp: false, knn: false },
    );
    // Calibrated probability of class 0 ≈ 0.7: sigmoid(w · log(99)) = 0.7 → w ≈ 0.18.
    const probability = 1 / (1 + Math.exp(-weights.linear * Math.log(99)));
    expect(probability).toBeGreaterThan(0.65);
    expect(probability).toBeLessThan(0.75);
  });
});

describe('fitOutOfScopeThreshold', () => {
  it('separates out-of-scope rows by confidence when they exist', () => {
    const rows = [
      ...Array.from({ length: 90 }, () => ({ confidence: 0.9, correct: true, outOfScope: false, oosClassWins: false })),
      ...Array.from({ length: 10 }, () => ({ confidence: 0.2, correct: false, outOfScope: true, oosClassWins: false })),
    ];
    const threshold = fitOutOfScopeThreshold(rows, 0.005, 0.05);
    expect(threshold).toBeGreaterThan(0.2);
    expect(threshold).toBeLessThanOrEqual(0.9);
  });

  it('without out-of-scope rows, rejects at most the allowed share of correct predictions', () => {
    const rows = Array.from({ length: 200 }, (_, index) => ({
      confidence: index / 200,
      correct: true,
      outOfScope: false,
      oosClassWins: false,
    }));
    const threshold = fitOutOfScopeThreshold(rows, 0.01, 0.05);
    expect(rows.filter((row) => row.confidence < threshold).length).toBeLessThanOrEqual(2);
  });
});

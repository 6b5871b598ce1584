import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, clusteringAccuracy, hungarian, normalizedMutualInformation } from './metrics.js';

// Reference values computed independently (scikit-learn's definitions: NMI with the arithmetic mean).
describe('clustering metrics', () => {
  it('NMI and ARI match known values', () => {
    const truth = [0, 0, 0, 1, 1, 1];
    const predicted = [0, 0, 1, 1, 2, 2];
    expect(normalizedMutualInformation(truth, predicted)).toBeCloseTo(0.5158037429793888, 10);
    expect(adjustedRandIndex(truth, predicted)).toBeCloseTo(0.24242424242424246, 10);
    const truth2 = ['a', 'a', 'a', 'b', 'b', 'c', 'c', 'c', 'c'];
    const predicted2 = [1, 1, 2, 2, 2, 3, 3, 3, 1];
    expect(normalizedMutualInformation(truth2, predicted2)).toBeCloseTo(0.5895098274473048, 10);
    expect(adjustedRandIndex(truth2, predicted2)).toBeCloseTo(0.35714285714285715, 10);
  });

  it('is 1 for a relabelled perfect clustering and about 0 for an uninformative one', () => {
    const truth = ['x', 'x', 'y', 'y', 'z', 'z'];
    const renamed = [7, 7, 3, 3, 5, 5];
    expect(normalizedMutualInformation(truth, renamed)).toBeCloseTo(1, 12);
    expect(adjustedRandIndex(truth, renamed)).toBeCloseTo(1, 12);
    expect(clusteringAccuracy(truth, renamed)).toBe(1);
    const oneCluster = [0, 0, 0, 0, 0, 0];
    expect(normalizedMutualInformation(truth, oneCluster)).toBe(0);
    expect(adjustedRandIndex(truth, oneCluster)).toBe(0);
    expect(clusteringAccuracy(truth, oneCluster)).toBeCloseTo(2 / 6, 12);
  });

  it('accuracy uses the best one-to-one matching (Hungarian)', () => {
    // a→1 (2 rows), b→2 (2), c→3 (3): 7 of 9; a greedy match of c→1 would not be allowed twice.
    expect(clusteringAccuracy(['a', 'a', 'a', 'b', 'b', 'c', 'c', 'c', 'c'], [1, 1, 2, 2, 2, 3, 3, 3, 1])).toBeCloseTo(
      7 / 9,
      12,
    );
    // More clusters than labels: extra clusters stay unmatched.
    expect(clusteringAccuracy(['a', 'a', 'b', 'b'], [0, 1, 2, 2])).toBeCloseTo(3 / 4, 12);
  });

  it('hungarian finds the minimum-cost assignment, square and rectangular', () => {
    expect(
      hungarian([
        [4, 1, 3],
        [2, 0, 5],
        [3, 2, 2],
      ]),
    ).toEqual([1, 0, 2]);
    // Three rows, two columns: one row stays unassigned.
    const assignment = hungarian([
      [1, 9],
      [9, 1],
      [5, 5],
    ]);
    expect(assignment).toEqual([0, 1, -1]);
    expect(hungarian([])).toEqual([]);
  });

  it('rejects truth and predictions of different lengths', () => {
    expect(() => normalizedMutualInformation([1, 2], [1])).toThrow(/length/);
  });
});

/** L2-regularised logistic regression fitted by Newton's method (few features, many rows). */
export function fitLogisticRegression(
  rows: readonly Float64Array[],
  labels: readonly number[],
  options: { l2?: number; iterations?: number; sampleWeights?: readonly number[] } = {},
): { bias: number; weights: Float64Array } {
  const dimensions = rows[0]?.length ?? 0;
  const size = dimensions + 1;
  const l2 = options.l2 ?? 1e-3;
  const theta = new Float64Array(size);
  for (let iteration = 0; iteration < (options.iterations ?? 30); iteration += 1) {
    const gradient = new Float64Array(size);
    const hessian = Array.from({ length: size }, () => new Float64Array(size));
    rows.forEach((row, index) => {
      const x = [1, ...row];
      let z = 0;
      for (let d = 0; d < size; d += 1) z += theta[d]! * x[d]!;
      const p = 1 / (1 + Math.exp(-z));
      const weight = options.sampleWeights?.[index] ?? 1;
      const error = (p - labels[index]!) * weight;
      const curvature = p * (1 - p) * weight;
      for (let a = 0; a < size; a += 1) {
        gradient[a]! += error * x[a]!;
        for (let b = 0; b < size; b += 1) hessian[a]![b]! += curvature * x[a]! * x[b]!;
      }
    });
    for (let d = 1; d < size; d += 1) {
      gradient[d]! += l2 * rows.length * theta[d]!;
      hessian[d]![d]! += l2 * rows.length;
    }
    const step = solve(hessian, gradient);
    let change = 0;
    for (let d = 0; d < size; d += 1) {
      theta[d]! -= step[d]!;
      change = Math.max(change, Math.abs(step[d]!));
    }
    if (change < 1e-8) break;
  }
  return { bias: theta[0]!, weights: theta.slice(1) };
}

function solve(matrix: Float64Array[], vector: Float64Array): Float64Array {
  const size = vector.length;
  const a = matrix.map((row, index) => [...row, vector[index]!]);
  for (let column = 0; column < size; column += 1) {
    let pivot = column;
    for (let row = column + 1; row < size; row += 1)
      if (Math.abs(a[row]![column]!) > Math.abs(a[pivot]![column]!)) pivot = row;
    [a[column], a[pivot]] = [a[pivot]!, a[column]!];
    const divisor = a[column]![column]! || 1e-12;
    for (let row = 0; row < size; row += 1) {
      if (row === column) continue;
      const factor = a[row]![column]! / divisor;
      for (let k = column; k <= size; k += 1) a[row]![k]! -= factor * a[column]![k]!;
    }
  }
  return Float64Array.from(a.map((row, index) => row[size]! / (row[index]! || 1e-12)));
}

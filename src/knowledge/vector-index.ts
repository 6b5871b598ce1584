/** An exact in-process cosine index: vectors are L2-normalised once, a query is one dot product per row. */
export class VectorIndex {
  private readonly ids: string[] = [];
  private matrix: Float32Array;
  private count = 0;

  constructor(
    readonly dimension: number,
    capacity = 1024,
  ) {
    this.matrix = new Float32Array(Math.max(1, capacity) * dimension);
  }

  get size(): number {
    return this.count;
  }

  add(id: string, vector: Float32Array): void {
    if (vector.length !== this.dimension)
      throw new Error(`vector for ${id} has dimension ${vector.length}, index has ${this.dimension}`);
    if ((this.count + 1) * this.dimension > this.matrix.length) {
      const grown = new Float32Array(this.matrix.length * 2);
      grown.set(this.matrix);
      this.matrix = grown;
    }
    const norm = vectorNorm(vector);
    const offset = this.count * this.dimension;
    for (let index = 0; index < this.dimension; index += 1) this.matrix[offset + index] = vector[index]! / norm;
    this.ids.push(id);
    this.count += 1;
  }

  /** The k rows most similar to `vector` (cosine, -1…1), skipping `exclude`. */
  search(vector: Float32Array, k: number, exclude?: ReadonlySet<string>): { id: string; similarity: number }[] {
    if (vector.length !== this.dimension)
      throw new Error(`query vector has dimension ${vector.length}, index has ${this.dimension}`);
    const norm = vectorNorm(vector);
    const results: { id: string; similarity: number }[] = [];
    for (let row = 0; row < this.count; row += 1) {
      const id = this.ids[row]!;
      if (exclude?.has(id)) continue;
      let dot = 0;
      const offset = row * this.dimension;
      for (let index = 0; index < this.dimension; index += 1) dot += this.matrix[offset + index]! * vector[index]!;
      results.push({ id, similarity: dot / norm });
    }
    results.sort((a, b) => b.similarity - a.similarity);
    // Several rows may share an id (one per phrasing of an FAQ entry): keep each id's best row.
    const seen = new Set<string>();
    const unique: { id: string; similarity: number }[] = [];
    for (const result of results) {
      if (seen.has(result.id)) continue;
      seen.add(result.id);
      unique.push(result);
      if (unique.length === k) break;
    }
    return unique;
  }
}

function vectorNorm(vector: Float32Array): number {
  let sum = 0;
  for (const value of vector) sum += value * value;
  return Math.sqrt(sum) || 1;
}

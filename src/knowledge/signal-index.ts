/**
 * An inverted index for one signal (words or character bigrams) with BM25 weights precomputed per
 * posting. Field boosts and length normalisation are query-independent, so a query only adds up
 * floats: the reason search stays well under a millisecond on a few thousand entries.
 */
export class SignalIndex {
  readonly termIds = new Map<string, number>();
  private readonly buildUnits: number[][] = [];
  private readonly buildCounts: number[][] = [];
  private unitLengths: number[] = [];
  private unitGroups: number[] = [];
  /** Per unit: its distinct term ids (for the similarity features). */
  unitTerms: Int32Array[] = [];
  postingUnits: Int32Array[] = [];
  postingWeights: Float32Array[] = [];
  idf: Float64Array = new Float64Array(0);
  unseenIdf = 0;

  constructor(
    private readonly k1: number,
    private readonly b: number,
  ) {}

  /** Adds a unit (one field of one entry); `group` selects the length normalisation (one per field). */
  addUnit(unit: number, group: number, terms: readonly string[]): void {
    const counts = new Map<number, number>();
    for (const term of terms) {
      let id = this.termIds.get(term);
      if (id === undefined) {
        id = this.termIds.size;
        this.termIds.set(term, id);
        this.buildUnits.push([]);
        this.buildCounts.push([]);
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const [id, count] of counts) {
      this.buildUnits[id]!.push(unit);
      this.buildCounts[id]!.push(count);
    }
    this.unitLengths[unit] = terms.length;
    this.unitGroups[unit] = group;
    this.unitTerms[unit] = Int32Array.from(counts.keys());
  }

  /** Computes IDF and the BM25 weight of every posting; `boosts[group]` scales each field. */
  finalize(unitCount: number, boosts: readonly number[]): void {
    const groupTotals = new Map<number, { length: number; count: number }>();
    for (let unit = 0; unit < unitCount; unit += 1) {
      const group = this.unitGroups[unit];
      if (group === undefined) continue;
      const total = groupTotals.get(group) ?? { length: 0, count: 0 };
      total.length += this.unitLengths[unit]!;
      total.count += 1;
      groupTotals.set(group, total);
    }
    const averageLength = (group: number): number => {
      const total = groupTotals.get(group);
      return total === undefined || total.length === 0 ? 1 : total.length / total.count;
    };
    const documents = Math.max(1, unitCount);
    this.idf = new Float64Array(this.termIds.size);
    this.unseenIdf = Math.log(1 + (documents + 0.5) / 0.5);
    this.postingUnits = [];
    this.postingWeights = [];
    for (let term = 0; term < this.termIds.size; term += 1) {
      const units = this.buildUnits[term]!;
      const counts = this.buildCounts[term]!;
      const idf = Math.log(1 + (documents - units.length + 0.5) / (units.length + 0.5));
      this.idf[term] = idf;
      const weights = new Float32Array(units.length);
      for (let index = 0; index < units.length; index += 1) {
        const unit = units[index]!;
        const group = this.unitGroups[unit]!;
        const tf = counts[index]!;
        const norm = 1 - this.b + (this.b * this.unitLengths[unit]!) / averageLength(group);
        weights[index] = (boosts[group] ?? 1) * idf * ((tf * (this.k1 + 1)) / (tf + this.k1 * norm));
      }
      this.postingUnits.push(Int32Array.from(units));
      this.postingWeights.push(weights);
    }
    this.buildUnits.length = 0;
    this.buildCounts.length = 0;
  }

  /** Distinct term ids of a query; unknown terms get -1 (they still count in coverage features). */
  lookup(terms: readonly string[]): Int32Array {
    const seen = new Set<string>();
    const ids: number[] = [];
    for (const term of terms) {
      if (seen.has(term)) continue;
      seen.add(term);
      ids.push(this.termIds.get(term) ?? -1);
    }
    return Int32Array.from(ids);
  }

  idfOf(id: number): number {
    return id < 0 ? this.unseenIdf : this.idf[id]!;
  }

  /** Adds `scale` × BM25 of the query terms to `scores`, recording newly touched units. */
  accumulate(queryIds: Int32Array, scale: number, scores: Float64Array, touched: number[], marks: Uint8Array): void {
    for (let position = 0; position < queryIds.length; position += 1) {
      const id = queryIds[position]!;
      if (id < 0) continue;
      const units = this.postingUnits[id]!;
      const weights = this.postingWeights[id]!;
      for (let index = 0; index < units.length; index += 1) {
        const unit = units[index]!;
        if (marks[unit] === 0) {
          marks[unit] = 1;
          touched.push(unit);
        }
        scores[unit]! += scale * weights[index]!;
      }
    }
  }
}

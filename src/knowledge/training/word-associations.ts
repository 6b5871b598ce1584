// Learns word associations from paraphrase pairs with IBM model 1 (EM over word-translation
// probabilities, both directions, a NULL word), then keeps the strong off-diagonal entries as a
// symmetric table: association(w, v) = max(t(w|v), t(v|w)).

export interface AssociationOptions {
  iterations?: number;
  /** Words seen fewer times (in the pairs) are not modelled. */
  minCount?: number;
  /** Entries below this strength are dropped. */
  minStrength?: number;
  /** At most this many associations per word. */
  perWord?: number;
}

const NULL_WORD = '\u0000';

export function learnWordAssociations(
  pairs: readonly (readonly [readonly string[], readonly string[]])[],
  options: AssociationOptions = {},
): Map<string, Map<string, number>> {
  const iterations = options.iterations ?? 6;
  const minCount = options.minCount ?? 2;
  const minStrength = options.minStrength ?? 0.05;
  const perWord = options.perWord ?? 10;

  const counts = new Map<string, number>();
  for (const [a, b] of pairs) for (const word of new Set([...a, ...b])) counts.set(word, (counts.get(word) ?? 0) + 1);
  const keep = (words: readonly string[]): string[] => [
    ...new Set(words.filter((word) => (counts.get(word) ?? 0) >= minCount)),
  ];
  const directed: [string[], string[]][] = [];
  for (const [a, b] of pairs) {
    const left = keep(a);
    const right = keep(b);
    if (left.length === 0 || right.length === 0) continue;
    directed.push([[NULL_WORD, ...left], right], [[NULL_WORD, ...right], left]);
  }

  // t(target | source), initialised uniformly over co-occurring words.
  const table = new Map<string, Map<string, number>>();
  for (const [source, target] of directed) {
    for (const e of source) {
      let row = table.get(e);
      if (row === undefined) table.set(e, (row = new Map<string, number>()));
      for (const f of target) row.set(f, 1);
    }
  }
  for (const row of table.values()) for (const f of row.keys()) row.set(f, 1 / row.size);

  for (let iteration = 0; iteration < iterations; iteration += 1) {
    const expected = new Map<string, Map<string, number>>();
    const totals = new Map<string, number>();
    for (const [source, target] of directed) {
      for (const f of target) {
        let normaliser = 0;
        for (const e of source) normaliser += table.get(e)!.get(f) ?? 0;
        if (normaliser === 0) continue;
        for (const e of source) {
          const share = (table.get(e)!.get(f) ?? 0) / normaliser;
          if (share === 0) continue;
          let row = expected.get(e);
          if (row === undefined) expected.set(e, (row = new Map<string, number>()));
          row.set(f, (row.get(f) ?? 0) + share);
          totals.set(e, (totals.get(e) ?? 0) + share);
        }
      }
    }
    for (const [e, row] of expected) {
      const total = totals.get(e)!;
      const next = new Map<string, number>();
      for (const [f, count] of row) next.set(f, count / total);
      table.set(e, next);
    }
  }

  const strength = (w: string, v: string): number => Math.max(table.get(v)?.get(w) ?? 0, table.get(w)?.get(v) ?? 0);
  const associations = new Map<string, Map<string, number>>();
  for (const [e, row] of table) {
    if (e === NULL_WORD) continue;
    for (const f of row.keys()) {
      if (f === e || f === NULL_WORD) continue;
      const value = strength(f, e);
      if (value < minStrength) continue;
      for (const [a, b] of [
        [e, f],
        [f, e],
      ] as const) {
        let entry = associations.get(a);
        if (entry === undefined) associations.set(a, (entry = new Map<string, number>()));
        entry.set(b, value);
      }
    }
  }
  for (const [word, related] of associations) {
    const top = [...related].sort((x, y) => y[1] - x[1]).slice(0, perWord);
    associations.set(word, new Map(top));
  }
  return associations;
}

/**
 * The linear congruential generator the training scripts use: the same seed gives the same
 * sample, shuffle and artifact on every machine (the shipped models' build commands rely on it).
 */
export function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Fisher–Yates shuffle in place with `lcg(seed)`; returns `items`. */
export function shuffle<T>(items: T[], seed: number): T[] {
  const random = lcg(seed);
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
  return items;
}

/**
 * Levenshtein distance on characters (Unicode code points, so 汉字 and emoji count as one):
 * how much an agent changed an assist draft before sending it. O(n·m) time, O(min(n, m)) memory.
 */
export function editDistance(from: string, to: string): number {
  let a = [...from];
  let b = [...to];
  if (a.length < b.length) [a, b] = [b, a];
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  let current = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i += 1) {
    current[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

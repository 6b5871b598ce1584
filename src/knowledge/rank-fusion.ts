/**
 * Reciprocal-rank fusion (Cormack et al. 2009): Σ weight / (k + rank) over the rankings an id appears
 * in. Rank-based, so BM25 scores and cosine similarities need no common scale.
 */
export function reciprocalRankFusion(
  rankings: readonly { ids: readonly string[]; weight?: number }[],
  k = 60,
): { id: string; score: number }[] {
  const scores = new Map<string, number>();
  for (const ranking of rankings) {
    const weight = ranking.weight ?? 1;
    ranking.ids.forEach((id, rank) => scores.set(id, (scores.get(id) ?? 0) + weight / (k + rank + 1)));
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

import { Random } from './random.js';

/**
 * The trainer's review queue: turns kefu was unsure about (suggestions, fallbacks, hand-overs,
 * thumbs down) ordered by expected value, i.e. active learning: uncertainty (1 − confidence) times
 * how often the phrasing's cluster occurs, so one label fixes the most future turns. Within the
 * order, a cluster's second item waits until every other cluster has had its first (a label on
 * the same phrasing twice teaches little).
 */
export interface QueueItem {
  id: string;
  /** 0–1: how unsure kefu was (see turnUncertainty). */
  uncertainty: number;
  /** Phrasing cluster of the message (clusters of the same review window). */
  cluster: number;
}

export type QueueStrategy = 'value' | 'random';

/**
 * How unsure kefu was about a turn, relative to its own decision: highest for a confidence just
 * under the gate (it nearly answered: suggestions), falling to zero for a confident decline (a
 * clear out-of-scope message); a thumbs-down on an answer is a sure mistake (1); a turn a
 * hand-over rule took (complaint, fraud, 转人工) is a rule's decision, not the matcher's (low).
 */
export function turnUncertainty(turn: {
  confidence: number;
  gate: number;
  answered: boolean;
  thumbsDown: boolean;
  handoverRule: string | null;
}): number {
  if (turn.thumbsDown) return 1;
  if (turn.answered) return Math.max(0, 1 - turn.confidence) / 2;
  const gate = Math.max(1e-6, turn.gate);
  const closeness = Math.max(0, Math.min(1, turn.confidence / gate));
  return turn.handoverRule ? closeness * 0.2 : closeness;
}

export function expectedValue(item: QueueItem, clusterSize: ReadonlyMap<number, number>): number {
  return Math.max(0, Math.min(1, item.uncertainty)) * (clusterSize.get(item.cluster) ?? 1);
}

/** Queue order: `value` (expected value, clusters interleaved) or `random` (seeded shuffle). */
export function orderReviewQueue<T extends QueueItem>(items: readonly T[], strategy: QueueStrategy, seed = 1): T[] {
  if (strategy === 'random') return new Random(seed).shuffle([...items]);
  const clusterSize = new Map<number, number>();
  for (const item of items) clusterSize.set(item.cluster, (clusterSize.get(item.cluster) ?? 0) + 1);
  const scored = items
    .map((item) => ({ item, value: expectedValue(item, clusterSize) }))
    .sort((a, b) => b.value - a.value || a.item.id.localeCompare(b.item.id));
  // Round r takes the r-th item of each cluster, in value order.
  const rank = new Map<number, number>();
  const withRound = scored.map(({ item, value }) => {
    const round = rank.get(item.cluster) ?? 0;
    rank.set(item.cluster, round + 1);
    return { item, value, round };
  });
  return withRound.sort((a, b) => a.round - b.round || b.value - a.value).map(({ item }) => item);
}

/**
 * Click promotion policy. A suggestion click is an implicit label; it becomes a training example
 * only once it is confirmed: `agreement` (default) needs `minAgreeing` clicks in the same phrasing
 * cluster choosing the same FAQ with none choosing another, or a trainer label agreeing with it;
 * `approval` needs the trainer; `immediate` trusts every click (not safe: customers misclick).
 */
export interface PromotionPolicy {
  mode: 'agreement' | 'approval' | 'immediate';
  minAgreeing: number;
}

export const DEFAULT_PROMOTION_POLICY: PromotionPolicy = { mode: 'agreement', minAgreeing: 2 };

export interface Click {
  id: string;
  text: string;
  faq: string;
  cluster: number;
}

/** The clicks that the policy promotes, given the trainer's labels (item id → label) and their clusters. */
export function promoteClicks(
  clicks: readonly Click[],
  trainerLabels: ReadonlyArray<{ cluster: number; label: string; id: string }>,
  policy: PromotionPolicy = DEFAULT_PROMOTION_POLICY,
): Click[] {
  if (policy.mode === 'immediate') return [...clicks];
  const approvedIds = new Map(trainerLabels.map((label) => [label.id, label.label]));
  const approvedInCluster = new Map<number, Set<string>>();
  for (const label of trainerLabels) {
    const set = approvedInCluster.get(label.cluster) ?? new Set<string>();
    set.add(label.label);
    approvedInCluster.set(label.cluster, set);
  }
  const byCluster = new Map<number, Map<string, number>>();
  for (const click of clicks) {
    const votes = byCluster.get(click.cluster) ?? new Map<string, number>();
    votes.set(click.faq, (votes.get(click.faq) ?? 0) + 1);
    byCluster.set(click.cluster, votes);
  }
  return clicks.filter((click) => {
    if (approvedIds.get(click.id) === click.faq) return true;
    if (policy.mode === 'approval') return false;
    const approved = approvedInCluster.get(click.cluster);
    if (approved?.size === 1 && approved.has(click.faq)) return true;
    const votes = byCluster.get(click.cluster)!;
    return votes.size === 1 && (votes.get(click.faq) ?? 0) >= policy.minAgreeing;
  });
}

/** Anything versioned by content: a document (key = path), an FAQ entry (key = id) or a chunk. */
export interface VersionedItem {
  key: string;
  contentHash: string;
}

export interface VersionDiff<T extends VersionedItem> {
  added: T[];
  /** Same key, different content: `previous` is kept for audit, `next` becomes active. */
  changed: { previous: T; next: T }[];
  removed: T[];
  unchanged: T[];
}

/**
 * Compares two versions of a source by key and content hash: the change report of a re-sync, and
 * the list of what must be re-indexed (added + changed) or retired (removed). Pure; order follows
 * `next`, then removed items in `previous` order.
 * @example
 * const diff = diffVersions(lastSync, thisSync);
 * diff.changed.map(({ next }) => next.key); // re-index only these
 */
export function diffVersions<T extends VersionedItem>(previous: readonly T[], next: readonly T[]): VersionDiff<T> {
  const before = new Map<string, T>();
  for (const item of previous) before.set(item.key, item);
  const seen = new Set<string>();
  const diff: VersionDiff<T> = { added: [], changed: [], removed: [], unchanged: [] };
  for (const item of next) {
    if (seen.has(item.key)) continue;
    seen.add(item.key);
    const old = before.get(item.key);
    if (old === undefined) diff.added.push(item);
    else if (old.contentHash === item.contentHash) diff.unchanged.push(item);
    else diff.changed.push({ previous: old, next: item });
  }
  for (const item of previous) if (!seen.has(item.key)) diff.removed.push(item);
  return diff;
}

/** A one-line human summary of a diff, for the change report. */
export function summarizeDiff(diff: VersionDiff<VersionedItem>): string {
  return `${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed, ${diff.unchanged.length} unchanged`;
}

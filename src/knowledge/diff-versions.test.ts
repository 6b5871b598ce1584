import { describe, expect, it } from 'vitest';
import { diffVersions, summarizeDiff } from './diff-versions.js';

describe('diffVersions', () => {
  it('reports added, changed, removed and unchanged items by key and content hash', () => {
    const previous = [
      { key: 'a.md', contentHash: '1' },
      { key: 'b.md', contentHash: '2' },
      { key: 'c.md', contentHash: '3' },
    ];
    const next = [
      { key: 'b.md', contentHash: '2' },
      { key: 'c.md', contentHash: '3x' },
      { key: 'd.md', contentHash: '4' },
    ];
    const diff = diffVersions(previous, next);
    expect(diff.added.map((item) => item.key)).toEqual(['d.md']);
    expect(diff.changed).toEqual([
      { previous: { key: 'c.md', contentHash: '3' }, next: { key: 'c.md', contentHash: '3x' } },
    ]);
    expect(diff.removed.map((item) => item.key)).toEqual(['a.md']);
    expect(diff.unchanged.map((item) => item.key)).toEqual(['b.md']);
    expect(summarizeDiff(diff)).toBe('1 added, 1 changed, 1 removed, 1 unchanged');
  });

  it('finds nothing to do when nothing changed, and treats a duplicate key once', () => {
    const items = Array.from({ length: 1000 }, (_, index) => ({ key: `doc-${index}.md`, contentHash: `h${index}` }));
    const diff = diffVersions(items, [...items, items[0]!]);
    expect(diff.unchanged).toHaveLength(1000);
    expect(diff.added.length + diff.changed.length + diff.removed.length).toBe(0);
  });
});

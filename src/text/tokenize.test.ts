import { describe, expect, it } from 'vitest';
import { jiebaWithUserDictionary, tokenize } from './tokenize.js';

describe('jieba with a tenant dictionary', () => {
  it('builds one instance per dictionary while it is in use, so a tenant’s classifier and retrieval index share it', () => {
    const first = jiebaWithUserDictionary(['小满优品 100 nz', '七天无理由 100 n']);
    // The same lines, however they arrive (cleaned the same way), give the same instance.
    expect(jiebaWithUserDictionary(['小满优品 100 nz', '七天无理由 100 n'])).toBe(first);
    expect(jiebaWithUserDictionary(['  小满优品 100 nz\u0007', '七天无理由 100 n'])).toBe(first);
    const other = jiebaWithUserDictionary(['一葉茶舖 100 nz']);
    expect(other).not.toBe(first);
    expect(tokenize('小满优品七天无理由退货', { jieba: first })).toEqual(
      expect.arrayContaining(['小满优品', '七天无理由']),
    );
    expect(tokenize('一葉茶舖', { jieba: other })).toContain('一葉茶舖');
  });
});

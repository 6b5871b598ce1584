import { describe, expect, it } from 'vitest';
import { chunkDocument, splitSentences } from './chunk-document.js';
import type { DocumentSection } from './document.js';

const section = (text: string, headingTrail: string[], extra: Partial<DocumentSection> = {}): DocumentSection => ({
  kind: 'paragraph',
  headingTrail,
  text,
  ...extra,
});

describe('splitSentences', () => {
  it('splits at Chinese and English sentence ends, keeping closing quotes', () => {
    expect(splitSentences('第一句。第二句！第三句？“引用。”第四句；最后')).toEqual([
      '第一句。',
      '第二句！',
      '第三句？',
      '“引用。”',
      '第四句；',
      '最后',
    ]);
    expect(splitSentences('First one. Second one! Third? 3.5 stays whole.')).toEqual([
      'First one.',
      'Second one!',
      'Third?',
      '3.5 stays whole.',
    ]);
  });
});

describe('chunkDocument', () => {
  it('keeps small sections under one heading together and never crosses a heading', () => {
    const chunks = chunkDocument({
      path: 'policy.md',
      sections: [
        section('段落一。', ['政策', '退货']),
        section('段落二。', ['政策', '退货']),
        section('另一个标题下。', ['政策', '退款']),
      ],
    });
    expect(chunks.map((chunk) => [chunk.headingTrail.join('>'), chunk.text])).toEqual([
      ['政策>退货', '段落一。\n段落二。'],
      ['政策>退款', '另一个标题下。'],
    ]);
    expect(chunks.every((chunk) => chunk.sourcePath === 'policy.md')).toBe(true);
    expect(chunks.map((chunk) => chunk.index)).toEqual([0, 1]);
  });

  it('splits a long Chinese paragraph only at sentence ends', () => {
    const sentences = Array.from(
      { length: 12 },
      (_, index) => `这是第${index + 1}句话，用来测试分块是否在句号处断开。`,
    );
    const chunks = chunkDocument(
      { path: 'a.md', sections: [section(sentences.join(''), ['标题'])] },
      { maxCharacters: 100 },
    );
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(100);
      expect(chunk.text).toMatch(/。$/);
      expect(chunk.text.startsWith('这是第')).toBe(true);
    }
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(sentences.join(''));
  });

  it('splits long lists between items and long tables between rows, repeating the header', () => {
    const items = Array.from({ length: 10 }, (_, index) => `- 第 ${index + 1} 项：满 ${index + 1}00 元可用`);
    const rows = ['城市 | 时效', ...Array.from({ length: 12 }, (_, index) => `城市${index + 1} | ${index + 1} 天`)];
    const chunks = chunkDocument(
      {
        path: 'a.html',
        sections: [
          section(items.join('\n'), ['优惠'], { kind: 'list', items }),
          section(rows.join('\n'), ['配送'], { kind: 'table', items: rows }),
        ],
      },
      { maxCharacters: 80 },
    );
    const listChunks = chunks.filter((chunk) => chunk.headingTrail[0] === '优惠');
    const tableChunks = chunks.filter((chunk) => chunk.headingTrail[0] === '配送');
    expect(listChunks.length).toBeGreaterThan(1);
    for (const chunk of listChunks) for (const line of chunk.text.split('\n')) expect(items).toContain(line);
    expect(tableChunks.length).toBeGreaterThan(1);
    for (const chunk of tableChunks) expect(chunk.text.split('\n')[0]).toBe('城市 | 时效');
    const tableRows = tableChunks.flatMap((chunk) => chunk.text.split('\n').slice(1));
    expect(tableRows).toEqual(rows.slice(1));
  });

  it('hashes chunks by heading trail and text, so only edited chunks change', () => {
    const before = chunkDocument({ path: 'a.md', sections: [section('不变。', ['一']), section('会改。', ['二'])] });
    const after = chunkDocument({ path: 'a.md', sections: [section('不变。', ['一']), section('改过了。', ['二'])] });
    expect(after[0]!.contentHash).toBe(before[0]!.contentHash);
    expect(after[1]!.contentHash).not.toBe(before[1]!.contentHash);
    const moved = chunkDocument({ path: 'a.md', sections: [section('不变。', ['三'])] });
    expect(moved[0]!.contentHash).not.toBe(before[0]!.contentHash);
  });

  it('keeps the page of PDF chunks and cuts a sentence longer than the limit at a comma', () => {
    const long = `${'很长的条款内容'.repeat(8)}，${'后半部分'.repeat(8)}。`;
    const chunks = chunkDocument({ path: 'a.pdf', sections: [section(long, [], { page: 3 })] }, { maxCharacters: 60 });
    expect(chunks[0]!.page).toBe(3);
    expect(chunks[0]!.text.endsWith('，')).toBe(true);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(long);
  });
});

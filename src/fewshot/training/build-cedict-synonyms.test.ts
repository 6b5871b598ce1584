import { describe, expect, it } from 'vitest';
import {
  buildSynonymTable,
  glossesOf,
  parseJiebaFrequencies,
  type SynonymBuildOptions,
} from './build-cedict-synonyms.js';

// A few real CC-CEDICT lines (CC BY-SA 4.0), in the file's own format.
const CEDICT = [
  '# CC-CEDICT',
  '錢 钱 [Qian2] /surname Qian/',
  '錢 钱 [qian2] /coin/money/CL:筆|笔[bi3]/',
  '早餐 早餐 [zao3 can1] /breakfast/CL:份[fen4],頓|顿[dun4],次[ci4]/',
  '早飯 早饭 [zao3 fan4] /breakfast/CL:份[fen4],頓|顿[dun4],次[ci4]/',
  '早點 早点 [zao3 dian3] /breakfast/',
  '退款 退款 [tui4 kuan3] /to refund/refund/',
  '喫 吃 [chi1] /variant of 吃[chi1]/',
  "北京 北京 [Bei3 jing1] /Beijing, capital of the People's Republic of China/",
  '小孩 小孩 [xiao3 hai2] /child/CL:個|个[ge4]/',
  '兒童 儿童 [er2 tong2] /child/CL:個|个[ge4]/',
  '孩子 孩子 [hai2 zi5] /child/',
].join('\n');
const FREQUENCIES = parseJiebaFrequencies(
  [
    '钱 3000 n',
    '早餐 200 n',
    '早饭 100 n',
    '早点 80 n',
    '退款 25 v',
    '吃 9000 v',
    '北京 5000 ns',
    '小孩 900 n',
    '儿童 900 n',
    '孩子 900 n',
  ].join('\n'),
);
const OPTIONS: SynonymBuildOptions = {
  minWordLength: 1,
  minWordFrequency: 3,
  maxGlossesPerWord: 4,
  maxWordsPerGloss: 4,
  maxGlossWords: 3,
};

describe('buildSynonymTable (CC-CEDICT → synonym classes)', () => {
  it('normalises glosses and drops what is not a meaning (classifiers, surnames, variants)', () => {
    expect(glossesOf('to refund/refund/', 3)).toEqual(['refund']);
    expect(glossesOf('coin/money/CL:筆|笔[bi3]/', 3)).toEqual(['coin', 'money']);
    expect(glossesOf('surname Qian/', 3)).toEqual([]);
    expect(glossesOf('variant of 吃[chi1]/', 3)).toEqual([]);
    expect(glossesOf('to check through (baggage)/', 3)).toEqual(['check through']);
  });

  it('groups the words of a gloss, leaves out names, and keeps a one-word gloss of one word for English', () => {
    const table = buildSynonymTable(CEDICT, FREQUENCIES, OPTIONS);
    expect(table.get('breakfast')).toEqual(['早点', '早餐', '早饭']);
    expect(table.get('refund')).toEqual(['退款']);
    expect(table.get('money')).toEqual(['钱']);
    expect([...table.values()].flat()).not.toContain('北京');
    expect([...table.keys()].some((gloss) => gloss.includes('qian'))).toBe(false);
  });

  it('drops a gloss shared by too many words, and rare or single-character words when asked', () => {
    expect(buildSynonymTable(CEDICT, FREQUENCIES, { ...OPTIONS, maxWordsPerGloss: 2 }).has('breakfast')).toBe(false);
    expect(buildSynonymTable(CEDICT, FREQUENCIES, { ...OPTIONS, minWordFrequency: 90 }).get('breakfast')).toEqual([
      '早餐',
      '早饭',
    ]);
    expect(buildSynonymTable(CEDICT, FREQUENCIES, { ...OPTIONS, minWordLength: 2 }).has('money')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { splitQuestions } from './multi-question.js';

describe('splitQuestions', () => {
  it('splits on question marks and on 还有 / 另外 / and also, in Simplified, Traditional and English', () => {
    expect(splitQuestions('花呗怎么开通？发票怎么开？')).toEqual(['花呗怎么开通？', '发票怎么开？']);
    expect(splitQuestions('運費怎麼算？發票怎麼開？')).toEqual(['運費怎麼算？', '發票怎麼開？']);
    expect(splitQuestions('运费多少，还有怎么开发票')).toEqual(['运费多少', '怎么开发票']);
    expect(splitQuestions('运费多少？还有怎么开发票？')).toEqual(['运费多少？', '怎么开发票？']);
    expect(splitQuestions('運費多少，另外發票怎麼開')).toEqual(['運費多少', '發票怎麼開']);
    expect(splitQuestions('How much is shipping? And also how do I get an invoice?')).toEqual([
      'How much is shipping?',
      'how do I get an invoice?',
    ]);
  });

  it('keeps one question whole', () => {
    expect(splitQuestions('发票怎么开？我上周买的')).toEqual(['发票怎么开？我上周买的']);
    expect(splitQuestions('你好！运费怎么算？')).toEqual(['你好！运费怎么算？']);
    expect(splitQuestions('还有货吗？')).toEqual(['还有货吗？']);
    expect(splitQuestions('How do I return this?')).toEqual(['How do I return this?']);
    expect(splitQuestions('好吗？嗯？')).toEqual(['好吗？']);
  });
});

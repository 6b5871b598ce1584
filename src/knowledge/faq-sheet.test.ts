import { fixturePath } from '../../test/support/fixtures.js';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { faqIdFromQuestion, localeOfAnswerHeader, parseFaqSheet, readFaqLocaleAnswers } from './faq-sheet.js';

const fixture = (name: string): Uint8Array => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const codes = (problems: { code: string }[]): string[] => problems.map((problem) => problem.code);

describe('parseFaqSheet', () => {
  it('parses the travel-zh tenant FAQ to 40 entries without problems', () => {
    const { entries, problems } = parseFaqSheet(readFileSync(fixturePath('travel-zh', 'faq.csv')), 'faq.csv');
    expect(problems).toEqual([]);
    expect(entries).toHaveLength(40);
    expect(entries[0]).toMatchObject({
      id: 'faq-01',
      question: '机票退票怎么收费？',
      category: '机票',
      sensitive: false,
      row: 2,
    });
    expect(entries[0]!.alternatives).toContain('退机票要扣多少钱');
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(40);
  });

  it('reads UTF-8 with a BOM and English headers, splitting alternatives on | and new lines', () => {
    const csv =
      '\ufeffID,Question,Answer,Similar,Category,Sensitive\nq1,How do I reset my password?,Settings → Account.,"forgot password | can\'t log in\nlocked out",Account,yes\n';
    const { entries, problems } = parseFaqSheet(utf8(csv), 'faq.csv');
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      {
        id: 'q1',
        question: 'How do I reset my password?',
        answer: 'Settings → Account.',
        alternatives: ['forgot password', "can't log in", 'locked out'],
        category: 'Account',
        sensitive: true,
        row: 2,
      },
    ]);
  });

  it('detects and decodes a GBK CSV (Excel on Chinese Windows)', () => {
    const { entries, problems } = parseFaqSheet(fixture('faq-gbk.csv'), 'faq-gbk.csv');
    expect(problems).toEqual([]);
    expect(entries.map((entry) => entry.question)).toEqual(['怎么修改收货地址？', '发货后多久到？']);
    expect(entries[0]!.alternatives).toEqual(['地址填错了', '改地址']);
  });

  it('reads a file mixing UTF-8 and GBK lines and reports the mix', () => {
    const bytes = Buffer.concat([
      Buffer.from('问题,答案\n退款多久到账,3 个工作日\n', 'utf8'),
      iconv.encode('发票怎么开,订单页申请\n', 'gbk'),
    ]);
    const { entries, problems } = parseFaqSheet(bytes, 'mixed.csv');
    expect(entries.map((entry) => entry.question)).toEqual(['退款多久到账', '发票怎么开']);
    expect(problems).toEqual([expect.objectContaining({ code: 'mixed_encoding', row: 3 })]);
  });

  it('recognises Traditional Chinese headers and keeps the text as written', () => {
    const csv = '編號,問題,答案,相似問法,類別,敏感\nt1,發票怎麼開？,在訂單詳情頁申請。,開發票|要發票,帳務,是\n';
    const { entries, problems } = parseFaqSheet(utf8(csv), 'faq.csv');
    expect(problems).toEqual([]);
    expect(entries[0]).toMatchObject({
      id: 't1',
      question: '發票怎麼開？',
      alternatives: ['開發票', '要發票'],
      category: '帳務',
      sensitive: true,
    });
  });

  it('reads the first sheet of an XLSX written by another library, skipping a title row', () => {
    const { entries, problems } = parseFaqSheet(fixture('faq.xlsx'), 'faq.xlsx');
    expect(entries.map((entry) => entry.id)).toEqual([
      'k-01',
      'k-02',
      faqIdFromQuestion('How do I reset my password?'),
      'k-04',
    ]);
    expect(entries[1]!.alternatives).toEqual(['退货运费谁出', '退货要自己付运费吗']);
    expect(entries[2]).toMatchObject({ sensitive: true, category: 'Account', row: 6 });
    expect(entries[3]).toMatchObject({ question: '發票怎麼開？', sensitive: true, category: null });
    expect(problems).toEqual([
      expect.objectContaining({ row: 8, code: 'duplicate_id', column: '编号' }),
      expect.objectContaining({ row: 9, code: 'empty_question' }),
    ]);
  });

  it('reports missing required columns with the header row and returns no entries', () => {
    const { entries, problems } = parseFaqSheet(fixture('faq-wrong-headers.csv'), 'faq-wrong-headers.csv');
    expect(entries).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ row: 1, code: 'missing_columns' })]);
    expect(problems[0]!.message).toContain('问题/question');
  });

  it('reports row problems with the line where the record starts', () => {
    const csv = [
      'id,question,answer,alternatives',
      'a,"Where is my order?","Track it under\nOrders.",where is my parcel',
      'a,Duplicate id,ignored,',
      'b,,no question,',
      'c,No answer,,',
      'd,Refund time?,5 days,where is my parcel|refund how long',
      'e,Too many,fields,x,extra',
      'f,Too few',
      'g,Is shipping free?,Over ¥99.,',
    ].join('\n');
    const { entries, problems } = parseFaqSheet(utf8(csv), 'faq.csv');
    expect(entries.map((entry) => [entry.id, entry.row])).toEqual([
      ['a', 2],
      ['d', 7],
      ['e', 8],
      ['g', 10],
    ]);
    expect(entries[1]!.alternatives).toEqual(['refund how long']);
    expect(problems.map((problem) => [problem.row, problem.code])).toEqual([
      [4, 'duplicate_id'],
      [5, 'empty_question'],
      [6, 'empty_answer'],
      [7, 'duplicate_phrasing'],
      [8, 'too_many_fields'],
      [9, 'too_few_fields'],
      [9, 'empty_answer'],
    ]);
  });

  it('flags the same question under two ids', () => {
    const csv = 'id,问题,答案\nr1,怎么退货？,订单页申请。\nr2,怎么退货,联系客服。\n';
    const { entries, problems } = parseFaqSheet(utf8(csv), 'faq.csv');
    expect(entries).toHaveLength(2);
    expect(problems).toEqual([expect.objectContaining({ row: 3, code: 'duplicate_phrasing' })]);
  });

  it('reads answers per locale (答案_en, answer_zh-TW, 答案（英文）) and keeps sheets without them as they were', () => {
    const sheet = [
      'id,问题,答案,答案_en,答案_zh-TW',
      'faq-1,怎么退货？,七天内可以无理由退货。,You can return items within 7 days.,七天內可以無理由退貨。',
      'faq-2,运费多少？,满99元包邮。,,',
    ].join('\n');
    const { entries, problems } = parseFaqSheet(utf8(sheet), 'faq.csv');
    expect(problems).toEqual([]);
    expect(entries[0]).toMatchObject({
      answer: '七天内可以无理由退货。',
      answers: { en: 'You can return items within 7 days.', 'zh-TW': '七天內可以無理由退貨。' },
    });
    // A row without them has no `answers` at all (so stored hashes of old sheets do not change).
    expect(entries[1]).not.toHaveProperty('answers');
    const english = parseFaqSheet(
      utf8('Question,Answer,Answer_EN\nHow to return?,七天内退货。,Within 7 days.'),
      'faq.csv',
    );
    expect(english.entries[0]!.answers).toEqual({ en: 'Within 7 days.' });
    expect(localeOfAnswerHeader('答案（英文）')).toBe('en');
    expect(localeOfAnswerHeader('答案_繁體')).toBe('zh-TW');
    expect(localeOfAnswerHeader('answer-zh-Hant')).toBe('zh-TW');
    expect(localeOfAnswerHeader('答案')).toBeUndefined();
    expect(localeOfAnswerHeader('answer_fr')).toBeUndefined();
    const repeated = parseFaqSheet(utf8('问题,答案,答案_en,answer_en\n怎么退货,七天,Seven days,Again'), 'faq.csv');
    expect(codes(repeated.problems)).toEqual(['duplicate_column']);
    expect(repeated.entries[0]!.answers).toEqual({ en: 'Seven days' });
  });

  it('reads stored answers per locale defensively', () => {
    expect(readFaqLocaleAnswers('{"en":"Hi","fr":"Salut","zh-TW":""}')).toEqual({ answers: { en: 'Hi' } });
    expect(readFaqLocaleAnswers({ 'zh-TW': '您好' })).toEqual({ answers: { 'zh-TW': '您好' } });
    expect(readFaqLocaleAnswers(null)).toEqual({});
    expect(readFaqLocaleAnswers('not json')).toEqual({});
    expect(readFaqLocaleAnswers(['en'])).toEqual({});
  });

  it('derives stable ids from the question, insensitive to script, width and punctuation', () => {
    expect(faqIdFromQuestion('發票怎麼開？')).toBe(faqIdFromQuestion('发票怎么开?'));
    expect(faqIdFromQuestion('Reset password')).toBe(faqIdFromQuestion('ＲＥＳＥＴ password!'));
    expect(faqIdFromQuestion('发票怎么开')).not.toBe(faqIdFromQuestion('发票怎么寄'));
    const first = parseFaqSheet(utf8('问题,答案\n发票怎么开,订单页\n'), 'a.csv').entries[0]!.id;
    const again = parseFaqSheet(utf8('答案,问题\n订单页申请,发票怎么开\n'), 'b.csv').entries[0]!.id;
    expect(first).toBe(again);
  });

  it('reads sensitive as yes/no/是/否/true/false/1/0 and reports other values', () => {
    const csv = '问题,答案,敏感\nq1,a,是\nq2,a,否\nq3,a,TRUE\nq4,a,0\nq5,a,maybe\nq6,a,\n';
    const { entries, problems } = parseFaqSheet(utf8(csv), 'faq.csv');
    expect(entries.map((entry) => entry.sensitive)).toEqual([true, false, true, false, false, false]);
    expect(problems).toEqual([expect.objectContaining({ row: 6, code: 'invalid_sensitive', column: '敏感' })]);
  });

  it('reports unknown columns but still reads the sheet; tab-separated files work too', () => {
    const { entries, problems } = parseFaqSheet(utf8('问题\t答案\t备注\n几点开门\t9 点\t内部\n'), 'faq.tsv');
    expect(entries).toHaveLength(1);
    expect(problems).toEqual([expect.objectContaining({ row: 1, code: 'unknown_column', column: '备注' })]);
  });

  it('turns empty, corrupt, legacy and encrypted files into problems', () => {
    expect(codes(parseFaqSheet(new Uint8Array(), 'faq.csv').problems)).toEqual(['empty_file']);
    expect(codes(parseFaqSheet(utf8('\n\n  \n'), 'faq.csv').problems)).toEqual(['empty_file']);
    const corruptXlsx = fixture('faq.xlsx').slice(0, 400);
    expect(codes(parseFaqSheet(corruptXlsx, 'faq.xlsx').problems)).toEqual(['unreadable_xlsx']);
    const oleHeader = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    expect(codes(parseFaqSheet(oleHeader, 'faq.xlsx').problems)).toEqual(['unsupported_format']);
    const unclosed = parseFaqSheet(utf8('问题,答案\n怎么退货,订单页\n"未闭合,引号\n'), 'faq.csv');
    expect(unclosed.entries).toHaveLength(1);
    expect(codes(unclosed.problems)).toContain('malformed_csv');
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom('x.csv', 'x.xlsx', 'x.xls', 'x'),
        (bytes, name) => {
          const result = parseFaqSheet(bytes, name);
          expect(Array.isArray(result.entries)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        parseFaqSheet(utf8(`问题,答案\n${text}`), 'x.csv');
      }),
      { numRuns: 300 },
    );
  });
});

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { LoadedDocument, LoadResult } from './document.js';
import { detectFormat, loadDocument } from './load-document.js';

const fixture = (name: string): Uint8Array => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
const loaded = (result: LoadResult): LoadedDocument => {
  if (!result.ok) throw new Error(`expected a document, got ${result.problem.code}: ${result.problem.message}`);
  return result.document;
};

describe('loadDocument', () => {
  it('loads a Markdown policy with heading trails, lists, tables and front matter', async () => {
    const document = loaded(await loadDocument(fixture('policy.md'), 'policies/policy.md'));
    expect(document).toMatchObject({ path: 'policies/policy.md', format: 'markdown', title: '退换货政策' });
    expect(document.sections.map((section) => [section.kind, section.headingTrail.join(' > ')])).toEqual([
      ['paragraph', '退换货政策'],
      ['paragraph', '退换货政策 > 退货期限'],
      ['list', '退换货政策 > 退款方式'],
      ['table', '退换货政策 > 退款方式'],
      ['paragraph', '退换货政策 > Returns in English'],
      ['quote', '退换货政策 > Returns in English'],
    ]);
    expect(document.sections[1]!.text).toContain('自签收之日起 7 天内'); // bold markers stripped
    expect(document.sections[2]!.items).toEqual([
      '1. 原路退回：3 个工作日内到账。',
      '2. 余额退回：审核通过后立即到账。',
      '  - 余额可用于下次购物',
    ]);
    expect(document.sections[3]!.items![0]).toBe('支付方式 | 到账时间');
  });

  it('extracts the main content of an HTML page, leaving navigation, ads, scripts and footer out', async () => {
    const document = loaded(await loadDocument(fixture('faq-page.html'), 'https://shop.example.com/help/shipping'));
    const text = document.sections.map((section) => section.text).join('\n');
    expect(document.format).toBe('html');
    expect(text).toContain('订单满 99 元免运费');
    expect(text).toContain('Orders ship within 24 hours');
    expect(text).not.toMatch(/首页|登录|五折|不要索引|沪ICP/);
    const list = document.sections.find((section) => section.kind === 'list')!;
    expect(list.items).toContain('  - 首重 1 公斤 12 元');
    expect(document.sections.find((section) => section.kind === 'table')!.items).toEqual([
      '地区 | 时效',
      '华东 | 次日达',
      '西北 | 3–5 天',
    ]);
    expect(document.sections.find((section) => section.text.startsWith('Orders'))!.headingTrail).toEqual([
      'Delivery times',
    ]);
  });

  it('reads a GBK-encoded HTML page', async () => {
    const html =
      '<html><head><meta charset="gbk"><title>帮助</title></head><body><h1>发票</h1><p>电子发票在订单完成后 24 小时内开具。</p></body></html>';
    const document = loaded(await loadDocument(iconv.encode(html, 'gbk'), 'help.htm'));
    expect(document.sections[0]).toMatchObject({
      headingTrail: ['发票'],
      text: '电子发票在订单完成后 24 小时内开具。',
    });
  });

  it('reads a PDF with Chinese (predefined CMap) and English text, headings from larger type', async () => {
    const document = loaded(await loadDocument(fixture('policy.pdf'), 'policy.pdf'));
    expect(document.title).toBe('退换货政策 Return policy');
    expect(document.sections).toEqual([
      {
        kind: 'paragraph',
        headingTrail: ['退换货政策'],
        text: '自签收之日起 7 天内，商品未使用可申请无理由退货。',
        page: 1,
      },
      {
        kind: 'paragraph',
        headingTrail: ['退换货政策'],
        text: '退款将在审核通过后 3 个工作日内原路退回，节假日顺延。',
        page: 1,
      },
      {
        kind: 'paragraph',
        headingTrail: ['Return policy'],
        text: 'Unused items can be returned within 7 days of delivery.',
        page: 1,
      },
      { kind: 'paragraph', headingTrail: ['运费说明'], text: '质量问题产生的退货运费由我们承担。', page: 2 },
      { kind: 'paragraph', headingTrail: ['运费说明'], text: 'Shipping is free for orders over 99 yuan.', page: 2 },
    ]);
  });

  it('reads a DOCX with heading styles, a numbered list and a table', async () => {
    const document = loaded(await loadDocument(fixture('handbook.docx'), 'handbook.docx'));
    expect(document.title).toBe('会员手册 Membership handbook');
    expect(document.sections.map((section) => section.kind)).toEqual(['paragraph', 'list', 'paragraph', 'table']);
    expect(document.sections[1]).toMatchObject({
      headingTrail: ['会员手册 Membership handbook', '会员等级'],
      items: ['1. 银卡：年消费满 1000 元', '2. 金卡：年消费满 5000 元', '3. 钻石卡：年消费满 20000 元'],
    });
    expect(document.sections[3]!.items).toEqual(['等级 | 积分倍数 | 免运费', '银卡 | 1 倍 | 否', '金卡 | 1.5 倍 | 是']);
  });

  it('loads FAQ sheets with their entries and row problems', async () => {
    const result = await loadDocument(fixture('faq.xlsx'), 'kb/faq.xlsx');
    const document = loaded(result);
    expect(document.format).toBe('faq-sheet');
    expect(document.faqEntries).toHaveLength(4);
    expect(result.problems.map((problem) => [problem.row, problem.code])).toEqual([
      [8, 'duplicate_id'],
      [9, 'empty_question'],
    ]);
    const gbk = loaded(await loadDocument(fixture('faq-gbk.csv'), 'faq-gbk.csv'));
    expect(gbk.faqEntries!.map((entry) => entry.question)).toEqual(['怎么修改收货地址？', '发货后多久到？']);
  });

  it('reads plain text in paragraphs, joining wrapped Chinese lines without spaces', async () => {
    const document = loaded(
      await loadDocument(
        new TextEncoder().encode('营业时间\n\n每天 9:00 至\n21:00，节假日\n照常营业。\n\nWe are open daily.'),
        'hours.txt',
      ),
    );
    expect(document.sections.map((section) => section.text)).toEqual([
      '营业时间',
      '每天 9:00 至21:00，节假日照常营业。',
      'We are open daily.',
    ]);
  });

  it('hashes content, not bytes: the same text saved as UTF-8 or with CRLF keeps its hash', async () => {
    const lf = loaded(await loadDocument(new TextEncoder().encode('# 标题\n\n内容一。\n'), 'a.md'));
    const crlf = loaded(await loadDocument(new TextEncoder().encode('\ufeff# 标题\r\n\r\n内容一。\r\n'), 'a.md'));
    const edited = loaded(await loadDocument(new TextEncoder().encode('# 标题\n\n内容二。\n'), 'a.md'));
    expect(crlf.contentHash).toBe(lf.contentHash);
    expect(edited.contentHash).not.toBe(lf.contentHash);
  });

  it.each([
    ['corrupt.pdf', 'unreadable_pdf'],
    ['encrypted.pdf', 'encrypted'],
    ['blank.pdf', 'no_text'],
    ['empty.docx', 'no_text'],
    ['corrupt.docx', 'unreadable_docx'],
    ['no-text.html', 'no_text'],
    ['faq-wrong-headers.csv', 'missing_columns'],
  ])('turns the broken file %s into the problem %s', async (name, code) => {
    const result = await loadDocument(fixture(name), `uploads/${name}`);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.code).toBe(code);
      expect(result.problem.path).toBe(`uploads/${name}`);
    }
  });

  it('reports empty, unsupported and password-protected Office files', async () => {
    const codeOf = async (data: Uint8Array, name: string): Promise<string | undefined> => {
      const result = await loadDocument(data, name);
      return result.ok ? undefined : result.problem.code;
    };
    expect(await codeOf(new Uint8Array(), 'a.md')).toBe('empty_file');
    expect(await codeOf(new Uint8Array([1, 2, 3]), 'photo.png')).toBe('unsupported_format');
    expect(await codeOf(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'secret.docx')).toBe(
      'encrypted',
    );
  });

  it('detects formats by name and by content', () => {
    expect(detectFormat(new Uint8Array(), 'A.MD')).toBe('markdown');
    expect(detectFormat(new TextEncoder().encode('%PDF-1.7'), 'download')).toBe('pdf');
    expect(detectFormat(new TextEncoder().encode('  <!DOCTYPE html><html>'), 'page')).toBe('html');
    expect(detectFormat(new TextEncoder().encode('hello'), 'notes')).toBe('text');
  });

  it('never throws, whatever the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom('a.md', 'a.html', 'a.pdf', 'a.docx', 'a.txt', 'a.csv', 'a.xlsx', 'a'),
        async (bytes, name) => {
          const result = await loadDocument(bytes, name);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 60 },
    );
  });
});

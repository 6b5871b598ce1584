// Regenerates the document fixtures: `node src/knowledge/__fixtures__/make-document-fixtures.mjs`.
// PDFs and DOCX files are written byte by byte here (no office suite on the build machine), in
// the shapes real exporters produce: a PDF with Adobe's predefined Chinese font and CMap
// (STSong-Light, UniGB-UCS2-H) plus Helvetica, and a DOCX with heading styles, a numbered list
// and a table. The Markdown and HTML fixtures are hand-written files next to this script.
import { writeFileSync } from 'node:fs';
import { zipSync, strToU8 } from 'fflate';

const here = new URL('.', import.meta.url);
const write = (name, bytes) => writeFileSync(new URL(name, here), bytes);

// ------------------------------------------------------------------ PDF
function ucs2Hex(text) {
  let hex = '';
  for (const character of text) hex += character.codePointAt(0).toString(16).padStart(4, '0');
  return `<${hex}>`;
}
const latin = (text) => `(${text.replace(/[()\\]/g, (c) => `\\${c}`)})`;

function makePdf(pages, { encrypt = false, title } = {}) {
  const objects = [];
  const add = (body) => objects.push(body) - 1 + 1; // 1-based object numbers
  const catalog = add('');
  const pagesObject = add('');
  const cjkFont = add(
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [ ' +
      (objects.length + 3) +
      ' 0 R ] >>',
  );
  const latinFont = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  add(
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor ' +
      (objects.length + 2) +
      ' 0 R /DW 1000 >>',
  );
  add(
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  );
  const pageIds = [];
  for (const lines of pages) {
    let y = 780;
    const ops = ['BT'];
    for (const line of lines) {
      if (line === '') {
        y -= 14;
        continue;
      }
      const heading = line.startsWith('# ');
      const text = heading ? line.slice(2) : line;
      const isCjk = /[^\x00-\x7f]/.test(text);
      ops.push(
        `/${isCjk ? 'F1' : 'F2'} ${heading ? 18 : 12} Tf 1 0 0 1 50 ${y} Tm ${isCjk ? ucs2Hex(text) : latin(text)} Tj`,
      );
      y -= heading ? 28 : 20;
    }
    ops.push('ET');
    const stream = ops.join('\n');
    const content = add(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
    pageIds.push(
      add(
        `<< /Type /Page /Parent ${pagesObject} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${cjkFont} 0 R /F2 ${latinFont} 0 R >> >> /Contents ${content} 0 R >>`,
      ),
    );
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObject} 0 R >>`;
  objects[pagesObject - 1] =
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  const info = title ? add(`<< /Title ${ucs2HexBom(title)} /Producer (kefu fixtures) >>`) : undefined;
  const encryptId = encrypt
    ? add(`<< /Filter /Standard /V 1 /R 2 /O <${'ab'.repeat(32)}> /U <${'cd'.repeat(32)}> /P -44 >>`)
    : undefined;
  let pdf = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets = [];
  objects.forEach((body, index) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R${info ? ` /Info ${info} 0 R` : ''}${encryptId ? ` /Encrypt ${encryptId} 0 R` : ''} /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
function ucs2HexBom(text) {
  return `<feff${ucs2Hex(text).slice(1, -1)}>`;
}

const pdf = makePdf(
  [
    [
      '# 退换货政策',
      '自签收之日起 7 天内，商品未使用可申请无理由退货。',
      '退款将在审核通过后 3 个工作日内原路退回，',
      '节假日顺延。',
      '',
      '# Return policy',
      'Unused items can be returned within 7 days',
      'of delivery.',
    ],
    ['# 运费说明', '质量问题产生的退货运费由我们承担。', '', 'Shipping is free for orders over 99 yuan.'],
  ],
  { title: '退换货政策 Return policy' },
);
write('policy.pdf', pdf);
write('corrupt.pdf', pdf.subarray(0, 300));
write('encrypted.pdf', makePdf([['机密文件']], { encrypt: true }));
write('blank.pdf', makePdf([[]]));

// ------------------------------------------------------------------ DOCX
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const run = (text) => `<w:r><w:t xml:space="preserve">${escape(text)}</w:t></w:r>`;
const paragraph = (text, style) =>
  `<w:p>${style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : ''}${run(text)}</w:p>`;
const listItem = (text) =>
  `<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>${run(text)}</w:p>`;
const table = (rows) =>
  `<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>${rows.map((cells) => `<w:tr>${cells.map((cell) => `<w:tc><w:p>${run(cell)}</w:p></w:tc>`).join('')}</w:tr>`).join('')}</w:tbl>`;

function makeDocx(bodyXml) {
  const files = {
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/></Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
    'word/_rels/document.xml.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/></Relationships>`,
    'word/styles.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles ${W}><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/></w:style></w:styles>`,
    'word/numbering.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering ${W}><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>`,
    'word/document.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${W}><w:body>${bodyXml}<w:sectPr/></w:body></w:document>`,
  };
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

write(
  'handbook.docx',
  makeDocx(
    [
      paragraph('会员手册 Membership handbook', 'Heading1'),
      paragraph('会员等级', 'Heading2'),
      paragraph('会员分为三个等级，按年度消费金额自动升级。'),
      listItem('银卡：年消费满 1000 元'),
      listItem('金卡：年消费满 5000 元'),
      listItem('钻石卡：年消费满 20000 元'),
      paragraph('Points', 'Heading2'),
      paragraph('Every yuan spent earns one point. Points expire after 24 months.'),
      table([
        ['等级', '积分倍数', '免运费'],
        ['银卡', '1 倍', '否'],
        ['金卡', '1.5 倍', '是'],
      ]),
    ].join(''),
  ),
);
write('empty.docx', makeDocx(''));
write('corrupt.docx', makeDocx(paragraph('x')).subarray(0, 200));

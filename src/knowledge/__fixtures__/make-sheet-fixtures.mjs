// Regenerates the FAQ sheet fixtures: `node src/knowledge/__fixtures__/make-sheet-fixtures.mjs`.
// The XLSX is written by SheetJS (an independent writer, present as a dependency of node-nlp) so the
// reader in read-xlsx.ts is tested against a file it did not produce itself.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import iconv from 'iconv-lite';

const require = createRequire(import.meta.url);
const XLSX = require('xlsx');
const here = new URL('.', import.meta.url);

const rows = [
  ['编号', '问题', '答案', '相似问法', '类别', '敏感'],
  [
    'k-01',
    '退货期限是多久？',
    '自签收之日起 7 天内可申请无理由退货。',
    '多少天内可以退货|退货有时间限制吗',
    '售后',
    '否',
  ],
  [
    'k-02',
    '运费谁承担？',
    '质量问题由我们承担运费，其他情况由买家承担。',
    '退货运费谁出\n退货要自己付运费吗',
    '售后',
    'no',
  ],
  [
    '',
    'How do I reset my password?',
    'Open Settings → Account → Reset password.',
    'forgot password | cannot log in',
    'Account',
    'yes',
  ],
  ['k-04', '發票怎麼開？', '在訂單詳情頁點擊「申請發票」。', '', '', 1],
  ['k-01', '重复编号', '这一行应被跳过', '', '', ''],
  ['k-06', '', '没有问题的答案', '', '', ''],
];
const workbook = XLSX.utils.book_new();
XLSX.utils.book_append_sheet(workbook, XLSX.utils.aoa_to_sheet([['客服知识库 FAQ 导出'], [], ...rows]), '常见问题');
XLSX.utils.book_append_sheet(workbook, XLSX.utils.aoa_to_sheet([['other', 'sheet']]), 'Sheet2');
writeFileSync(new URL('faq.xlsx', here), XLSX.write(workbook, { type: 'buffer', bookType: 'xlsx' }));

const gbkCsv =
  '编号,问题,答案,相似问法,类别,敏感\r\ng-01,怎么修改收货地址？,在订单详情页点击“修改地址”。,地址填错了|改地址,订单,否\r\ng-02,发货后多久到？,一般 2-3 天送达。,几天能到,物流,否\r\n';
writeFileSync(new URL('faq-gbk.csv', here), iconv.encode(gbkCsv, 'gbk'));

writeFileSync(new URL('faq-wrong-headers.csv', here), 'name,email,phone\n张三,zs@example.com,13800000000\n');

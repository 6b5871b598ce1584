import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../text/index.js';
import { chunkDocument } from './chunk-document.js';
import {
  answerUnits,
  contentTerms,
  extractAnswer,
  foldCounts,
  indexAnswerPassages,
  isConfidentExtract,
  scorePassages,
} from './extractive-answer.js';
import { loadDocument } from './load-document.js';

const ask = (index: ReturnType<typeof indexAnswerPassages>, text: string) =>
  extractAnswer(index, normalizeText(text).text);

describe('answer units', () => {
  it('reads table rows with their header, list items and sentences', () => {
    expect(
      answerUnits(
        '卡种 | 年费\n金卡 | 300 元\n白金卡 | 1200 元\n- 首年免年费；\n提前结清不退手续费。另收 1 期手续费。',
      ),
    ).toEqual([
      '卡种：金卡；年费：300 元',
      '卡种：白金卡；年费：1200 元',
      '首年免年费；',
      '提前结清不退手续费。',
      '另收 1 期手续费。',
    ]);
  });

  it('folds counted numerals so 七天 meets 7 天, and drops question words', () => {
    expect(foldCounts('七天无理由，两个工作日')).toBe('7天无理由，2个工作日');
    expect(foldCounts('7 天内')).toBe('7天内');
    expect(contentTerms(normalizeText('金卡的年费是多少呢？').text)).toEqual(['金卡', '年费']);
  });
});

describe('extractAnswer', () => {
  const index = indexAnswerPassages([
    {
      id: 'fees',
      title: '费率表 › 年费',
      text: '卡种 | 年费\n青禾金卡 | 300 元/年\n青禾白金卡 | 1,200 元/年',
    },
    {
      id: 'refunds',
      title: '退货政策 › 退款时效',
      text: '仓库收到退货后 48 小时内完成审核。\n- 微信支付：1–3 个工作日到账；\n- 银行卡：3–7 个工作日到账。',
    },
  ]);

  it('picks the unit that answers, in Simplified and Traditional', () => {
    const found = ask(index, '金卡年费多少钱');
    // 金卡 is inside 白金卡 too: both rows tie, and the short table is quoted whole.
    expect(found).toMatchObject({
      passageId: 'fees',
      quote: '卡种：青禾金卡；年费：300 元/年\n卡种：青禾白金卡；年费：1,200 元/年',
    });
    expect(isConfidentExtract(found)).toBe(true);
    const traditional = ask(index, '退到銀行卡要幾個工作日到賬');
    expect(traditional?.quote).toBe('银行卡：3–7 个工作日到账。');
    expect(isConfidentExtract(traditional)).toBe(true);
  });

  it('is not confident about what the documents do not say, nor on one matched word', () => {
    expect(isConfidentExtract(ask(index, '以旧换新活动什么时候结束'))).toBe(false);
    expect(ask(index, '今天天气怎么样')).toBeNull();
    expect(isConfidentExtract(ask(index, '年费'))).toBe(false);
    expect(scorePassages(index, normalizeText('退款审核要多久').text)[0]?.passageId).toBe('refunds');
  });
});

/** The demo packs' documents and the hand-written questions about them (bench/document-answers.ts runs them all). */
describe('demo pack documents', () => {
  it('answers at least half of the questions with ≥ 95 % precision, and none of those the documents do not answer', async () => {
    const questions = readFileSync(path.resolve('src/knowledge/__fixtures__/document-questions.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { pack: string; text: string; expected: string[] });
    expect(questions.filter((question) => question.expected.length > 0).length).toBeGreaterThanOrEqual(60);
    const results: Array<{ right: boolean; none: boolean }> = [];
    for (const pack of ['shop-zh', 'bank-zh']) {
      const folder = path.resolve('examples/packs', pack, 'docs');
      const passages: Array<{ id: string; title: string; text: string; section: string }> = [];
      for (const file of readdirSync(folder)) {
        const loaded = await loadDocument(readFileSync(path.join(folder, file)), file);
        if (!loaded.ok) continue;
        for (const chunk of chunkDocument(loaded.document))
          passages.push({
            id: `${file}#${chunk.index}`,
            title: chunk.headingTrail.join(' › '),
            text: chunk.text,
            section: `${file}#${chunk.headingTrail.at(-1)}`,
          });
      }
      const index = indexAnswerPassages(passages);
      for (const question of questions.filter((entry) => entry.pack === pack)) {
        const found = ask(index, question.text);
        if (!isConfidentExtract(found)) continue;
        const section = passages.find((passage) => passage.id === found!.passageId)!.section;
        results.push({ right: question.expected.includes(section), none: question.expected.length === 0 });
      }
    }
    expect(results.filter((result) => result.none)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(35);
    expect(results.filter((result) => result.right).length / results.length).toBeGreaterThanOrEqual(0.95);
  });
});

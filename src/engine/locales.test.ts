import { describe, expect, it } from 'vitest';
import { agentText, intentLabel, intentName, percent, storedReasonText, translateTurn } from './locales.js';

/** A runtime with one FAQ entry and two pack intents, as intentName reads it. */
const runtime = {
  faq: new Map([['faq-30', { question: '运费怎么算？' }]]),
  intents: new Map([
    ['card.lost', { description: '信用卡挂失' }],
    ['complaint', {}],
  ]),
} as unknown as Parameters<typeof intentName>[0];

const ENGLISH_CODE = /intent [a-z]|confidence 0\.\d|gate 0\.\d|hand-over rule|\bS\d{1,2}\b|faq-\d/;

describe('agent texts of a turn', () => {
  it('writes a hand-over for an unsure bot in Simplified, Traditional and English', () => {
    const text = {
      key: 'handover.unsure_about',
      params: { intent: '运费怎么算？', confidence: '41%', gate: '85%' },
    } as const;
    expect(agentText('zh-CN', text)).toBe('机器人对「运费怎么算？」没有把握（把握 41%，需要 85%），请人工接待');
    expect(agentText('zh-TW', text)).toBe('機器人對「運費怎麼算？」沒有把握（把握度 41%，需達 85%），請真人接待');
    expect(agentText('en', text)).toBe(
      'The bot is unsure about “运费怎么算？” (confidence 41%, needs 85%): please take over',
    );
  });

  it('converts a Simplified-only message to Traditional with OpenCC', () => {
    expect(translateTurn('zh-TW', 'assist.default')).toBe('草稿待人工稽核');
    expect(translateTurn('zh-HK', 'handover.llm_failed')).toMatch(/^AI 暫時無法作答/);
  });

  it('never carries a reason code, an id or a requirement tag', () => {
    const keys = [
      'handover.intent_to_person',
      'handover.no_answer',
      'handover.unsure',
      'handover.playbook_invalid',
      'handover.llm_leak',
      'handover.llm_ungrounded',
      'handover.llm_failed',
      'assist.sensitive_faq',
      'assist.intent',
      'assist.llm_below_gate',
    ] as const;
    for (const locale of ['zh-CN', 'zh-TW', 'en']) {
      for (const key of keys) {
        const text = translateTurn(locale, key, { intent: '信用卡挂失', confidence: '41%', gate: '85%' });
        expect(text).not.toMatch(ENGLISH_CODE);
        expect(text).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it('shows a score as a percentage', () => {
    expect(percent(0.412)).toBe('41%');
    expect(percent(0.85)).toBe('85%');
    expect(percent(1.2)).toBe('100%');
  });
});

describe('intent names', () => {
  it('shows an FAQ intent by its question and a pack intent by its description', () => {
    expect(intentName(runtime, 'faq-30')).toBe('运费怎么算？');
    expect(intentName(runtime, 'card.lost')).toBe('信用卡挂失');
    expect(intentName(runtime, 'complaint')).toBe('complaint');
    expect(intentName(runtime, null)).toBeNull();
  });

  it('never shows a bare FAQ id', () => {
    expect(intentName(runtime, 'faq-99')).toBeNull();
    expect(intentLabel('zh-CN', runtime, 'faq-99')).toBe('未识别的问题');
    expect(intentLabel('zh-TW', runtime, null)).toBe('未識別的問題');
    expect(intentLabel('en', runtime, 'faq-99')).toBe('an unrecognised question');
  });
});

describe('stored hand-over reasons', () => {
  it("writes the system's own reasons in the agent's language", () => {
    expect(storedReasonText('zh-CN', 'taken over by an agent')).toBe('客服主动接手');
    expect(storedReasonText('en', 'taken over by an agent')).toBe('An agent took over');
    expect(storedReasonText('zh-TW', 'turn interrupted: the process stopped before replying')).toMatch(/^系統中斷/);
  });

  it('keeps a reason written for agents, in Traditional script for a Traditional reader', () => {
    const reason = '转人工：正在发生或刚发生的诈骗（分类模型判断，把握 0.83）';
    expect(storedReasonText('zh-CN', reason)).toBe(reason);
    expect(storedReasonText('zh-TW', reason)).toBe('轉人工：正在發生或剛發生的詐騙（分類模型判斷，把握 0.83）');
  });
});

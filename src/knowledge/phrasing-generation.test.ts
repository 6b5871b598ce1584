import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startScriptedOpenAiServer,
  type RecordedRequest,
  type ScriptedOpenAiServer,
  type ScriptedReply,
} from '../../test/support/scripted-openai-server.js';
import { TELECOM_FAQ } from '../engine/__fixtures__/telecom-tenant.js';
import { createOpenAiCompatibleModel } from '../llm/index.js';
import { generatePhrasings, parsePhrasings } from './phrasing-generation.js';

const ENTRIES = TELECOM_FAQ.map((entry) => ({
  id: entry.id,
  question: entry.question,
  alternatives: entry.alternatives,
  answer: entry.answer,
}));

/** What the scripted model writes for the balance entry: new phrasings, its own, and two that belong elsewhere. */
const BALANCE_REPLY = JSON.stringify({
  colloquial: ['话费还剩几块', '查一下余额'],
  typo: ['化费余额怎么查'],
  traditional: ['話費還剩多少錢', '怎麼查詢話費餘額？'],
  english: ['how much credit is left', 'how do I get an invoice'],
  extra: ['ignored'],
});
const PLAN_REPLY = JSON.stringify({ colloquial: ['我要开票'], english: ['switch to a cheaper plan'] });

let server: ScriptedOpenAiServer;
let garbageFor: string | null = null;

function script(request: RecordedRequest): ScriptedReply {
  const messages = (request.body as { messages: Array<{ role: string; content: string }> }).messages;
  const asked = JSON.parse(messages.at(-1)!.content) as { question: string };
  if (garbageFor !== null && asked.question === garbageFor) return { text: 'Sure! Here are some phrasings: …' };
  if (asked.question === '怎么查询话费余额？')
    return { text: BALANCE_REPLY, usage: { prompt_tokens: 200, completion_tokens: 80 } };
  if (asked.question === '怎么更改套餐？')
    return { text: PLAN_REPLY, usage: { prompt_tokens: 190, completion_tokens: 30 } };
  return { kind: 'error', status: 503 };
}

beforeAll(async () => {
  server = await startScriptedOpenAiServer(script);
});
afterAll(async () => server?.close());

const model = () =>
  createOpenAiCompatibleModel({ baseUrl: server.url, model: 'scripted-writer', timeoutMs: 1_000, maxRetries: 0 });

describe('LLM phrasing generation at import (scripted model server)', () => {
  it('normal: queues new colloquial, typo, Traditional and English phrasings as pending, drops the entry’s own', async () => {
    garbageFor = null;
    const result = await generatePhrasings(model(), ENTRIES, { only: new Set(['faq-balance']) });
    expect(result.failures).toEqual([]);
    expect(result.usage).toEqual({ inputTokens: 200, outputTokens: 80 });
    expect(result.model).toBe('scripted-writer');
    const pending = result.phrasings.filter((phrasing) => phrasing.status === 'pending');
    expect(pending.map(({ text, kind }) => [kind, text])).toEqual([
      ['colloquial', '话费还剩几块'],
      ['typo', '化费余额怎么查'],
      ['traditional', '話費還剩多少錢'],
      ['english', 'how much credit is left'],
    ]);
    expect(pending.every((phrasing) => phrasing.faqId === 'faq-balance' && phrasing.collidesWith === null)).toBe(true);
    // 查一下余额 and 怎麼查詢話費餘額？ (its question in Traditional) are the entry's own: not queued.
    expect(result.phrasings.map((phrasing) => phrasing.text)).not.toContain('查一下余额');
    expect(result.phrasings.map((phrasing) => phrasing.text)).not.toContain('怎麼查詢話費餘額？');
  });

  it('collision: a phrasing the matcher reads as another entry, or identical to another entry’s, is flagged, not added', async () => {
    garbageFor = null;
    const result = await generatePhrasings(model(), ENTRIES, { only: new Set(['faq-balance', 'faq-plan']) });
    const flagged = result.phrasings.filter((phrasing) => phrasing.status === 'flagged');
    expect(flagged).toHaveLength(2);
    // English, read by the matcher as the invoice entry with high confidence.
    expect(flagged[0]).toMatchObject({
      faqId: 'faq-balance',
      text: 'how do I get an invoice',
      collidesWith: 'faq-invoice',
    });
    expect(flagged[0]!.collisionConfidence).toBeGreaterThanOrEqual(0.85);
    // Identical to one of the invoice entry's phrasings.
    expect(flagged[1]).toMatchObject({
      faqId: 'faq-plan',
      text: '我要开票',
      collidesWith: 'faq-invoice',
      collisionConfidence: 1,
    });
    expect(result.phrasings.find((phrasing) => phrasing.text === 'switch to a cheaper plan')?.status).toBe('pending');
    expect(result.usage).toEqual({ inputTokens: 390, outputTokens: 110 });
  });

  it('a failed call or an answer that is not the JSON asked for is a failure for that entry, not an error', async () => {
    garbageFor = '怎么更改套餐？';
    const result = await generatePhrasings(model(), ENTRIES, {
      only: new Set(['faq-balance', 'faq-plan', 'faq-data']),
    });
    expect(result.failures).toEqual([
      { faqId: 'faq-data', reason: 'CS_LLM_UPSTREAM' },
      { faqId: 'faq-plan', reason: 'the answer is not the JSON object asked for' },
    ]);
    expect(result.phrasings.filter((phrasing) => phrasing.faqId === 'faq-balance').length).toBeGreaterThan(0);
    garbageFor = null;
  });

  it('parsePhrasings keeps only short strings of the known kinds', () => {
    const reply = JSON.stringify({ colloquial: ['  怎么 查 ', 3, ''], english: ['x'.repeat(300)], other: ['y'] });
    expect(parsePhrasings(reply)).toEqual([{ kind: 'colloquial', text: '怎么 查' }]);
    expect(parsePhrasings('{"colloquial": []}')).toBeNull();
    expect(parsePhrasings('[1,2]')).toBeNull();
    expect(parsePhrasings('not json')).toBeNull();
  });
});

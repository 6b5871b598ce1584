// ci: embedded only (it checks the embedded default and skips itself on PostgreSQL; .ci/run runs it embedded on both Node versions)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOPFRONTS } from '../src/server/routes/demo-page.js';
import { createTestKefu, type TestKefu } from './support/test-kefu.js';

/**
 * The demo is right: every question a demo page suggests, in every language it offers, gets the
 * answer it was put there for (the first thing a new user clicks must not be a confident wrong
 * answer), and a Traditional-Chinese question gets its answer in Traditional Chinese.
 */

const intended: Record<string, { tenant: string; answers: Array<{ intent: string; route: 'auto' | 'human' }> }> = {
  ecommerce: {
    tenant: 'shop-zh',
    answers: [
      { intent: 'faq-33', route: 'auto' }, // 运费怎么算？ (the banner's 满 99 包邮)
      { intent: 'faq-10', route: 'auto' }, // 七天无理由退货怎么申请？
      { intent: 'order.status', route: 'auto' }, // 我的订单到哪了
      { intent: '', route: 'human' }, // 我要投诉，转人工
    ],
  },
  finance: {
    tenant: 'bank-zh',
    answers: [
      { intent: 'faq-17', route: 'auto' }, // 分期手续费怎么算？
      { intent: 'instalment.calculate', route: 'auto' }, // 一万二分12期每期还多少
      { intent: 'faq-10', route: 'auto' }, // 年费怎么免
      { intent: '', route: 'human' }, // 我要投诉
    ],
  },
  travel: {
    tenant: 'travel-zh',
    answers: [
      { intent: 'faq-03', route: 'auto' }, // 坐飞机能带多少行李？
      { intent: 'faq-09', route: 'auto' }, // 酒店订单可以取消吗？
      { intent: 'faq-38', route: 'auto' }, // 机+酒套餐包含什么？
      { intent: '', route: 'human' }, // 我要投诉，转人工
    ],
  },
};

let kefu: TestKefu;
// Engine and HTTP behaviour, not storage: the PostgreSQL pass of CI leaves this to the embedded pass.
const onPostgres = Boolean(process.env.DATABASE_URL);

beforeAll(async () => {
  if (onPostgres) return;
  kefu = await createTestKefu();
}, 180_000);
afterAll(async () => kefu?.dispose());

async function ask(tenant: string, text: string) {
  const headers = { authorization: `Bearer ${kefu.keyOf(tenant)}` };
  const conversation = (await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers })).json<{
    id: string;
  }>();
  const response = await kefu.app.inject({
    method: 'POST',
    url: `/v1/conversations/${conversation.id}/messages`,
    headers,
    payload: { text },
  });
  expect(response.statusCode).toBe(201);
  return response.json<{
    reply: { text: string };
    turn: { route: string; intent: string | null; confidence: number };
  }>();
}

describe.skipIf(onPostgres)('the questions the demo pages suggest', () => {
  for (const [domain, { tenant, answers }] of Object.entries(intended)) {
    for (const [language, questions] of Object.entries(SHOPFRONTS[domain]!.questions)) {
      it(`${tenant} (${language}) answers each as intended`, async () => {
        // The English bank page leaves out the instalment example (an amount in Chinese numerals).
        const expected = language === 'en' && domain === 'finance' ? [answers[0]!, answers[2]!, answers[3]!] : answers;
        expect(questions).toHaveLength(expected.length);
        for (const [index, question] of questions.entries()) {
          const { turn, reply } = await ask(tenant, question);
          const want = expected[index]!;
          expect(turn.route, `${question} → ${JSON.stringify(turn)}`).toBe(want.route);
          if (want.intent) expect(turn.intent, `${question} → ${JSON.stringify(turn)}`).toBe(want.intent);
          if (language === 'zh-TW' && want.route === 'auto')
            expect(reply.text, question).not.toMatch(/[这么费说请为订单]/);
        }
      }, 60_000);
    }
  }
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startScriptedOpenAiServer,
  type RecordedRequest,
  type ScriptedOpenAiServer,
  type ScriptedReply,
} from '../../../test/support/scripted-openai-server.js';
import { createTestKefu, type TestKefu } from '../../../test/support/test-kefu.js';
import { tenantIdOf } from '../../../test/support/test-plans.js';
import { generateAndQueuePhrasings } from '../../knowledge/phrasing-suggestions.js';
import { createOpenAiCompatibleModel } from '../../llm/index.js';

let kefu: TestKefu;
let server: ScriptedOpenAiServer;
let shop: string;

/** The scripted model's phrasings for shop-zh faq-01 (怎么查看我的订单？), one of them another entry's (faq-03). */
function script(request: RecordedRequest): ScriptedReply {
  const messages = (request.body as { messages: Array<{ content: string }> }).messages;
  const asked = JSON.parse(messages.at(-1)!.content) as { question: string };
  if (asked.question !== '怎么查看我的订单？') return { kind: 'error', status: 500 };
  return {
    text: JSON.stringify({
      colloquial: ['我买的东西在哪看呀'],
      typo: ['怎么查看我的定单'],
      traditional: ['訂單都在哪兒看呀'],
      english: ['where do I find the things I ordered', '订单怎么撤销'],
    }),
  };
}

beforeAll(async () => {
  server = await startScriptedOpenAiServer(script);
  kefu = await createTestKefu({ KEFU_NLU: 'lexical' });
  shop = await tenantIdOf(kefu.database.db, 'shop-zh');
}, 180_000);
afterAll(async () => {
  await kefu?.dispose();
  await server?.close();
});

const as = (slug: string) => ({ authorization: `Bearer ${kefu.keyOf(slug)}` });

describe('generated FAQ phrasings: queued at import, reviewed through /v1/knowledge/phrasings', () => {
  it('queues pending and flagged phrasings, lists them per tenant, approves into the entry and rejects', async () => {
    const model = createOpenAiCompatibleModel({ baseUrl: server.url, model: 'scripted-writer', maxRetries: 0 });
    const generated = await generateAndQueuePhrasings(kefu.database.db, shop, model, { faqIds: ['faq-01'] });
    expect(generated.failures).toEqual([]);
    expect(generated.queued).toEqual({ pending: 4, flagged: 1 });
    // A second import queues nothing twice.
    expect((await generateAndQueuePhrasings(kefu.database.db, shop, model, { faqIds: ['faq-01'] })).queued).toEqual({
      pending: 0,
      flagged: 0,
    });

    const pending = await kefu.app.inject({ url: '/v1/knowledge/phrasings?status=pending', headers: as('shop-zh') });
    expect(pending.statusCode).toBe(200);
    const texts = pending.json().phrasings.map((phrasing: { text: string }) => phrasing.text);
    expect(new Set(texts)).toEqual(
      new Set(['我买的东西在哪看呀', '怎么查看我的定单', '訂單都在哪兒看呀', 'where do I find the things I ordered']),
    );
    const flagged = (
      await kefu.app.inject({ url: '/v1/knowledge/phrasings?status=flagged', headers: as('shop-zh') })
    ).json().phrasings;
    expect(flagged).toEqual([
      expect.objectContaining({
        faqId: 'faq-01',
        text: '订单怎么撤销',
        collidesWith: 'faq-03',
        collisionConfidence: 1,
      }),
    ]);

    // Another tenant sees none of them and cannot decide them.
    const other = await kefu.app.inject({ url: '/v1/knowledge/phrasings', headers: as('bank-zh') });
    expect(other.statusCode).toBe(200);
    expect(other.json().phrasings).toEqual([]);
    const traditional = pending
      .json()
      .phrasings.find((phrasing: { text: string }) => phrasing.text === '訂單都在哪兒看呀');
    const crossTenant = await kefu.app.inject({
      method: 'POST',
      url: `/v1/knowledge/phrasings/${traditional.id}/approve`,
      headers: as('bank-zh'),
    });
    expect(crossTenant.statusCode).toBe(404);
    expect(crossTenant.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(crossTenant.json().code).toBe('CS_PHRASING_NOT_FOUND');

    // Approve: it joins faq-01's alternatives, and the reloaded runtime knows it.
    const approved = await kefu.app.inject({
      method: 'POST',
      url: `/v1/knowledge/phrasings/${traditional.id}/approve`,
      headers: as('shop-zh'),
    });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', decidedBy: expect.stringMatching(/^key:/) });
    const entry = await kefu.database.db
      .selectFrom('faq_entries')
      .select('alternatives')
      .where('tenant_id', '=', shop)
      .where('external_id', '=', 'faq-01')
      .executeTakeFirstOrThrow();
    expect(entry.alternatives.at(-1)).toBe('訂單都在哪兒看呀');
    await kefu.runtimes.refresh(shop);
    expect((await kefu.runtimes.get(shop)).faq.get('faq-01')?.phrasings).toContain('訂單都在哪兒看呀');

    // Decided once only; reject works on another; the bank entry it never touched is unchanged.
    const again = await kefu.app.inject({
      method: 'POST',
      url: `/v1/knowledge/phrasings/${traditional.id}/reject`,
      headers: as('shop-zh'),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('CS_PHRASING_ALREADY_DECIDED');
    const english = pending.json().phrasings.find((phrasing: { kind: string }) => phrasing.kind === 'english');
    const rejected = await kefu.app.inject({
      method: 'POST',
      url: `/v1/knowledge/phrasings/${english.id}/reject`,
      headers: as('shop-zh'),
    });
    expect(rejected.json()).toMatchObject({ status: 'rejected' });
    const still = await kefu.app.inject({ url: '/v1/knowledge/phrasings?status=pending', headers: as('shop-zh') });
    expect(still.json().phrasings).toHaveLength(2);
  });

  it('refuses bad input with a problem: an id that is not a UUID, an unknown status, no key', async () => {
    const badId = await kefu.app.inject({
      method: 'POST',
      url: '/v1/knowledge/phrasings/not-a-uuid/approve',
      headers: as('shop-zh'),
    });
    expect(badId.statusCode).toBe(400);
    const badStatus = await kefu.app.inject({ url: '/v1/knowledge/phrasings?status=live', headers: as('shop-zh') });
    expect(badStatus.statusCode).toBe(400);
    const unknown = await kefu.app.inject({
      method: 'POST',
      url: '/v1/knowledge/phrasings/00000000-0000-4000-8000-000000000000/approve',
      headers: as('shop-zh'),
    });
    expect(unknown.statusCode).toBe(404);
    expect((await kefu.app.inject({ url: '/v1/knowledge/phrasings' })).statusCode).toBe(401);
  });
});

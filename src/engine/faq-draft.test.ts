import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toTraditionalChinese } from '../text/index.js';
import { createTestKefu, type TestKefu } from '../../test/support/test-kefu.js';
import { draftBasisOf, FAQ_DRAFT_MIN_MATCH } from './faq-draft.js';

// Drafts without an LLM (issue 14): when a turn hands a customer to a person, the agent finds the
// tenant's best-matching FAQ answer waiting as a draft, marked as coming from the FAQ, when the
// match is a reasonable one; nothing when it is not, or when a canned answer must not open the
// reply. Real database, real HTTP, the demo tenants, no model configured.
let kefu: TestKefu;

beforeAll(async () => {
  kefu = await createTestKefu();
}, 180_000);
afterAll(async () => kefu?.dispose());

async function call(method: 'GET' | 'POST', url: string, token: string | null, payload?: object) {
  const response = await kefu.app.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(payload ? { payload } : {}),
  });
  return { status: response.statusCode, body: response.body ? response.json() : null };
}

/** A customer's conversation through the tenant API, and its first turn. */
async function ask(slug: string, text: string) {
  const key = kefu.keyOf(slug);
  const conversation = await call('POST', '/v1/conversations', key, {});
  const posted = await call('POST', `/v1/conversations/${conversation.body.id as string}/messages`, key, { text });
  expect(posted.status).toBe(201);
  return { id: conversation.body.id as string, turn: posted.body.turn, reply: posted.body.reply };
}

const tokens = new Map<string, string>();
/** The demo agent's session token for a demo tenant. */
async function agentToken(slug: string): Promise<string> {
  const known = tokens.get(slug);
  if (known) return known;
  const demo = kefu.demo.find((entry) => entry.slug === slug);
  const credentials =
    demo?.agent ??
    (await kefu.database.db
      .selectFrom('system_settings')
      .select('value')
      .where('key', '=', `demo_agent_password:${slug}`)
      .executeTakeFirstOrThrow()
      .then((row) => ({ email: `agent@${slug}.demo`, password: row.value })));
  const login = await call('POST', '/v1/agent/sessions', null, { tenant: slug, ...credentials });
  expect(login.status).toBe(201);
  tokens.set(slug, login.body.token as string);
  return login.body.token as string;
}

async function draftsOf(slug: string, conversationId: string) {
  const view = await call('GET', `/v1/agent/conversations/${conversationId}`, await agentToken(slug));
  expect(view.status).toBe(200);
  return view.body.drafts as Array<{ id: string; text: string; basis: string | null; status: string }>;
}

async function faqAnswer(slug: string, faqId: string) {
  return kefu.database.db
    .selectFrom('faq_entries')
    .innerJoin('tenants', 'tenants.id', 'faq_entries.tenant_id')
    .select(['faq_entries.answer', 'faq_entries.answers', 'faq_entries.question'])
    .where('tenants.slug', '=', slug)
    .where('faq_entries.external_id', '=', faqId)
    .executeTakeFirstOrThrow();
}

describe('FAQ drafts on a hand-over, no LLM configured', () => {
  it('zh-Hans: a complaint goes to a person with the quality-complaint answer drafted from the FAQ; approving sends it', async () => {
    const complaint = await ask('shop-zh', '东西坏了我要投诉');
    expect(complaint.turn.route).toBe('human');
    const faq = await faqAnswer('shop-zh', 'faq-29');
    const [draft, ...more] = await draftsOf('shop-zh', complaint.id);
    expect(more).toEqual([]);
    expect(draft).toMatchObject({ basis: 'faq', status: 'pending', text: faq.answer });
    // The customer sees the hand-over notice, never the draft.
    const shown = await call('GET', `/v1/conversations/${complaint.id}/messages`, kefu.keyOf('shop-zh'));
    const messages = shown.body.messages as Array<{ text: string; visibility: string }>;
    expect(messages.filter((message) => message.visibility === 'public').map((message) => message.text)).not.toContain(
      draft!.text,
    );
    expect(messages).toContainEqual(expect.objectContaining({ visibility: 'internal', text: draft!.text }));
    // The agent takes the conversation and approves: the customer gets the FAQ's answer from the agent.
    const token = await agentToken('shop-zh');
    expect((await call('POST', `/v1/agent/conversations/${complaint.id}/accept`, token)).status).toBe(200);
    const approved = await call('POST', `/v1/agent/conversations/${complaint.id}/drafts/${draft!.id}/approve`, token);
    expect(approved.status).toBe(200);
    expect(approved.body.message).toMatchObject({ visibility: 'public', text: faq.answer });
  });

  it('zh-Hant: the same complaint written in Traditional gets the draft in Traditional', async () => {
    const complaint = await ask('shop-zh', '東西壞了我要投訴');
    expect(complaint.turn.route).toBe('human');
    const faq = await faqAnswer('shop-zh', 'faq-29');
    const [draft] = await draftsOf('shop-zh', complaint.id);
    expect(draft).toMatchObject({ basis: 'faq', text: toTraditionalChinese(faq.answer) });
    expect(draft!.text).toContain('質量投訴');
  });

  it("en: an English customer who asks for a person about their orders gets the FAQ's own English answer drafted", async () => {
    const request = await ask('shop-zh', 'Where can I see my orders? I want to talk to a person');
    expect(request.turn.route).toBe('human');
    const faq = await faqAnswer('shop-zh', 'faq-01');
    const english = (faq.answers as { en?: string } | null)?.en;
    expect(english).toBeTruthy();
    const [draft] = await draftsOf('shop-zh', request.id);
    expect(draft).toMatchObject({ basis: 'faq', text: english });
  });

  it('drafts nothing when the match is weak, when the only match is how to reach a person, or in a crisis or a fraud', async () => {
    for (const [slug, text] of [
      // Retrieval's best guess (the shipping-fee FAQ) is below the bar.
      ['shop-zh', 'I want to complain, the headphones broke'],
      // The customer is reaching a person: "how do I reach a person" is no draft.
      ['shop-zh', '转人工'],
      ['bank-zh', '转人工'],
      // A person writes these replies from nothing.
      ['shop-zh', '我已经想好怎么结束自己了'],
      ['bank-zh', '我没有刷过这笔钱，卡被盗刷了'],
    ] as const) {
      const turn = await ask(slug, text);
      expect(turn.turn.route, text).toBe('human');
      expect(await draftsOf(slug, turn.id), text).toEqual([]);
    }
  });

  it('labels the drafts of sensitive FAQ answers as FAQ-based too', async () => {
    const sensitive = await ask('shop-zh', '质量问题怎么赔？');
    expect(sensitive.turn.route).toBe('assist');
    const [draft] = await draftsOf('shop-zh', sensitive.id);
    expect(draft).toMatchObject({ basis: 'faq', text: (await faqAnswer('shop-zh', 'faq-29')).answer });
  });
});

describe('what a draft is based on', () => {
  it('a model when one wrote, translated or rewrote it; else the FAQ, or the knowledge base for documents and playbooks', () => {
    const faq = [{ source: 'faq', id: 'faq-1', version: 1 }];
    const document = [{ source: 'doc', id: 'policy.md#1', version: 2 }];
    expect(draftBasisOf({ tier: 'light', byModel: false, citations: faq })).toBe('faq');
    expect(draftBasisOf({ tier: 'light', byModel: true, citations: faq })).toBe('llm');
    expect(draftBasisOf({ tier: 'llm', byModel: false, citations: faq })).toBe('llm');
    expect(draftBasisOf({ tier: 'light', byModel: false, citations: document })).toBe('knowledge');
    expect(draftBasisOf({ tier: 'playbook', byModel: false, citations: [] })).toBe('knowledge');
    expect(FAQ_DRAFT_MIN_MATCH).toBeGreaterThan(0.321);
  });
});

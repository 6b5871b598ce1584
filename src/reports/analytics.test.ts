import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { styleCheckRow } from '../guard/style/style-checks.js';
import { normalizeText } from '../text/index.js';
import { createTestKefu, type TestKefu } from '../../test/support/test-kefu.js';
import { analyticsRange, csvCell, proposeQuestion, startOfDay } from './analytics.js';

// The analytics API end to end: real database, real HTTP (inject), the demo tenants and their
// trained models. Conversations in zh-CN, zh-TW and English are asked through the API, then moved
// to chosen days (the shop's time zone is Asia/Shanghai), so the per-day numbers are known.

let kefu: TestKefu;
let shopKey: string;
let shopTenantId: string;
let shopTrainer: string;
let bankTrainer: string;
let plainAgent: string;

let counter = 0;
const unique = () => `analytics-${Date.now().toString(36)}-${(counter += 1)}@example.com`;

async function call(method: string, url: string, auth: string | null, payload?: unknown) {
  const response = await kefu.app.inject({
    method: method as 'GET',
    url,
    headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  let body: any;
  try {
    body = response.body ? response.json() : null;
  } catch {
    body = response.body;
  }
  return { status: response.statusCode, body, raw: response.body, headers: response.headers };
}

async function agentToken(slug: string, trainerScope: boolean): Promise<string> {
  const key = kefu.keyOf(slug);
  const email = unique();
  const created = await call('POST', '/v1/agents', key, {
    email,
    name: 'Analyst',
    password: 'pass-word-123',
    skills: [],
    maxConcurrent: 5,
  });
  expect(created.status).toBe(201);
  if (trainerScope)
    expect((await call('PUT', `/v1/agents/${created.body.id}/trainer`, key, { allowed: true })).status).toBe(200);
  const login = await call('POST', '/v1/agent/sessions', null, { tenant: slug, email, password: 'pass-word-123' });
  expect(login.status).toBe(201);
  return login.body.token as string;
}

interface Seeded {
  conversationId: string;
  widgetToken: string;
  route: string;
  tier: string;
  intent: string | null;
}

/** A widget conversation with one customer message, moved to `at` (every row it made). */
async function seed(text: string, at: string): Promise<Seeded> {
  const session = await call('POST', '/widget/v1/sessions', null, { tenant: 'shop-zh' });
  expect(session.status).toBe(201);
  const conversationId = session.body.conversationId as string;
  const posted = await call('POST', `/v1/conversations/${conversationId}/messages`, shopKey, { text });
  expect(posted.status).toBeLessThan(300);
  await moveTo(conversationId, at);
  const turn = posted.body.turn;
  return { conversationId, widgetToken: session.body.token, route: turn.route, tier: turn.tier, intent: turn.intent };
}

async function moveTo(conversationId: string, at: string): Promise<void> {
  const db = kefu.database.db;
  const when = new Date(at);
  const mine = (table: 'messages' | 'turn_traces' | 'handoff_events' | 'learning_signals') =>
    db.updateTable(table).set({ created_at: when }).where('conversation_id', '=', conversationId).execute();
  await db
    .updateTable('conversations')
    .set({ created_at: when, updated_at: when, last_message_at: when })
    .where('id', '=', conversationId)
    .execute();
  await Promise.all([mine('messages'), mine('turn_traces'), mine('handoff_events'), mine('learning_signals')]);
  await db
    .updateTable('handoffs')
    .set({ requested_at: when, queued_at: when })
    .where('conversation_id', '=', conversationId)
    .execute();
}

/** A person closed the conversation's hand-off, then the customer rated it. */
async function closeAndRate(seeded: Seeded, score: number, at: string): Promise<void> {
  await kefu.database.db
    .updateTable('handoffs')
    .set({ status: 'closed', closed_at: new Date(at) })
    .where('conversation_id', '=', seeded.conversationId)
    .execute();
  const rated = await call('POST', `/widget/v1/conversations/${seeded.conversationId}/csat`, seeded.widgetToken, {
    score,
  });
  expect(rated.status).toBe(201);
  await moveTo(seeded.conversationId, at);
}

const seeded: Record<string, Seeded> = {};
const RANGE = 'from=2026-11-20&to=2026-11-22';
/** 10:00 on a day in Asia/Shanghai. */
const local = (day: string, time = '10:00') => `${day}T${time}:00+08:00`;

beforeAll(async () => {
  kefu = await createTestKefu();
  shopKey = kefu.keyOf('shop-zh');
  shopTenantId = (
    await kefu.database.db.selectFrom('tenants').select('id').where('slug', '=', 'shop-zh').executeTakeFirstOrThrow()
  ).id;
  shopTrainer = await agentToken('shop-zh', true);
  bankTrainer = await agentToken('bank-zh', true);
  plainAgent = await agentToken('shop-zh', false);

  // Day 1 (11-20): the shipping fee three ways (answered), and a request for a person (closed, rated 4).
  seeded.feeZh = await seed('运费多少', local('2026-11-20', '09:00'));
  seeded.feeTw = await seed('運費多少', local('2026-11-20', '09:10'));
  seeded.feeEn = await seed('What is the shipping fee?', local('2026-11-20', '09:20'));
  seeded.human = await seed('转人工', local('2026-11-20', '09:30'));
  await closeAndRate(seeded.human, 4, local('2026-11-20', '09:30'));
  // Day 2 (11-21): instalments (answered), pet food three ways (fallbacks), a complaint (closed, rated 2).
  seeded.instalments = await seed('可以分期付款吗', local('2026-11-21'));
  seeded.petZh = await seed('你们卖宠物粮吗', local('2026-11-21', '10:01'));
  seeded.petTw = await seed('你們賣寵物糧嗎', local('2026-11-21', '10:02'));
  seeded.petEn = await seed('Do you sell pet food?', local('2026-11-21', '10:03'));
  seeded.complaint = await seed('我要投诉', local('2026-11-21', '10:04'));
  await closeAndRate(seeded.complaint, 2, local('2026-11-21', '10:04'));
  // Day 3 (11-22): instalments again but abandoned (an outcome signal), an invoice question at 23:30.
  seeded.abandoned = await seed('能分期吗', local('2026-11-22'));
  const outcome = await call('POST', '/v1/learning/signals', shopKey, {
    kind: 'outcome',
    conversationId: seeded.abandoned.conversationId,
    value: 'abandoned',
  });
  expect(outcome.status).toBe(201);
  await moveTo(seeded.abandoned.conversationId, local('2026-11-22'));
  seeded.late = await seed('发票怎么开', local('2026-11-22', '23:30'));
  // 00:30 on 11-23 in Shanghai is still 11-22 in UTC: outside the range.
  seeded.nextDay = await seed('What is the shipping fee?', local('2026-11-23', '00:30'));

  // The cost ledger: each of day 1's turns cost ¥0.0015.
  await kefu.database.db
    .updateTable('turn_traces')
    .set({ cost_micros: 1500 })
    .where('tenant_id', '=', shopTenantId)
    .where(
      'conversation_id',
      'in',
      [seeded.feeZh, seeded.feeTw, seeded.feeEn, seeded.human].map((entry) => entry!.conversationId),
    )
    .execute();
  // Style checks on day 2: three of four outgoing messages passed unchanged.
  for (const outcome of ['passed', 'passed', 'passed', 'fixed'] as const)
    await kefu.database.db
      .insertInto('style_checks')
      .values({
        ...styleCheckRow({ tenantId: shopTenantId, messageId: null, kind: 'bot', outcome, rules: [] }),
        created_at: new Date(local('2026-11-21', '12:00')),
      })
      .execute();

  // Day 0 (11-19): more of what the shop does not answer, for the clusters.
  const gaps = [
    '你们有宠物粮卖吗',
    '宠物粮你们卖不卖',
    '请问卖不卖宠物粮',
    '我电话13812345678，你们卖宠物粮吗',
    '轉人工',
    '我要转人工',
    '帮我转人工客服',
    '人工客服在吗',
    '我要投訴你们',
  ];
  for (const [index, text] of gaps.entries())
    seeded[`gap${index}`] = await seed(text, local('2026-11-19', `10:${String(index).padStart(2, '0')}`));
}, 300_000);
afterAll(async () => kefu?.dispose());

describe('analytics: trends', () => {
  it('the seeded turns did what the day-one shop does with them', () => {
    for (const name of ['feeZh', 'feeTw', 'feeEn', 'instalments', 'abandoned', 'late'])
      expect([name, seeded[name]!.route, seeded[name]!.tier]).toEqual([name, 'auto', 'light']);
    for (const name of ['human', 'complaint']) expect([name, seeded[name]!.route]).toEqual([name, 'human']);
    for (const name of ['petZh', 'petTw', 'petEn']) expect([name, seeded[name]!.tier]).toEqual([name, 'fallback']);
    expect(seeded.feeZh!.intent).toBe(seeded.feeTw!.intent);
    expect(seeded.feeZh!.intent).toBe(seeded.feeEn!.intent);
  });

  it('per day in the tenant’s time zone: volume by intent name, containment, hand-over, CSAT, cost per resolution, style', async () => {
    const answer = await call('GET', `/v1/agent/analytics/trends?${RANGE}`, shopTrainer);
    expect(answer.status).toBe(200);
    const trends = answer.body;
    expect(trends.timezone).toBe('Asia/Shanghai');
    expect(trends.days.map((day: { day: string }) => day.day)).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
    const [d1, d2, d3] = trends.days;

    expect(d1).toMatchObject({
      conversations: 4,
      turns: 4,
      contained: 3,
      containment: 0.75,
      handedOver: 1,
      handoverRate: 0.25,
      resolutions: 4,
      csatAverage: 4,
      csatRatings: 1,
      costYuan: 0.006,
      costPerResolution: 0.0015,
      styleConsistency: null,
    });
    expect(d2).toMatchObject({
      conversations: 5,
      contained: 1,
      containment: 0.2,
      handedOver: 1,
      handoverRate: 0.2,
      resolutions: 2,
      csatAverage: 2,
      unrecognisedVolume: 3,
      styleConsistency: 0.75,
      styleMessages: 4,
    });
    // The abandoned one is not contained; the 23:30 question counts on its own day, the 00:30 one not at all.
    expect(d3).toMatchObject({ conversations: 2, contained: 1, containment: 0.5, handedOver: 0, handoverRate: 0 });
    expect(trends.totals).toMatchObject({ conversations: 11, contained: 5, handedOver: 2, csatAverage: 3 });

    // Volume per intent, by the FAQ's question (not its id).
    const fee = await kefu.database.db
      .selectFrom('faq_entries')
      .select('question')
      .where('tenant_id', '=', shopTenantId)
      .where('external_id', '=', seeded.feeZh!.intent!)
      .executeTakeFirstOrThrow();
    const feeIntent = trends.intents.find((intent: { id: string }) => intent.id === seeded.feeZh!.intent);
    expect(feeIntent).toEqual({ id: seeded.feeZh!.intent, name: fee.question, turns: 3 });
    expect(trends.intents[0].turns).toBe(3);
    expect(d1.volume[seeded.feeZh!.intent!]).toBe(3);
    expect(d2.volume[seeded.feeZh!.intent!] ?? 0).toBe(0);

    // The day after: the 00:30 question is there.
    const next = await call('GET', '/v1/agent/analytics/trends?from=2026-11-23&to=2026-11-23', shopTrainer);
    expect(next.body.days[0]).toMatchObject({ day: '2026-11-23', conversations: 1, contained: 1 });
  });

  it('exports every chart’s data as CSV (BOM, header, Chinese intact) and JSONL', async () => {
    const csv = await call('GET', `/v1/agent/analytics/trends?${RANGE}&format=csv`, shopTrainer);
    expect(csv.status).toBe(200);
    expect(String(csv.headers['content-type'])).toContain('text/csv');
    expect(String(csv.headers['content-disposition'])).toContain('kefu-daily-2026-11-20-2026-11-22.csv');
    expect(csv.raw.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.raw.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'day,conversations,turns,contained,containment,handed_over,handover_rate,resolutions,csat_average,csat_ratings,cost_yuan,cost_per_resolution,style_consistency,style_messages',
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('2026-11-20,4,4,3,0.75,1,0.25,4,4,1,0.006,0.0015,,0');

    const volume = await call('GET', `/v1/agent/analytics/trends?${RANGE}&format=csv&chart=volume`, shopTrainer);
    const fee = await kefu.database.db
      .selectFrom('faq_entries')
      .select('question')
      .where('tenant_id', '=', shopTenantId)
      .where('external_id', '=', seeded.feeZh!.intent!)
      .executeTakeFirstOrThrow();
    expect(volume.raw).toContain(`2026-11-20,top,${seeded.feeZh!.intent},${csvCell(fee.question)},3`);
    expect(volume.raw).toContain('2026-11-21,unrecognised,,,3');

    const jsonl = await call('GET', `/v1/agent/analytics/trends?${RANGE}&format=jsonl`, shopTrainer);
    expect(String(jsonl.headers['content-type'])).toContain('application/x-ndjson');
    const rows = jsonl.raw
      .trimEnd()
      .split('\n')
      .map((line: string) => JSON.parse(line));
    expect(rows.map((row: { day: string }) => row.day)).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
    expect(rows[1]).toMatchObject({ conversations: 5, containment: 0.2, style_consistency: 0.75 });
  });
});

describe('analytics: phrasing clusters and phrasings per intent', () => {
  it('clusters unanswered, fallback and handed-over messages (zh-CN, zh-TW, en), with a proposed question', async () => {
    const answer = await call('GET', '/v1/agent/analytics/clusters?from=2026-11-19&to=2026-11-22', shopTrainer);
    expect(answer.status).toBe(200);
    const result = answer.body;
    const unanswered = Object.values(seeded).filter(
      (entry) => (entry.route !== 'auto' || entry.tier === 'fallback') && entry !== seeded.nextDay,
    );
    expect(result.messages).toBe(unanswered.length);
    expect(result.clusters.reduce((sum: number, cluster: { size: number }) => sum + cluster.size, 0)).toBe(
      unanswered.length,
    );
    expect(result.clusters.length).toBeGreaterThanOrEqual(2);
    // Largest first.
    const sizes = result.clusters.map((cluster: { size: number }) => cluster.size);
    expect([...sizes].sort((a: number, b: number) => b - a)).toEqual(sizes);

    type Cluster = { representatives: Array<{ text: string; count: number }>; proposedQuestion: string };
    const holding = (text: string) =>
      result.clusters.find((cluster: Cluster) =>
        cluster.representatives.some((phrasing) => normalizeText(phrasing.text).text === normalizeText(text).text),
      ) as Cluster | undefined;
    // Simplified and Traditional are one phrasing, said twice.
    const pet = holding('你们卖宠物粮吗');
    expect(pet).toBeDefined();
    const petPhrasing = pet!.representatives.find((phrasing) => normalizeText(phrasing.text).text === '你们卖宠物粮吗');
    expect(petPhrasing?.count).toBe(2);
    expect(pet!.proposedQuestion).toMatch(/宠物粮|寵物糧/);
    expect(pet!.proposedQuestion.endsWith('？')).toBe(true);
    // Asking for a person is another cluster.
    const human = holding('转人工');
    expect(human).toBeDefined();
    expect(human).not.toBe(pet);
    expect(human!.proposedQuestion).toMatch(/人工/);
    // The trainer has no pii:read: the phone number is masked in what is shown.
    expect(answer.raw).not.toContain('13812345678');

    const csv = await call('GET', '/v1/agent/analytics/clusters?from=2026-11-19&to=2026-11-22&format=csv', shopTrainer);
    expect(csv.raw.charCodeAt(0)).toBe(0xfeff);
    expect(csv.raw.slice(1).split('\r\n')[0]).toBe(
      'cluster,size,share,phrasings,proposed_question,representatives,unanswered,fallback,handed_over,last_seen',
    );
    expect(csv.raw).toContain(pet!.proposedQuestion);
    expect(csv.raw).not.toContain('13812345678');
  });

  it('counts the distinct phrasings seen per FAQ entry', async () => {
    const answer = await call('GET', `/v1/agent/analytics/phrasings?${RANGE}`, shopTrainer);
    expect(answer.status).toBe(200);
    const byId = new Map(answer.body.entries.map((entry: { id: string }) => [entry.id, entry]));
    // 运费多少 and 運費多少 are one phrasing; the English one another; the 11-23 one is outside the range.
    expect(byId.get(seeded.feeZh!.intent!)).toMatchObject({ kind: 'faq', phrasings: 2, messages: 3 });
    // 可以分期付款吗 and 能分期吗.
    expect(byId.get(seeded.instalments!.intent!)).toMatchObject({ phrasings: 2, messages: 2 });
    expect(answer.body.entries[0].phrasings).toBe(2);

    const jsonl = await call('GET', `/v1/agent/analytics/phrasings?${RANGE}&format=jsonl`, shopTrainer);
    const rows = jsonl.raw
      .trimEnd()
      .split('\n')
      .map((line: string) => JSON.parse(line));
    expect(rows).toHaveLength(answer.body.entries.length);
    expect(rows[0]).toEqual({ kind: 'faq', ...answer.body.entries[0] });
  });
});

describe('analytics: scope, tenants, bad input', () => {
  it('another tenant’s trainer sees none of it; an agent without the trainer scope is refused', async () => {
    const trends = await call('GET', `/v1/agent/analytics/trends?${RANGE}`, bankTrainer);
    expect(trends.status).toBe(200);
    expect(trends.body.totals.conversations).toBe(0);
    expect(trends.body.intents).toEqual([]);
    const clusters = await call('GET', '/v1/agent/analytics/clusters?from=2026-11-19&to=2026-11-22', bankTrainer);
    expect(clusters.body.messages).toBe(0);
    expect(clusters.raw).not.toContain('宠物粮');
    const phrasings = await call('GET', `/v1/agent/analytics/phrasings?${RANGE}&format=csv`, bankTrainer);
    expect(phrasings.raw).not.toContain('运费');
    for (const path of ['trends', 'clusters', 'phrasings']) {
      const refused = await call('GET', `/v1/agent/analytics/${path}`, plainAgent);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('CS_TRAINER_SCOPE_REQUIRED');
      expect((await call('GET', `/v1/agent/analytics/${path}`, null)).status).toBe(401);
      expect((await call('GET', `/v1/agent/analytics/${path}`, shopKey)).status).toBe(401);
    }
  });

  it('refuses reversed, impossible, over-long and malformed ranges with 400', async () => {
    for (const query of [
      'from=2026-11-22&to=2026-11-20',
      'from=2026-02-31&to=2026-03-01',
      'from=2025-01-01&to=2026-11-20',
      'from=20261120',
      'format=xml',
      'tenant=bank-zh',
      'top=0',
    ]) {
      const answer = await call('GET', `/v1/agent/analytics/trends?${query}`, shopTrainer);
      expect([query, answer.status]).toEqual([query, 400]);
      expect(answer.body.code).toBe('CS_VALIDATION_FAILED');
    }
    // The default range: the last 30 days up to today.
    const defaults = await call('GET', '/v1/agent/analytics/trends', shopTrainer);
    expect(defaults.status).toBe(200);
    expect(defaults.body.days).toHaveLength(30);
  });
});

describe('analytics helpers', () => {
  it('proposes a question from a phrasing in each script', () => {
    expect(proposeQuestion('你好，请问  你们卖宠物粮吗？？')).toBe('你们卖宠物粮吗？');
    expect(proposeQuestion('請問可以開發票嗎')).toBe('可以開發票嗎？');
    expect(proposeQuestion('hi, do you sell pet food??')).toBe('Do you sell pet food?');
  });

  it('turns a day of the tenant into its instants and guards spreadsheet cells', () => {
    expect(startOfDay('2026-11-20', 'Asia/Shanghai').toISOString()).toBe('2026-11-19T16:00:00.000Z');
    expect(startOfDay('2026-03-09', 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
    const range = analyticsRange({ from: '2026-11-20', to: '2026-11-22' }, 'Asia/Shanghai');
    expect(range.end.toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('退款, 多久')).toBe('"退款, 多久"');
    expect(csvCell(-1.5)).toBe('-1.5');
  });
});

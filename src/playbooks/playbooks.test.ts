import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { createTestDatabase } from '../../test/support/test-database.js';
import { extractEntities } from '../nlu/index.js';
import { importPack, loadPack } from '../packs/index.js';
import { builtinTools } from '../tools/index.js';
import {
  createDatabaseConnector,
  evaluateCondition,
  fillSlots,
  matchQuickReply,
  renderTemplate,
  renderValue,
  runPlaybook,
  startState,
  validatePlaybook,
  type Connector,
  type Playbook,
  type PlaybookContext,
} from './index.js';

const tools = new Set(builtinTools.keys());
const loadDemoPlaybook = (pack: string, name: string): Playbook => {
  const { playbook, problems } = validatePlaybook(
    parseYaml(readFileSync(path.resolve('examples/packs', pack, 'playbooks', `${name}.yaml`), 'utf8')),
    tools,
  );
  expect(problems).toEqual([]);
  return playbook!;
};

describe('template language', () => {
  const scopes = [
    {
      order: { no: 'XM1', amount: '12.50' },
      items: [
        { name: '牙刷', n: 2 },
        { name: '刷头', n: 1 },
      ],
      periods: 12,
      empty: '',
    },
  ];
  it('renders paths, loops and conditions', () => {
    expect(renderTemplate('订单 {{order.no}} 金额 {{order.amount}} 元{{missing}}', scopes)).toBe(
      '订单 XM1 金额 12.50 元',
    );
    expect(renderTemplate('{{#each items}}{{name}}×{{n}}；{{/each}}', scopes)).toBe('牙刷×2；刷头×1；');
    expect(renderTemplate('{{#if periods in [3, 6, 12]}}可以{{/if}}{{#if empty}}不会出现{{/if}}', scopes)).toBe('可以');
    expect(renderTemplate('{{#each items}}{{#if n > 1}}{{name}} 多件{{/if}}{{/each}}', scopes)).toBe('牙刷 多件');
  });
  it('passes a single placeholder through with its type', () => {
    expect(renderValue({ list: '{{items}}', n: '{{periods}}', text: '共 {{periods}} 期' }, scopes)).toEqual({
      list: scopes[0]!.items,
      n: 12,
      text: '共 12 期',
    });
  });
  it('evaluates comparisons numerically, words as words, and paths on the right', () => {
    const s = [{ delay: { state: 'lost', days: '3' }, a: '1,079.20', b: '1,079.20' }];
    expect(evaluateCondition('delay.state == lost', s)).toBe(true);
    expect(evaluateCondition('delay.days >= 2', s)).toBe(true);
    expect(evaluateCondition('delay.days < 2', s)).toBe(false);
    expect(evaluateCondition('a != b', s)).toBe(false);
    expect(evaluateCondition('nothing.here', s)).toBe(false);
    expect(evaluateCondition('garbage ((', s)).toBe(false);
  });
});

describe('validation', () => {
  it('accepts the demo playbooks', () => {
    loadDemoPlaybook('shop-zh', 'logistics-delay');
    loadDemoPlaybook('bank-zh', 'instalment');
  });
  it('finds dangling steps, unknown tools, undeclared slots and bad patterns', () => {
    const { playbook, problems } = validatePlaybook(
      {
        name: 'broken',
        slots: [{ name: 'x', entity: 'text', pattern: '([' }],
        steps: [
          { id: 'a', kind: 'branch', cases: [{ when: 'x', next: 'nowhere' }], else: 'b' },
          { id: 'b', kind: 'compute', tool: 'no.such.tool', input: {}, save_as: 'y' },
          { id: 'c', kind: 'ask', slot: 'undeclared' },
          { id: 'c', kind: 'answer', text: 'hi' },
        ],
      },
      tools,
    );
    expect(playbook).toBeNull();
    const messages = problems.map((problem) => `${problem.path}: ${problem.message}`).join('\n');
    expect(messages).toMatch(/steps\.0\.cases\.0\.next: no step "nowhere"/);
    expect(messages).toMatch(/steps\.1\.tool: unknown tool "no\.such\.tool"/);
    expect(messages).toMatch(/steps\.2\.slot: slot "undeclared" is not declared/);
    expect(messages).toMatch(/step id "c" is used twice/);
    expect(messages).toMatch(/slots\.0\.pattern: not a valid regular expression/);
  });
  it('refuses unknown step kinds with the schema error', () => {
    const { problems } = validatePlaybook({ name: 'x', steps: [{ id: 'a', kind: 'teleport' }] }, tools);
    expect(problems[0]!.path).toBe('steps.0.kind');
  });
});

describe('slot filling', () => {
  const slots = [
    { name: 'amount', entity: 'amount' as const, optional: false },
    { name: 'periods', entity: 'number' as const, values: [3, 6, 12, 24], optional: true },
    { name: 'order_no', entity: 'order_no' as const, pattern: 'XM\\d{11}', optional: false },
  ];
  it.each([
    ['12000分12期每个月还多少', { amount: 12000, periods: 12 }],
    ['一万二分十二期', { amount: 12000, periods: 12 }],
    ['1.2萬分6期', { amount: 12000, periods: 6 }],
    ['订单号 xm20261115003 还没到', { order_no: 'XM20261115003' }],
    ['分期手续费怎么算', {}],
  ])('%s', (text, expected) => {
    expect(fillSlots(slots, text, extractEntities(text))).toEqual(expected);
  });
  it('takes a bare number as the answer to the slot just asked for', () => {
    expect(fillSlots(slots, '24', [], 'periods')).toEqual({ periods: 24 });
    expect(fillSlots(slots, '5', [], 'periods')).toEqual({});
  });
});

describe('quick replies', () => {
  const offered = [{ label: '加急催件' }, { label: '领 5 元补偿券' }, { label: '不等了，申请退款' }];
  it('matches clicks and typed paraphrases, and nothing vague', () => {
    expect(matchQuickReply('加急催件', offered)?.label).toBe('加急催件');
    expect(matchQuickReply('那帮我加急催一下吧', offered)?.label).toBe('加急催件');
    expect(matchQuickReply('領5元補償券', offered)?.label).toBe('领 5 元补偿券');
    expect(matchQuickReply('好的', offered)).toBeNull();
  });
});

describe('running the demo playbooks on the demo data', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let shopConnector: Connector;
  let bankConnector: Connector;
  beforeAll(async () => {
    database = await createTestDatabase();
    const shop = await importPack(database.db, loadPack(path.resolve('examples/packs/shop-zh')).pack!, {
      actor: 'test',
    });
    const bank = await importPack(database.db, loadPack(path.resolve('examples/packs/bank-zh')).pack!, {
      actor: 'test',
    });
    shopConnector = createDatabaseConnector(database.db, shop.tenantId);
    bankConnector = createDatabaseConnector(database.db, bank.tenantId);
  });
  afterAll(async () => database?.dispose());

  const context = (connector: Connector, contact: Record<string, unknown> = {}): PlaybookContext => ({
    contact,
    tenant: { name: 'demo' },
    today: '2026-11-25',
    now: '2026-11-25T10:00:00+08:00',
    connector,
    tools: builtinTools,
  });

  it('S2: finds a late order, says how late, and offers the fixes before being asked', async () => {
    const playbook = loadDemoPlaybook('shop-zh', 'logistics-delay');
    const outcome = await runPlaybook(
      playbook,
      startState(playbook, { order_no: 'XM20261115003' }),
      { text: '我的快递怎么还没到', newSlots: {} },
      context(shopConnector),
    );
    expect(outcome.status).toBe('done');
    expect(outcome.replies[0]!.text).toContain('超时 6 天');
    expect(outcome.replies[0]!.quickReplies).toEqual(expect.arrayContaining(['加急催件', '领 5 元补偿券']));
    // The customer picks a fix: the run continues from the kept state and asks the business to act.
    const expedite = await runPlaybook(
      playbook,
      outcome.state!,
      { text: '加急催件', newSlots: {} },
      context(shopConnector),
    );
    expect(expedite.replies[0]!.text).toContain('已为订单 XM20261115003 提交加急催件');
    expect(expedite.events).toEqual([
      { event: 'logistics.expedite_requested', data: expect.objectContaining({ order_no: 'XM20261115003' }) },
    ]);
  });

  it('asks for the order number when it has neither number nor phone, then continues', async () => {
    const playbook = loadDemoPlaybook('shop-zh', 'logistics-delay');
    const first = await runPlaybook(
      playbook,
      startState(playbook, {}),
      { text: '物流太慢了', newSlots: {} },
      context(shopConnector),
    );
    expect(first.status).toBe('waiting');
    expect(first.replies[0]!.text).toContain('订单号');
    const second = await runPlaybook(
      playbook,
      first.state!,
      { text: 'XM20261115003', newSlots: { order_no: 'XM20261115003' } },
      context(shopConnector),
    );
    expect(second.status).toBe('done');
    expect(second.replies[0]!.text).toContain('XM20261115003');
  });

  it('hands over with a note after an order number that cannot be found, twice', async () => {
    const playbook = loadDemoPlaybook('shop-zh', 'logistics-delay');
    let outcome = await runPlaybook(
      playbook,
      startState(playbook, { order_no: 'XM99999999999' }),
      { text: '', newSlots: {} },
      context(shopConnector),
    );
    expect(outcome.status).toBe('waiting');
    outcome = await runPlaybook(
      playbook,
      outcome.state!,
      { text: 'XM99999999998', newSlots: { order_no: 'XM99999999998' } },
      context(shopConnector),
    );
    outcome =
      outcome.status === 'waiting'
        ? await runPlaybook(playbook, outcome.state!, { text: '不知道', newSlots: {} }, context(shopConnector))
        : outcome;
    expect(outcome.status).toBe('handoff');
    expect(outcome.handoff?.reason).toBe('order-not-found');
  });

  it('turns a failing or hanging connector into a handoff, never an exception', async () => {
    const playbook = loadDemoPlaybook('shop-zh', 'logistics-delay');
    const failing: Connector = { name: 'crm', query: async () => Promise.reject(new Error('ECONNREFUSED')) };
    const hanging: Connector = { name: 'crm', query: () => new Promise(() => undefined) };
    for (const connector of [failing, hanging]) {
      const outcome = await runPlaybook(
        playbook,
        startState(playbook, { order_no: 'XM20261115003' }),
        { text: '', newSlots: {} },
        { ...context(connector), connectorTimeoutMs: 200 },
      );
      expect(outcome.status).toBe('handoff');
      expect(outcome.handoff?.reason).toBe('connector-failed');
    }
  });

  it('S3: quotes 12,000 yuan over 12 periods exactly to the fen', async () => {
    const playbook = loadDemoPlaybook('bank-zh', 'instalment');
    const outcome = await runPlaybook(
      playbook,
      startState(playbook, { amount: 12000, periods: 12 }),
      { text: '', newSlots: {} },
      context(bankConnector),
    );
    const text = outcome.replies[0]!.text;
    expect(text).toContain('每期还款 1,079.20 元');
    expect(text).not.toContain('首期');
    expect(text).toContain('手续费合计 950.40 元');
    expect(text).toContain('共还 12,950.40 元');
    expect(text).toMatch(/年化利率约 14\.3\d%/);
  });

  it('S3: quotes every period when none is given, and refuses amounts under the minimum', async () => {
    const playbook = loadDemoPlaybook('bank-zh', 'instalment');
    const all = await runPlaybook(
      playbook,
      startState(playbook, { amount: 10000 }),
      { text: '', newSlots: {} },
      context(bankConnector),
    );
    for (const periods of [3, 6, 12, 24]) expect(all.replies[0]!.text).toContain(`${periods} 期：每期`);
    expect(all.replies[0]!.text).toContain('（首期 3,408.34 元）');
    const small = await runPlaybook(
      playbook,
      startState(playbook, { amount: 300 }),
      { text: '', newSlots: {} },
      context(bankConnector),
    );
    expect(small.replies[0]!.text).toContain('600 元起');
  });
});

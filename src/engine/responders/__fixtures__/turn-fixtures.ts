import { buildRetrievalIndex, type KnowledgeEntry } from '../../../knowledge/index.js';
import { validatePlaybook, type Playbook } from '../../../playbooks/index.js';
import { normalizeText } from '../../../text/index.js';
import { builtinTools } from '../../../tools/index.js';
import type { RuntimeFaq, RuntimeIntent, TenantRuntime } from '../../tenant-runtime.js';
import { understandTurn, type TurnContext } from '../../turn-context.js';
import type { DialogueState, TurnServices } from '../../turn-types.js';
import type { Understander, Understanding } from '../../understander.js';

export const services: TurnServices = {
  connector: { name: 'none', query: async () => [] },
  contact: {},
  now: new Date('2026-11-25T10:00:00+08:00'),
};

/** Asks for an order number, confirms it and offers two quick replies: one goes on, one starts another intent. */
export const orderPlaybook: Playbook = validatePlaybook(
  {
    name: 'order-status',
    intent: 'order.status',
    slots: [{ name: 'order_no', entity: 'order_no', pattern: 'XM\\d{11}' }],
    steps: [
      { id: 'start', kind: 'branch', cases: [{ when: 'order_no', next: 'found' }], else: 'ask-order' },
      { id: 'ask-order', kind: 'ask', slot: 'order_no', prompt: '请发一下订单号（XM 开头）。', next: 'found' },
      {
        id: 'found',
        kind: 'answer',
        text: '订单 {{order_no}} 已发货。',
        quick_replies: [
          { label: '催一下', goto: 'hurry' },
          { label: '我要退货', intent: 'faq-1' },
        ],
        end: true,
      },
      {
        id: 'hurry',
        kind: 'answer',
        text: '已为订单 {{order_no}} 加急。',
        emit: { event: 'order.hurried', data: { order: '{{order_no}}' } },
      },
    ],
  },
  new Set(builtinTools.keys()),
).playbook!;

/**
 * A tenant runtime whose understander returns a fixed understanding (responders are about what
 * to do with one), with two FAQ entries, a few intents and the order playbook.
 */
export function fixedRuntime(
  understanding: Partial<Understanding>,
  overrides: Partial<TenantRuntime> = {},
): TenantRuntime {
  const understander: Understander = {
    understand: () => ({
      intent: null,
      confidence: 0,
      outOfScope: false,
      alternatives: [],
      model: 'fixed',
      reasons: [],
      ...understanding,
    }),
  };
  const faq = new Map<string, RuntimeFaq>([
    [
      'faq-1',
      {
        id: 'faq-1',
        question: '怎么退货',
        answer: '七天内可以无理由退货。',
        category: '售后',
        sensitive: false,
        version: 3,
      },
    ],
    [
      'faq-2',
      {
        id: 'faq-2',
        question: '被盗刷怎么办',
        answer: '请立即冻结卡片。',
        category: '安全',
        sensitive: true,
        version: 1,
      },
    ],
    [
      'faq-3',
      {
        id: 'faq-3',
        question: 'How long does delivery take?',
        answer: 'Three to five days.',
        category: null,
        sensitive: false,
        version: 1,
      },
    ],
  ]);
  const intent = (name: string, fields: Partial<RuntimeIntent>): [string, RuntimeIntent] => [
    name,
    { name, description: null, sample: null, route: 'auto', threshold: null, answer: null, playbook: null, ...fields },
  ];
  const intents = new Map<string, RuntimeIntent>([
    intent('greeting', { sample: '你好', answer: '您好！' }),
    intent('card.lost', { route: 'human' }),
    intent('complaint', { route: 'assist', threshold: 0.5, answer: '非常抱歉给您带来不便。' }),
    intent('order.status', { sample: '我的订单到哪了', playbook: 'order-status' }),
    intent('invoice', { sample: '怎么开发票', playbook: 'invoice' }),
    intent('silent', {}),
  ]);
  return {
    tenantId: 't',
    slug: 't',
    name: '测试',
    locale: 'zh-CN',
    domain: 'ecommerce',
    timezone: 'Asia/Shanghai',
    gate: 0.6,
    messages: {
      greeting: 'hi',
      fallback: '抱歉，我回答不了这个问题。',
      handoff: '正在为您转接人工。',
      noAnswer: 'none',
    },
    style: null,
    intents,
    faq,
    playbooks: new Map([['order-status', orderPlaybook]]),
    problems: ['playbook invoice: steps: Too small'],
    understander,
    knowledge: buildRetrievalIndex([]),
    passages: new Map(),
    systemPrompt: '',
    llmTools: [],
    httpConnectors: new Map(),
    prices: null,
    model: { kind: 'classifier', version: 1, note: null },
    loadedAt: new Date(),
    ...overrides,
  };
}

/** A retrieval index and its passages over a few document chunks, as the runtime builds them. */
export function documents(
  chunks: Array<{ path: string; title: string; text: string }>,
): Pick<TenantRuntime, 'knowledge' | 'passages'> {
  const entries: KnowledgeEntry[] = chunks.map((chunk) => ({
    id: `doc:${chunk.path}#0`,
    title: chunk.title,
    body: chunk.text,
  }));
  const passages: TenantRuntime['passages'] = new Map(
    chunks.map((chunk) => [
      `doc:${chunk.path}#0`,
      {
        id: `doc:${chunk.path}#0`,
        title: chunk.title,
        text: chunk.text,
        version: 2,
        source: 'doc' as const,
        reference: chunk.path,
      },
    ]),
  );
  return { knowledge: buildRetrievalIndex(entries), passages };
}

/** The context a responder sees for this message, understood the way runTurn understands it. */
export function contextFor(
  runtime: TenantRuntime,
  text: string,
  state: DialogueState = {},
  turnServices: TurnServices = services,
): TurnContext {
  return understandTurn(runtime, { text, state }, turnServices, normalizeText(text));
}

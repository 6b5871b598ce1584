import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../../test/support/test-kefu.js';
import type { DomainEvent } from '../bus/index.js';
import type { TenantRuntime } from '../engine/tenant-runtime.js';
import { createDatabaseConnector, type Connector } from '../playbooks/index.js';
import { ConversationService } from './conversation-service.js';
import type { TenantRuntimes } from './tenant-runtimes.js';

let kefu: TestKefu;
let tenantId: string;
beforeAll(async () => {
  kefu = await createTestKefu({ KEFU_NLU: 'lexical' });
  const tenant = await kefu.database.db
    .selectFrom('tenants')
    .select('id')
    .where('slug', '=', 'shop-zh')
    .executeTakeFirstOrThrow();
  tenantId = tenant.id;
});
afterAll(async () => kefu?.dispose());

/** A second conversation service on the same database: what another node is to this one. */
function otherNode(runtimes: TenantRuntimes = kefu.runtimes): ConversationService {
  return new ConversationService({
    db: kefu.database.db,
    bus: kefu.bus,
    runtimes,
    handoff: kefu.handoff,
    maxMessageChars: kefu.config.conversation.maxMessageChars,
    today: '2026-11-25',
  });
}

async function storedConversation(conversationId: string) {
  const row = await kefu.database.db
    .selectFrom('conversations')
    .select(['state', 'state_version', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return { ...row, state: row.state as Record<string, any> };
}

async function storedMessages(conversationId: string) {
  return kefu.database.db
    .selectFrom('messages')
    .select(['text', 'direction', 'visibility', 'turn_id'])
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .orderBy('seq')
    .execute();
}

describe('dialogue state under concurrent turns', () => {
  it('two turns deciding from the same state at once both count: the later one is decided again', async () => {
    const conversation = await kefu.conversations.createConversation(tenantId);
    await kefu.conversations.postCustomerMessage(tenantId, conversation.id, { text: '我的快递怎么还没到啊' });

    // The order number reaches this node while a question reaches a second node. The second node
    // has read the state when it asks for its runtime; it gets it only once this node has answered,
    // so the two turns overlap every time, whatever the machine's timing.
    let runtimeRequested!: () => void;
    const requested = new Promise<void>((resolve) => (runtimeRequested = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const gated: TenantRuntimes = {
      async get(id) {
        runtimeRequested();
        await released;
        return kefu.runtimes.get(id);
      },
    };
    const asked = otherNode(gated).postCustomerMessage(tenantId, conversation.id, { text: '運費怎麼算？' });
    await requested;
    const order = await kefu.conversations.postCustomerMessage(tenantId, conversation.id, {
      text: '订单号 XM20261115003',
    });
    release();
    const question = await asked;
    expect(order.reply).not.toBeNull();
    expect(question.reply).not.toBeNull();

    const stored = await storedConversation(conversation.id);
    // Every turn counted once and wrote once: neither overwrote the other.
    expect(stored.state.turns).toBe(3);
    expect(stored.state_version).toBe(3);
    // The turn that lost the race was decided again, on the state the winner left, and wrote last.
    const traces = await kefu.conversations.listTraces(tenantId, conversation.id);
    expect(traces.map((trace) => trace.trace.attempts ?? 1).sort()).toEqual([1, 1, 2]);
    expect(traces.at(-1)!.trace.attempts).toBe(2);
    const messages = await storedMessages(conversation.id);
    expect(messages.filter((message) => message.direction === 'incoming')).toHaveLength(3);
    expect(
      messages.filter((message) => message.direction === 'outgoing' && message.visibility === 'public'),
    ).toHaveLength(3);
  });

  it('a slot filled on one node survives a turn that another node decided from the older state', async () => {
    const conversation = await kefu.conversations.createConversation(tenantId);
    await kefu.conversations.postCustomerMessage(tenantId, conversation.id, { text: '我的快递怎么还没到啊' });
    const before = await storedConversation(conversation.id);
    expect(before.state.playbook?.waitingAt).toBe('ask-order-no');

    // The second node has stored its message (and read the state) but waits for its runtime
    // until this node has answered with the order number.
    let runtimeRequested!: () => void;
    const requested = new Promise<void>((resolve) => (runtimeRequested = resolve));
    let orderAnswered!: () => void;
    const answered = new Promise<void>((resolve) => (orderAnswered = resolve));
    const waiting: TenantRuntimes = {
      async get(id) {
        runtimeRequested();
        await answered;
        return kefu.runtimes.get(id);
      },
    };
    const question = otherNode(waiting).postCustomerMessage(tenantId, conversation.id, { text: '運費怎麼算？' });
    await requested;
    const order = await kefu.conversations.postCustomerMessage(tenantId, conversation.id, {
      text: '订单号 XM20261115003',
    });
    expect(order.turn?.tier).toBe('playbook');
    orderAnswered();
    expect((await question).reply).not.toBeNull();

    const stored = await storedConversation(conversation.id);
    expect(stored.state.memory).toEqual({ order_no: 'XM20261115003' });
    expect(stored.state.turns).toBe(3);
    expect(stored.state_version).toBe(3);
  });

  it("a turn that loses the race every time hands over instead of dropping anyone's state", async () => {
    const conversation = await kefu.conversations.createConversation(tenantId);
    await kefu.conversations.postCustomerMessage(tenantId, conversation.id, { text: '我的快递怎么还没到啊' });
    const before = await storedConversation(conversation.id);
    const db = kefu.database.db;
    const real = await kefu.runtimes.get(tenantId);
    // Each order lookup lets "another node" write the dialogue state first (the same content,
    // so the playbook is still waiting for the order number when the turn is decided again).
    const orders: Connector = {
      name: 'racing',
      async query(request) {
        await db
          .updateTable('conversations')
          .set((update) => ({ state: JSON.stringify(before.state), state_version: update('state_version', '+', 1) }))
          .where('id', '=', conversation.id)
          .execute();
        return createDatabaseConnector(db, tenantId).query(request);
      },
    };
    const runtime: TenantRuntime = { ...real, httpConnectors: new Map([['orders', orders]]) };
    const node = otherNode({ get: async () => runtime });

    const result = await node.postCustomerMessage(tenantId, conversation.id, { text: '订单号 XM20261115003' });
    expect(result.turn).toMatchObject({ route: 'human', tier: 'human' });
    expect(result.reply?.text).toBe(real.messages.handoff);
    expect(result.reply?.parts).toContainEqual({ type: 'handoff', reason: expect.stringContaining('dialogue state') });
    const trace = await kefu.conversations.getTrace(tenantId, result.turn!.traceId);
    expect(trace.trace).toMatchObject({ attempts: 3, handoffReason: expect.stringContaining('dialogue state') });
    const stored = await storedConversation(conversation.id);
    // The other writer's state stands, untouched by the turn that lost three times.
    expect(stored.state).toEqual(before.state);
    expect(stored.state_version).toBe(before.state_version + 3);
    expect(stored.status).toBe('pending');
  });
});

describe("the customer's message is durable before the tenant's models load", () => {
  it('stores and announces the message while the runtime is still loading, and answers once it is ready', async () => {
    const conversation = await kefu.conversations.createConversation(tenantId);
    let release!: () => void;
    const loaded = new Promise<void>((resolve) => (release = resolve));
    let loads = 0;
    const slow: TenantRuntimes = {
      async get(id) {
        loads += 1;
        await loaded;
        return kefu.runtimes.get(id);
      },
    };
    const announced: DomainEvent[] = [];
    const unsubscribe = kefu.bus.subscribe((event) => {
      if ('conversationId' in event && event.conversationId === conversation.id) announced.push(event);
    });
    try {
      const pending = otherNode(slow).postCustomerMessage(tenantId, conversation.id, { text: '我的快遞怎麼還沒到？' });
      // The load has begun; once the one-commit window (50 ms) has passed without a decision, the
      // message is committed and announced on its own, while the runtime is still loading.
      await expect.poll(() => loads, { timeout: 5_000 }).toBe(1);
      await expect
        .poll(() => storedMessages(conversation.id), { timeout: 5_000 })
        .toEqual([expect.objectContaining({ text: '我的快遞怎麼還沒到？', direction: 'incoming' })]);
      expect(announced.map((event) => event.type)).toEqual(['message.created']);
      expect(loads).toBe(1);

      release();
      const result = await pending;
      expect(result.reply?.text.length).toBeGreaterThan(0);
      const after = await storedMessages(conversation.id);
      expect(after.map((message) => message.direction)).toContain('outgoing');
      expect(after[0]!.turn_id).toBe(result.turn!.id);
    } finally {
      unsubscribe();
      release();
    }
  });

  it('a message to a conversation a person owns needs no runtime at all', async () => {
    const conversation = await kefu.conversations.createConversation(tenantId);
    await kefu.database.db
      .updateTable('conversations')
      .set({ assignee_kind: 'agent' })
      .where('id', '=', conversation.id)
      .execute();
    const never: TenantRuntimes = { get: () => new Promise<TenantRuntime>(() => undefined) };
    const result = await otherNode(never).postCustomerMessage(tenantId, conversation.id, { text: '人工客服在吗？' });
    expect(result).toMatchObject({ duplicate: false, reply: null, turn: null, message: { text: '人工客服在吗？' } });
  });
});

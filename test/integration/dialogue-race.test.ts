import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKefuProcess, type KefuProcess } from '../support/kefu-process.js';
import { createPostgresSchema, type PostgresSchema } from '../support/postgres-schema.js';
import {
  deleteRedisPrefix,
  redisTestUrl,
  servicesRequired,
  testRedis,
  uniqueRedisPrefix,
} from '../support/test-redis.js';

/**
 * Two real kefu processes on one PostgreSQL (a fresh schema) and one Redis (a fresh prefix), with
 * customers' messages to one playbook conversation arriving on both at once. Whatever order the
 * turns commit in, the conversation must end exactly as if its messages had been answered one by
 * one in that order: every message stored and answered once, every turn counted, no slot lost.
 *
 * Needs DATABASE_URL and REDIS_URL; skipped without them (outside CI, as two-node.test.ts).
 */
const databaseUrl = process.env.DATABASE_URL || undefined;
const skip = (!databaseUrl || !redisTestUrl) && !servicesRequired;

// Rounds of messages after the customer has started the logistics playbook (which asks for the
// order number): each round's two messages are sent at the same moment, one to each node.
const ROUNDS: Array<[string, string]> = [
  ['订单号 XM20261115003', '運費怎麼算？'],
  ['加急催件', '七天無理由退貨怎麼申請？'],
  ['领 5 元补偿券', 'How much is shipping?'],
];
const CONVERSATIONS = 4;

describe.skipIf(skip)('one playbook conversation answered by two nodes at once', () => {
  const prefix = uniqueRedisPrefix('dialogue-race');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kefu-dialogue-race-'));
  const nodes: KefuProcess[] = [];
  let schema: PostgresSchema;
  let admin: pg.Client;

  beforeAll(async () => {
    if (!databaseUrl || !redisTestUrl) throw new Error('CI=true: this test needs DATABASE_URL and REDIS_URL');
    schema = await createPostgresSchema(databaseUrl, 'dialogue_race');
    admin = new pg.Client({ connectionString: schema.url, connectionTimeoutMillis: 5_000 });
    await admin.connect();
    const env = {
      DATABASE_URL: schema.url,
      REDIS_URL: redisTestUrl,
      KEFU_REDIS_PREFIX: prefix,
      KEFU_DEMO: 'true',
      KEFU_TODAY: '2026-11-25',
      KEFU_NLU: 'lexical',
      KEFU_DATA_DIR: dataDir,
    };
    // One node first: it migrates and imports the demo packs; the second finds them there.
    nodes.push(await startKefuProcess(env, 170_000));
    nodes.push(await startKefuProcess(env, 170_000));
  }, 360_000);

  afterAll(async () => {
    for (const node of nodes) await node.kill();
    await admin?.end();
    await schema?.drop();
    if (redisTestUrl) {
      const redis = testRedis();
      await deleteRedisPrefix(redis, prefix);
      redis.disconnect();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  afterEach((context) => {
    if (context.task.result?.state === 'fail') {
      for (const [index, node] of nodes.entries())
        console.error(`--- node ${'AB'[index]} output (tail) ---\n${node.output().slice(-4000)}`);
    }
  });

  async function api(node: KefuProcess, url: string, body: unknown): Promise<any> {
    const response = await fetch(`${node.baseUrl}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${node.keys.get('shop-zh')}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await response.json();
    expect(response.status, JSON.stringify(json)).toBe(201);
    return json;
  }

  async function say(node: KefuProcess, conversationId: string, text: string): Promise<any> {
    return api(node, `/v1/conversations/${conversationId}/messages`, { text });
  }

  async function conversationRow(conversationId: string): Promise<{ state: any; state_version: number }> {
    const { rows } = await admin.query('select state, state_version from conversations where id = $1', [
      conversationId,
    ]);
    return rows[0];
  }

  /** The customer's messages in the order their turns committed (replies commit in seq order). */
  async function answeredInOrder(conversationId: string): Promise<string[]> {
    const { rows } = await admin.query(
      `select inbound.text from messages reply
         join messages inbound on inbound.turn_id = reply.turn_id and inbound.direction = 'incoming'
        where reply.conversation_id = $1 and reply.direction = 'outgoing' and reply.visibility = 'public'
        order by reply.seq`,
      [conversationId],
    );
    return rows.map((row: { text: string }) => row.text);
  }

  it('loses no message, no turn and no slot, in whatever order the turns commit', async () => {
    const [nodeA, nodeB] = [nodes[0]!, nodes[1]!];
    const conversationIds: string[] = [];
    for (let index = 0; index < CONVERSATIONS; index++)
      conversationIds.push((await api(nodeA, '/v1/conversations', {})).id);

    // All conversations at once, so the nodes are busy with several at a time.
    await Promise.all(
      conversationIds.map(async (conversationId, index) => {
        const opening = await say(index % 2 === 0 ? nodeA : nodeB, conversationId, '我的快递怎么还没到啊');
        expect(opening.turn.tier).toBe('playbook');
        for (const [first, second] of ROUNDS) {
          // Alternate which node gets which message, so both orders of arrival happen.
          const [toA, toB] = index % 2 === 0 ? [first, second] : [second, first];
          const answers = await Promise.all([say(nodeA, conversationId, toA), say(nodeB, conversationId, toB)]);
          for (const answer of answers) expect(answer.reply?.text.length).toBeGreaterThan(0);
        }
      }),
    );

    const sent = 1 + ROUNDS.length * 2;
    let retried = 0;
    for (const conversationId of conversationIds) {
      const { rows: messages } = await admin.query(
        `select m.direction, m.text, m.turn_id, t.trace from messages m left join turn_traces t on t.id = m.turn_id
          where m.conversation_id = $1 and m.visibility = 'public' order by m.seq`,
        [conversationId],
      );
      const incoming = messages.filter((message: { direction: string }) => message.direction === 'incoming');
      // Every message stored once, each answered once by its own turn.
      expect(incoming).toHaveLength(sent);
      expect(new Set(incoming.map((message: { turn_id: string }) => message.turn_id)).size).toBe(sent);
      expect(incoming.every((message: { trace: unknown }) => message.trace !== null)).toBe(true);
      expect(messages.filter((message: { direction: string }) => message.direction === 'outgoing')).toHaveLength(sent);
      retried += incoming.filter(
        (message: { trace: { attempts?: number } }) => (message.trace.attempts ?? 1) > 1,
      ).length;

      const row = await conversationRow(conversationId);
      // Every turn read the state the previous one wrote: the counts match the messages.
      expect(row.state.turns).toBe(sent);
      expect(row.state_version).toBe(sent);

      // The same messages answered one at a time, in the order they committed, end in the same
      // dialogue state: no slot and no memory was lost to a concurrent write.
      const order = await answeredInOrder(conversationId);
      expect([...order].sort()).toEqual(incoming.map((message: { text: string }) => message.text).sort());
      const replay = (await api(nodeA, '/v1/conversations', {})).id as string;
      for (const text of order) await say(nodeA, replay, text);
      expect(row.state).toEqual((await conversationRow(replay)).state);
    }
    // Where the slot was asked for before the order number arrived, it is remembered.
    for (const conversationId of conversationIds) {
      if ((await answeredInOrder(conversationId)).indexOf('订单号 XM20261115003') !== 1) continue;
      expect((await conversationRow(conversationId)).state.memory).toMatchObject({ order_no: 'XM20261115003' });
    }
    console.info(`dialogue race: ${retried} of ${CONVERSATIONS * sent} turns were decided again after losing a race`);
  }, 180_000);
});

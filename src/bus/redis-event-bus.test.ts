import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { isKefuError } from '../errors/index.js';
import {
  deleteRedisPrefix,
  killRedisClients,
  requireRedisUrl,
  skipWithoutRedis,
  testRedis,
  uniqueRedisPrefix,
  waitFor,
} from '../../test/support/test-redis.js';
import type { DomainEvent, EventOrigin } from './event-bus.js';
import { createRedisEventBus, type RedisEventBus } from './redis-event-bus.js';

const texts = ['您好，请问运费怎么算？', '您好，請問運費怎麼算？', 'Hello, how much is shipping?'];

describe.skipIf(skipWithoutRedis)('Redis event bus (real Redis)', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const buses: RedisEventBus[] = [];
  const redisErrors: string[] = [];

  async function openBus(prefix: string, onHandlerError?: (error: unknown) => void): Promise<RedisEventBus> {
    const bus = await createRedisEventBus({
      url: requireRedisUrl(),
      prefix,
      ...(onHandlerError ? { onHandlerError } : {}),
      onRedisError: (error, context) => redisErrors.push(`${context}: ${error.message}`),
    });
    buses.push(bus);
    return bus;
  }

  function record(bus: RedisEventBus): Array<{ event: DomainEvent; origin: EventOrigin }> {
    const seen: Array<{ event: DomainEvent; origin: EventOrigin }> = [];
    bus.subscribe((event, origin) => seen.push({ event, origin }));
    return seen;
  }

  beforeAll(() => {
    redis = testRedis();
  });

  afterAll(async () => {
    for (const bus of buses) await bus.close();
    for (const prefix of prefixes) await deleteRedisPrefix(redis, prefix);
    redis?.disconnect();
  });

  function prefix(): string {
    const value = uniqueRedisPrefix('bus');
    prefixes.push(value);
    return value;
  }

  it('delivers an event once on the publishing node (before publish resolves) and once on the other node', async () => {
    const shared = prefix();
    const a = await openBus(shared);
    const b = await openBus(shared);
    const seenA = record(a);
    const seenB = record(b);
    for (const [index, delta] of texts.entries()) {
      await a.publish({ type: 'message.delta', tenantId: 't1', conversationId: 'c1', turnId: `turn-${index}`, delta });
    }
    // Local delivery is direct: already there when publish resolved.
    expect(seenA.map((entry) => entry.event)).toHaveLength(3);
    expect(seenA.every((entry) => entry.origin.local)).toBe(true);
    await waitFor(() => seenB.length >= 3, 5_000, 'node B to receive three events');
    // Give a duplicate (the event coming back through Redis to A) time to show up.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seenA).toHaveLength(3);
    expect(seenB).toHaveLength(3);
    expect(seenB.every((entry) => !entry.origin.local)).toBe(true);
    expect(seenB.map((entry) => (entry.event as { delta: string }).delta)).toEqual(texts);
  });

  it("keeps one node's events in publish order on the other node", async () => {
    const shared = prefix();
    const a = await openBus(shared);
    const b = await openBus(shared);
    const seenB = record(b);
    for (let index = 1; index <= 300; index += 1) {
      await a.publish({
        type: 'message.created',
        tenantId: 't1',
        conversationId: 'c1',
        messageId: `m${index}`,
        seq: String(index),
      });
    }
    await waitFor(() => seenB.length >= 300, 5_000, '300 events on node B');
    expect(seenB.map((entry) => (entry.event as { seq: string }).seq)).toEqual(
      Array.from({ length: 300 }, (_, index) => String(index + 1)),
    );
  });

  it('keeps installations with different prefixes apart', async () => {
    const a = await openBus(prefix());
    const other = await openBus(prefix());
    const seenOther = record(other);
    await a.publish({ type: 'tenant.updated', tenantId: 'shop-zh' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seenOther).toHaveLength(0);
  });

  it('drops malformed channel messages without crashing and keeps delivering', async () => {
    const shared = prefix();
    const b = await openBus(shared);
    const seenB = record(b);
    const before = redisErrors.length;
    const garbage = [
      'not json',
      '{"o":1}',
      '[]',
      'null',
      '{"o":"x","e":{"type":""}}',
      '{"o":"x","e":[1]}',
      '\u0000\uffff',
      '{"o":"x","e":{"type":"' + 'x'.repeat(500) + '"}}',
    ];
    for (const text of garbage) await redis.publish(b.channel, text);
    await redis.publish(
      b.channel,
      JSON.stringify({ o: 'another-node', e: { type: 'tenant.updated', tenantId: 'bank-zh' } }),
    );
    await waitFor(() => seenB.length >= 1, 5_000, 'the valid event after the garbage');
    expect(seenB.map((entry) => entry.event)).toEqual([{ type: 'tenant.updated', tenantId: 'bank-zh' }]);
    expect(redisErrors.length - before).toBe(garbage.length);
  });

  it('isolates a throwing subscriber: the others still get the event, the error is reported', async () => {
    const shared = prefix();
    const handlerErrors: unknown[] = [];
    const a = await openBus(shared);
    const b = await openBus(shared, (error) => handlerErrors.push(error));
    b.subscribe(() => {
      throw new Error('subscriber bug');
    });
    const seenB = record(b);
    await a.publish({ type: 'conversation.updated', tenantId: 't1', conversationId: 'c1', status: 'pending' });
    await waitFor(() => seenB.length === 1, 5_000, 'the event on node B');
    expect(handlerErrors).toHaveLength(1);
  });

  it('reconnects after the subscriber connection is killed, tells followers about the gap, and delivers again', async () => {
    const shared = prefix();
    const a = await openBus(shared);
    const b = await openBus(shared);
    const seenB = record(b);
    let gaps = 0;
    b.onGap(() => {
      gaps += 1;
    });
    const killed = await killRedisClients(redis, `kefu:bus-subscriber:${b.nodeId.slice(0, 8)}`);
    expect(killed).toBe(1);
    await waitFor(() => gaps === 1, 10_000, 'the gap signal after reconnecting');
    await a.publish({ type: 'message.created', tenantId: 't1', conversationId: 'c1', messageId: 'm-after', seq: '42' });
    await waitFor(() => seenB.length === 1, 5_000, 'an event after the reconnect');
    expect((seenB[0]!.event as { messageId: string }).messageId).toBe('m-after');
  });

  it('a publish whose connection was killed still reaches the other node once reconnected', async () => {
    const shared = prefix();
    const a = await openBus(shared);
    const b = await openBus(shared);
    const seenB = record(b);
    await killRedisClients(redis, `kefu:bus-publisher:${a.nodeId.slice(0, 8)}`);
    await a.publish({ type: 'tenant.updated', tenantId: '青禾银行' });
    await waitFor(() => seenB.length === 1, 10_000, 'the event published across the reconnect');
    expect(seenB[0]!.event).toEqual({ type: 'tenant.updated', tenantId: '青禾银行' });
  });

  it('close() is idempotent, stops delivery and releases both connections', async () => {
    const shared = prefix();
    const a = await openBus(shared);
    const b = await openBus(shared);
    const seenB = record(b);
    await b.close();
    await b.close();
    await a.publish({ type: 'tenant.updated', tenantId: 't1' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seenB).toHaveLength(0);
    const clients = (await redis.client('LIST')) as string;
    expect(clients).not.toContain(`kefu:bus-subscriber:${b.nodeId.slice(0, 8)}`);
    expect(clients).not.toContain(`kefu:bus-publisher:${b.nodeId.slice(0, 8)}`);
  });

  it('fails fast, naming REDIS_URL, when Redis is unreachable', async () => {
    const started = Date.now();
    const error = await createRedisEventBus({ url: 'redis://127.0.0.1:1', prefix: prefix() }).catch(
      (caught: unknown) => caught,
    );
    expect(isKefuError(error)).toBe(true);
    expect((error as Error).message).toMatch(/REDIS_URL/);
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});

import { randomUUID } from 'node:crypto';
import { closeRedis, connectRedis, createRedisConnection } from '../redis/index.js';
import type { DomainEvent, EventBus, EventHandler } from './event-bus.js';

export interface RedisEventBusOptions {
  url: string;
  /** Namespace of the channel (config `redisPrefix`, default `kefu:`). */
  prefix: string;
  /** A subscriber threw; the event still reaches the other subscribers. */
  onHandlerError?: (error: unknown) => void;
  /** Redis trouble: a lost connection (ioredis reconnects by itself), a publish that failed, a malformed message. */
  onRedisError?: (error: Error, context: string) => void;
}

/** What travels on the channel: the publishing node and the event. */
interface Envelope {
  /** Publishing node's id: the publisher already delivered the event to its own subscribers. */
  o: string;
  e: DomainEvent;
}

export interface RedisEventBus extends EventBus {
  /** This node's id on the channel. */
  readonly nodeId: string;
  /** The channel every node publishes to and listens on. */
  readonly channel: string;
}

/**
 * The `EventBus` over Redis pub/sub, for several kefu nodes: one publisher and one subscriber
 * connection on one channel (`<prefix>events`), events as JSON.
 *
 * A node delivers its own events directly (synchronously, like the in-process bus, so they are
 * not slowed down or lost by Redis) and drops them when they come back from the channel, so each
 * subscriber sees every event exactly once. Redis pub/sub is at-most-once: when the subscriber
 * loses its connection, ioredis reconnects and re-subscribes, and `onGap` handlers run so
 * followers re-read from the database, where every event's data already is.
 */
export async function createRedisEventBus(options: RedisEventBusOptions): Promise<RedisEventBus> {
  const nodeId = randomUUID();
  const channel = `${options.prefix}events`;
  const handlers = new Set<EventHandler>();
  const gapHandlers = new Set<() => void>();
  const pending = new Set<Promise<unknown>>();
  const reportRedis = options.onRedisError ?? (() => undefined);
  const reportHandler = options.onHandlerError ?? (() => undefined);
  let closed = false;

  const publisher = createRedisConnection(options.url, { role: `bus-publisher:${nodeId.slice(0, 8)}` }, (error) =>
    reportRedis(error, 'publisher connection'),
  );
  // The subscriber keeps its offline queue: SUBSCRIBE is re-sent on every reconnect.
  const subscriber = createRedisConnection(
    options.url,
    { role: `bus-subscriber:${nodeId.slice(0, 8)}`, maxRetriesPerRequest: null },
    (error) => reportRedis(error, 'subscriber connection'),
  );

  const deliver = (event: DomainEvent, local: boolean) => {
    for (const handler of [...handlers]) {
      try {
        handler(event, { local });
      } catch (error) {
        reportHandler(error);
      }
    }
  };

  try {
    await connectRedis(publisher);
    await connectRedis(subscriber);
    await subscriber.subscribe(channel);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw error;
  }

  subscriber.on('message', (from: string, text: string) => {
    if (from !== channel || closed) return;
    const envelope = parseEnvelope(text);
    if (!envelope) {
      reportRedis(new Error(`dropped a malformed message on ${channel}`), 'subscriber message');
      return;
    }
    if (envelope.o === nodeId) return;
    deliver(envelope.e, false);
  });

  // After a lost connection, events published meanwhile are gone (pub/sub keeps nothing): once
  // the subscription is back, followers re-read.
  let lost = false;
  subscriber.on('close', () => {
    if (!closed) lost = true;
  });
  subscriber.on('ready', () => {
    if (!lost || closed) return;
    lost = false;
    // ioredis re-subscribes by itself; SUBSCRIBE again (idempotent) and wait for Redis to confirm,
    // so nothing published after the followers' re-read can slip past them.
    subscriber
      .subscribe(channel)
      .then(() => {
        for (const handler of [...gapHandlers]) {
          try {
            handler();
          } catch (error) {
            reportHandler(error);
          }
        }
      })
      .catch((error: Error) => reportRedis(error, 'resubscribe'));
  });

  return {
    nodeId,
    channel,
    async publish(event) {
      if (closed) return;
      // Queued on the connection in call order (so other nodes see this node's events in order),
      // not awaited: a slow or absent Redis must not hold the acknowledgement of a committed message.
      const sent = publisher
        .publish(channel, JSON.stringify({ o: nodeId, e: event } satisfies Envelope))
        .catch((error: Error) => reportRedis(error, `publish ${event.type}`))
        .finally(() => pending.delete(sent));
      pending.add(sent);
      deliver(event, true);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
      };
    },
    onGap(handler) {
      gapHandlers.add(handler);
      return () => {
        gapHandlers.delete(handler);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      // Let events already published reach Redis (bounded: Redis may be gone).
      await Promise.race([
        Promise.allSettled([...pending]),
        new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
      ]);
      handlers.clear();
      gapHandlers.clear();
      await Promise.all([closeRedis(subscriber), closeRedis(publisher)]);
    },
  };
}

/** Reads one channel message; anything else than `{o: string, e: {type: string, …}}` is refused. */
function parseEnvelope(text: string): Envelope | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { o, e } = value as { o?: unknown; e?: unknown };
  if (typeof o !== 'string' || typeof e !== 'object' || e === null || Array.isArray(e)) return null;
  const type = (e as { type?: unknown }).type;
  if (typeof type !== 'string' || type.length === 0 || type.length > 100) return null;
  return { o, e: e as DomainEvent };
}

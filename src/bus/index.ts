import type { RedisEventBus, RedisEventBusOptions } from './redis-event-bus.js';

export type { DomainEvent, EventBus, EventHandler, EventOrigin } from './event-bus.js';
export type { RedisEventBus, RedisEventBusOptions } from './redis-event-bus.js';
export { createInProcessEventBus } from './in-process-event-bus.js';

/** The Redis pub/sub adapter, loaded only when Redis is configured. */
export async function createRedisEventBus(options: RedisEventBusOptions): Promise<RedisEventBus> {
  const { createRedisEventBus: create } = await import('./redis-event-bus.js');
  return create(options);
}
export { eventRouter } from './event-router.js';
export type { EventRouter } from './event-router.js';

import type { DomainEvent, EventBus, EventHandler } from './event-bus.js';

/** Single-process bus: synchronous fan-out to in-memory subscribers. */
export function createInProcessEventBus(onHandlerError: (error: unknown) => void = () => undefined): EventBus {
  const handlers = new Set<EventHandler>();
  return {
    async publish(event: DomainEvent) {
      for (const handler of [...handlers]) {
        try {
          handler(event, { local: true });
        } catch (error) {
          onHandlerError(error);
        }
      }
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onGap() {
      return () => undefined;
    },
    async close() {
      handlers.clear();
    },
  };
}

export type { DomainEvent, EventBus, EventHandler } from './event-bus.js';
export { createInProcessEventBus } from './in-process-event-bus.js';

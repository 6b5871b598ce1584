import { describe, expect, it } from 'vitest';
import type { DomainEvent, EventBus, EventHandler } from './event-bus.js';
import { eventRouter } from './event-router.js';
import { createInProcessEventBus } from './in-process-event-bus.js';

/** An in-process bus whose gap signal the test can fire (the Redis bus fires it after a reconnect). */
function busWithGap(): EventBus & { gap(): void; subscribers(): number } {
  const inner = createInProcessEventBus();
  const gapHandlers = new Set<() => void>();
  let subscribers = 0;
  return {
    publish: (event) => inner.publish(event),
    subscribe(handler: EventHandler) {
      subscribers += 1;
      return inner.subscribe(handler);
    },
    onGap(handler) {
      gapHandlers.add(handler);
      return () => gapHandlers.delete(handler);
    },
    close: () => inner.close(),
    gap: () => gapHandlers.forEach((handler) => handler()),
    subscribers: () => subscribers,
  };
}

const created = (tenantId: string, conversationId: string, seq: string): DomainEvent => ({
  type: 'message.created',
  tenantId,
  conversationId,
  messageId: `m${seq}`,
  seq,
});

describe('eventRouter', () => {
  it('sends each event only to the listeners of its conversation, through one bus subscription', async () => {
    const bus = busWithGap();
    const router = eventRouter(bus);
    expect(eventRouter(bus)).toBe(router);
    const seen: Record<string, string[]> = { a: [], b: [], otherTenant: [] };
    for (let index = 0; index < 1000; index += 1)
      router.conversation('shop-zh', `idle-${index}`, () => seen.a.push('wrong'));
    seen.a = [];
    router.conversation('shop-zh', 'c-a', (event) =>
      seen.a!.push(event.type === 'message.delta' ? event.delta : (event as { seq: string }).seq),
    );
    router.conversation('shop-zh', 'c-b', (event) => seen.b!.push((event as { seq: string }).seq));
    router.conversation('bank-zh', 'c-a', (event) => seen.otherTenant!.push((event as { seq: string }).seq));
    await bus.publish(created('shop-zh', 'c-a', '1'));
    await bus.publish(created('shop-zh', 'c-b', '2'));
    await bus.publish({
      type: 'message.delta',
      tenantId: 'shop-zh',
      conversationId: 'c-a',
      turnId: 't',
      delta: '您好',
    });
    expect(seen).toEqual({ a: ['1', '您好'], b: ['2'], otherTenant: [] });
    expect(bus.subscribers()).toBe(1);
  });

  it('routes tenant-wide events (with or without a conversation) to tenant listeners', async () => {
    const bus = busWithGap();
    const router = eventRouter(bus);
    const types: string[] = [];
    router.tenant('shop-zh', (event) => types.push(event.type));
    await bus.publish({ type: 'tenant.updated', tenantId: 'shop-zh' });
    await bus.publish({ type: 'conversation.created', tenantId: 'shop-zh', conversationId: 'c1' });
    await bus.publish({ type: 'tenant.updated', tenantId: 'bank-zh' });
    expect(types).toEqual(['tenant.updated', 'conversation.created']);
  });

  it('a tenant listener for some event types gets only those', async () => {
    const bus = busWithGap();
    const router = eventRouter(bus);
    const types: string[] = [];
    const stop = router.tenant('shop-zh', (event) => types.push(event.type), [
      'tenant.updated',
      'conversation.updated',
    ]);
    await bus.publish(created('shop-zh', 'c1', '1'));
    await bus.publish({ type: 'conversation.updated', tenantId: 'shop-zh', conversationId: 'c1', status: 'pending' });
    await bus.publish({ type: 'tenant.updated', tenantId: 'bank-zh' });
    await bus.publish({ type: 'tenant.updated', tenantId: 'shop-zh' });
    stop();
    await bus.publish({ type: 'tenant.updated', tenantId: 'shop-zh' });
    expect(types).toEqual(['conversation.updated', 'tenant.updated']);
  });

  it('unsubscribing removes the listener and its empty slot; a throwing listener does not starve the others', async () => {
    const bus = busWithGap();
    const router = eventRouter(bus);
    const seen: string[] = [];
    router.conversation('t', 'c', () => {
      throw new Error('socket gone');
    });
    const stop = router.conversation('t', 'c', () => seen.push('first'));
    router.conversation('t', 'c', () => seen.push('second'));
    await bus.publish(created('t', 'c', '1'));
    stop();
    await bus.publish(created('t', 'c', '2'));
    expect(seen).toEqual(['first', 'second', 'second']);
  });

  it('passes the gap signal to every gap listener until it unsubscribes', () => {
    const bus = busWithGap();
    const router = eventRouter(bus);
    let gaps = 0;
    const stop = router.gap(() => (gaps += 1));
    bus.gap();
    stop();
    bus.gap();
    expect(gaps).toBe(1);
  });

  it('ignores events without a tenant (a malformed event from another node) without throwing', async () => {
    const bus = busWithGap();
    const router = eventRouter(bus);
    const seen: unknown[] = [];
    router.tenant('t', (event) => seen.push(event));
    await bus.publish({ type: 'tenant.updated' } as unknown as DomainEvent);
    await bus.publish({ type: 'message.created', tenantId: 't', conversationId: 42 } as unknown as DomainEvent);
    expect(seen).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../../test/support/test-kefu.js';
import { createTenant } from '../tenancy/index.js';
import { DisplayIdAllocator } from './display-ids.js';
import { ConversationService } from './conversation-service.js';

let kefu: TestKefu;
beforeAll(async () => {
  kefu = await createTestKefu();
});
afterAll(async () => kefu?.dispose());

async function freshTenant(slug: string): Promise<string> {
  return (await createTenant(kefu.database.db, { slug, name: slug, locale: 'zh-CN' })).id;
}

async function displayIds(tenantId: string): Promise<number[]> {
  const rows = await kefu.database.db
    .selectFrom('conversations')
    .select('display_id')
    .where('tenant_id', '=', tenantId)
    .orderBy('display_id')
    .execute();
  return rows.map((row) => row.display_id);
}

function node(): ConversationService {
  return new ConversationService({
    db: kefu.database.db,
    bus: kefu.bus,
    runtimes: kefu.runtimes,
    maxMessageChars: kefu.config.conversation.maxMessageChars,
  });
}

describe('conversation display ids', () => {
  it('numbers a quiet tenant’s conversations 1, 2, 3 with no gaps', async () => {
    const tenantId = await freshTenant('display-quiet');
    const allocator = new DisplayIdAllocator(kefu.database.db, { busyWithinMs: 0 });
    expect([await allocator.next(tenantId), await allocator.next(tenantId), await allocator.next(tenantId)]).toEqual([
      1, 2, 3,
    ]);
  });

  it('gives a flash crowd on two nodes unique ids, in blocks that grow while busy', async () => {
    const tenantId = await freshTenant('display-crowd');
    const [first, second] = [node(), node()];
    await Promise.all(
      Array.from({ length: 120 }, (_, index) =>
        (index % 2 ? first : second).createConversation(tenantId, { channel: { kind: 'widget' } }),
      ),
    );
    const ids = await displayIds(tenantId);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    expect(ids[0]).toBe(1);
    // Blocks double up to 64 while used up within a second: far fewer reservations than ids, and
    // the ids left unused in the nodes' current blocks are the only gaps.
    const counter = await kefu.database.db
      .selectFrom('conversation_counters')
      .select('last_display_id')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    expect(Number(counter.last_display_id)).toBeGreaterThanOrEqual(120);
    expect(Number(counter.last_display_id)).toBeLessThanOrEqual(120 + 2 * 64);
  });

  it('continues after the highest id a tenant already has, on a new node', async () => {
    const tenantId = await freshTenant('display-restart');
    await node().createConversation(tenantId);
    await node().createConversation(tenantId);
    // A tenant whose counter row is missing (as if created before the counter) starts after its highest id.
    await kefu.database.db.deleteFrom('conversation_counters').where('tenant_id', '=', tenantId).execute();
    const allocator = new DisplayIdAllocator(kefu.database.db);
    expect(await allocator.next(tenantId)).toBe(3);
  });

  it('keeps the ids of one tenant apart from another’s', async () => {
    const [a, b] = [await freshTenant('display-a'), await freshTenant('display-b')];
    const service = node();
    await Promise.all([a, b, a, b].map((tenantId) => service.createConversation(tenantId)));
    expect(await displayIds(a)).toEqual([1, 2]);
    expect(await displayIds(b)).toEqual([1, 2]);
  });

  it('opens a new customer’s first conversations at once on one contact, with the channel created once', async () => {
    const tenantId = await freshTenant('display-same-customer');
    const [first, second] = [node(), node()];
    const created = await Promise.all(
      ['王芳', '王芳', 'Wang Fang'].map((name, index) =>
        (index % 2 ? first : second).createConversation(tenantId, {
          channel: { kind: 'widget' },
          contact: { externalId: 'visitor-同一位', name },
        }),
      ),
    );
    expect(new Set(created.map((conversation) => conversation.contactId)).size).toBe(1);
    const channels = await kefu.database.db
      .selectFrom('channels')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .execute();
    expect(channels).toHaveLength(1);
    const contacts = await kefu.database.db
      .selectFrom('contacts')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .execute();
    expect(contacts).toHaveLength(1);
  });
});

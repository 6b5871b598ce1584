import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessEventBus, type DomainEvent } from '../bus/index.js';
import type { Db } from '../store/database.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { createAgent } from './agents.js';
import { AutoAssigner } from './auto-assigner.js';
import type { QueueSettings } from './handoff-settings.js';
import { HandoffViews } from './handoff-views.js';
import { assignHandoff, findHandoff, insertOpenHandoff } from './handoffs-repository.js';
import { PresenceService } from './presence-service.js';
import { etaSeconds, medianHandleSeconds, QueueStatistics } from './queue-statistics.js';
import { HandoffSettingsCache } from './settings-cache.js';
import { SlaChecker } from './sla-checker.js';

// Each hand-off job on its own, over a real migrated database (PGlite, or PostgreSQL when
// DATABASE_URL is set): the line and its ETA, automatic assignment, the SLA and reclaim checker,
// read marks. The routes' end-to-end behaviour is in src/server/routes/agent.test.ts.

const RECLAIM_MS = 60_000;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
const events: DomainEvent[] = [];
const bus = createInProcessEventBus();
bus.subscribe((event) => void events.push(event));

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
}, 60_000);
afterAll(async () => database?.dispose());

/** A tenant with its own queues (settings as tenant.yaml writes them), a channel and a contact. */
async function tenantWith(handoff: Record<string, unknown>) {
  const tenantId = randomUUID();
  const slug = `t-${tenantId.slice(0, 8)}`;
  await db
    .insertInto('tenants')
    .values({
      id: tenantId,
      slug,
      name: '测试商店',
      locale: 'zh-CN',
      domain: 'retail',
      status: 'active',
      settings: JSON.stringify({ handoff }),
    })
    .execute();
  const channelId = randomUUID();
  await db
    .insertInto('channels')
    .values({ id: channelId, tenant_id: tenantId, kind: 'api', name: 'API', config: '{}' })
    .execute();
  const contactId = randomUUID();
  await db
    .insertInto('contacts')
    .values({ id: contactId, tenant_id: tenantId, name: '王小明', phone: null, email: null, attributes: '{}' })
    .execute();
  let display = 0;
  const conversation = async () => {
    const id = randomUUID();
    display += 1;
    await db
      .insertInto('conversations')
      .values({
        id,
        tenant_id: tenantId,
        display_id: display,
        channel_id: channelId,
        contact_id: contactId,
        status: 'open',
        assignee_kind: 'bot',
        assignee_id: null,
        state: '{}',
      })
      .execute();
    return id;
  };
  return { tenantId, slug, conversation };
}

async function onlineAgent(tenantId: string, name: string, skills: string[], maxConcurrent: number) {
  const agent = await createAgent(db, tenantId, {
    email: `${randomUUID()}@example.com`,
    name,
    password: 'a-long-password',
    skills,
    maxConcurrent,
  });
  await db
    .updateTable('agents')
    .set({ presence: 'online', last_seen_at: new Date() })
    .where('id', '=', agent.id)
    .execute();
  return { tenantId, agentId: agent.id, name };
}

function services() {
  const settings = new HandoffSettingsCache(db);
  const statistics = new QueueStatistics({ db, settings, reclaimAfterMs: RECLAIM_MS });
  const views = new HandoffViews({ db, settings, statistics });
  const assigner = new AutoAssigner({ db, bus, settings, statistics });
  const presence = new PresenceService({ db, bus, statistics, assigner, reclaimAfterMs: RECLAIM_MS });
  const sla = new SlaChecker({ db, bus, statistics, assigner, reclaimAfterMs: RECLAIM_MS, checkIntervalMs: 3_600_000 });
  return { settings, statistics, views, assigner, presence, sla };
}

async function queueUp(tenantId: string, conversationId: string, queue: QueueSettings, reason = '客户要求转人工') {
  const row = await insertOpenHandoff(db, queue, {
    tenantId,
    conversationId,
    reason,
    requestedBy: 'bot',
    route: 'human',
    intent: null,
    turnId: null,
  });
  return row!;
}

describe('queue figures', () => {
  it('takes the median of the latest handle times, and 300 s until five handoffs have finished', () => {
    expect(medianHandleSeconds([])).toBe(300);
    expect(medianHandleSeconds([10, 20, 30, 40])).toBe(300);
    expect(medianHandleSeconds([10, 20, 30, 40, 50])).toBe(30);
    expect(medianHandleSeconds([10, 20, 30, 40, 50, 60])).toBe(35);
  });

  it('estimates the wait as median × place in line ÷ slots, and none while nobody is online', () => {
    expect(etaSeconds({ slots: 2, medianHandleSeconds: 300 }, 1)).toBe(150);
    expect(etaSeconds({ slots: 3, medianHandleSeconds: 100 }, 2)).toBe(67);
    expect(etaSeconds({ slots: 0, medianHandleSeconds: 300 }, 1)).toBeNull();
  });
});

describe('the line (repository and views)', () => {
  it('numbers waiting customers per queue and gives each an ETA from the agents online for it', async () => {
    const { tenantId, conversation } = await tenantWith({
      queues: [{ name: '售后', skills: ['售后'], assignment: 'manual' }, { name: '通用' }],
    });
    const { settings, statistics, views } = services();
    const [aftersales, general] = (await settings.get(tenantId)).queues;
    await onlineAgent(tenantId, '售后一号', ['售后'], 1);
    await onlineAgent(tenantId, '售后二号', ['售后'], 1);
    const rows = [];
    for (let index = 0; index < 3; index += 1) rows.push(await queueUp(tenantId, await conversation(), aftersales!));
    const elsewhere = await queueUp(tenantId, await conversation(), general!);

    // Several rows read the line once per queue; one row counts those ahead of it.
    const listed = await views.of(tenantId, [...rows, elsewhere]);
    expect(listed.map((view) => [view.queue, view.position, view.etaSeconds])).toEqual([
      ['售后', 1, 150],
      ['售后', 2, 300],
      ['售后', 3, 450],
      ['通用', 1, 150],
    ]);
    expect((await views.one(tenantId, rows[2]!)).position).toBe(3);
    expect(await views.widgetState(tenantId, rows[1]!.conversation_id)).toEqual({
      status: 'waiting',
      queue: '售后',
      position: 2,
      etaSeconds: 300,
      agentName: null,
    });

    const stats = await statistics.all(tenantId);
    expect(stats.map((queue) => [queue.name, queue.waiting, queue.agentsOnline, queue.slots])).toEqual([
      ['售后', 3, 2, 2],
      ['通用', 1, 2, 2],
    ]);
  });

  it('opens one handoff per conversation, and of two agents taking it exactly one wins', async () => {
    const { tenantId, conversation } = await tenantWith({});
    const { settings } = services();
    const [queue] = (await settings.get(tenantId)).queues;
    const conversationId = await conversation();
    const first = await queueUp(tenantId, conversationId, queue!);
    expect(
      await insertOpenHandoff(db, queue!, {
        tenantId,
        conversationId,
        reason: 'again',
        requestedBy: 'bot',
        route: 'human',
        intent: null,
        turnId: null,
      }),
    ).toBeUndefined();
    const a = await onlineAgent(tenantId, '甲', [], 5);
    const b = await onlineAgent(tenantId, '乙', [], 5);
    const [won, lost] = await Promise.all([
      db
        .transaction()
        .execute((trx) =>
          assignHandoff(trx, tenantId, first.id, a.agentId, { actor: `agent:${a.agentId}`, kind: 'accepted' }),
        ),
      db
        .transaction()
        .execute((trx) =>
          assignHandoff(trx, tenantId, first.id, b.agentId, { actor: `agent:${b.agentId}`, kind: 'accepted' }),
        ),
    ]);
    expect([won, lost].filter(Boolean)).toHaveLength(1);
    const holder = (won ?? lost)!.agent_id;
    const row = await db
      .selectFrom('conversations')
      .select(['status', 'assignee_kind', 'assignee_id'])
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'open', assignee_kind: 'agent', assignee_id: holder });
  });
});

describe('automatic assignment', () => {
  it('gives the oldest waiting first to the least busy skilled agent, up to capacity, and leaves manual queues alone', async () => {
    const { tenantId, conversation } = await tenantWith({
      queues: [
        { name: '投诉', skills: ['投诉'], assignment: 'manual' },
        { name: '售后', skills: ['售后'] },
      ],
    });
    const { settings, assigner } = services();
    const [complaints, aftersales] = (await settings.get(tenantId)).queues;
    const one = await onlineAgent(tenantId, '售后一号', ['售后', '投诉'], 1);
    const two = await onlineAgent(tenantId, '售后二号', ['售后'], 1);
    await onlineAgent(tenantId, '投诉专员', ['投诉'], 5);
    const complaint = await queueUp(tenantId, await conversation(), complaints!);
    const waiting = [];
    for (let index = 0; index < 3; index += 1) waiting.push(await queueUp(tenantId, await conversation(), aftersales!));

    events.length = 0;
    expect(await assigner.assignWaiting(tenantId)).toBe(2);
    const after = await Promise.all(waiting.map((row) => findHandoff(db, tenantId, row.id)));
    expect(after.map((row) => row!.status)).toEqual(['assigned', 'assigned', 'waiting']);
    expect(new Set(after.slice(0, 2).map((row) => row!.agent_id))).toEqual(new Set([one.agentId, two.agentId]));
    expect((await findHandoff(db, tenantId, complaint.id))!.status).toBe('waiting');
    expect(
      events
        .filter((event) => event.type === 'handoff.updated')
        .map((event) => event.type === 'handoff.updated' && event.status),
    ).toEqual(['assigned', 'assigned']);
    // Nobody has room now: nothing more is assigned.
    expect(await assigner.assignWaiting(tenantId)).toBe(0);
  });
});

describe('SLA and reclaim checks', () => {
  it('reports each breach once, however often it runs', async () => {
    const { tenantId, conversation } = await tenantWith({
      queues: [{ name: '通用', assignment: 'manual', sla: { first_response_seconds: 60, resolution_seconds: 600 } }],
    });
    const { settings, sla } = services();
    const [queue] = (await settings.get(tenantId)).queues;
    const row = await queueUp(tenantId, await conversation(), queue!);
    events.length = 0;
    const early = await sla.runChecks(new Date(row.first_response_due_at.getTime() - 1000));
    expect(early.breaches).toBe(0);
    await sla.runChecks(new Date(row.first_response_due_at.getTime() + 1000));
    await sla.runChecks(new Date(row.resolution_due_at.getTime() + 1000));
    await sla.runChecks(new Date(row.resolution_due_at.getTime() + 2000));
    const breached = events.filter((event) => event.type === 'sla.breached' && event.handoffId === row.id);
    expect(breached.map((event) => event.type === 'sla.breached' && event.kind)).toEqual([
      'first_response',
      'resolution',
    ]);
    const kinds = await db
      .selectFrom('handoff_events')
      .select(['kind', 'details'])
      .where('handoff_id', '=', row.id)
      .orderBy('created_at')
      .execute();
    expect(kinds.map((event) => event.kind)).toEqual(['sla.breached', 'sla.breached']);
  });

  it('puts the conversations of an agent who is gone back in line at their first place', async () => {
    const { tenantId, conversation } = await tenantWith({ queues: [{ name: '通用', assignment: 'manual' }] });
    const { settings, sla, views } = services();
    const [queue] = (await settings.get(tenantId)).queues;
    const gone = await onlineAgent(tenantId, '已离开', [], 5);
    const first = await queueUp(tenantId, await conversation(), queue!);
    const later = await queueUp(tenantId, await conversation(), queue!);
    await db
      .transaction()
      .execute((trx) => assignHandoff(trx, tenantId, first.id, gone.agentId, { actor: 'system', kind: 'assigned' }));
    // The console has not been seen for longer than the reclaim window.
    await db
      .updateTable('agents')
      .set({ last_seen_at: new Date(Date.now() - RECLAIM_MS - 1000) })
      .where('id', '=', gone.agentId)
      .execute();

    // Other tests' handoffs share the database, so count only this one's reclaim.
    expect((await sla.runChecks()).reclaimed).toBeGreaterThanOrEqual(1);
    const reclaimed = await views.current(tenantId, first.conversation_id);
    expect(reclaimed).toMatchObject({ status: 'waiting', agentId: null, position: 1 });
    expect((await views.current(tenantId, later.conversation_id))!.position).toBe(2);
    const row = await db
      .selectFrom('conversations')
      .select(['status', 'assignee_kind'])
      .where('id', '=', first.conversation_id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending', assignee_kind: 'none' });
    await sla.runChecks();
    const reclaims = await db
      .selectFrom('handoff_events')
      .select('actor')
      .where('handoff_id', '=', first.id)
      .where('kind', '=', 'reclaimed')
      .execute();
    expect(reclaims).toEqual([{ actor: 'system' }]);
  });
});

describe('presence and read marks', () => {
  it('keeps the highest read mark of each side and refuses another tenant’s conversation', async () => {
    const { tenantId, conversation } = await tenantWith({});
    const other = await tenantWith({});
    const { presence } = services();
    const conversationId = await conversation();
    const agent = await onlineAgent(tenantId, '小美', [], 5);
    await presence.markRead(tenantId, conversationId, { kind: 'contact', id: 'c1' }, '40');
    await presence.markRead(tenantId, conversationId, { kind: 'contact', id: 'c1' }, '12');
    await presence.markRead(tenantId, conversationId, { kind: 'agent', id: agent.agentId }, '41');
    expect(await presence.readMarks(tenantId, conversationId)).toEqual({ contact: '40', agent: '41' });
    await expect(
      presence.markRead(other.tenantId, conversationId, { kind: 'contact', id: 'c1' }, '50'),
    ).rejects.toMatchObject({ code: 'CS_CONVERSATION_NOT_FOUND' });
  });

  it('going online offers waiting conversations to the agent', async () => {
    const { tenantId, conversation } = await tenantWith({});
    const { settings, presence } = services();
    const [queue] = (await settings.get(tenantId)).queues;
    const row = await queueUp(tenantId, await conversation(), queue!);
    const agent = await createAgent(db, tenantId, {
      email: `${randomUUID()}@example.com`,
      name: '小李',
      password: 'a-long-password',
      maxConcurrent: 2,
    });
    events.length = 0;
    await presence.setPresence({ tenantId, agentId: agent.id, sessionId: randomUUID(), name: '小李' }, 'online');
    expect((await findHandoff(db, tenantId, row.id))!).toMatchObject({ status: 'assigned', agent_id: agent.id });
    expect(events.map((event) => event.type)).toEqual(['agent.updated', 'handoff.updated']);
  });
});

import { sql } from 'kysely';
import type { EventBus } from '../bus/index.js';
import { requireConversation } from '../conversations/index.js';
import type { Db } from '../store/database.js';
import { touchAgent, type AgentPrincipal } from './agents.js';
import type { AutoAssigner } from './auto-assigner.js';
import type { Presence } from './handoff-tables.js';
import type { QueueStatistics } from './queue-statistics.js';

export interface ReadMarks {
  /** The highest seq the customer has read; null when never. */
  contact: string | null;
  /** The highest seq any agent has read; null when never. */
  agent: string | null;
}

type Actor = { kind: 'contact' | 'agent'; id: string };

/**
 * Who is there and what they have seen: agents' presence and console heartbeat (what reclaims
 * are measured against), read receipts of both sides and typing indicators. Stored where it must
 * survive a node (presence, read marks); typing only travels on the bus.
 */
export class PresenceService {
  constructor(
    private readonly deps: {
      db: Db;
      bus: EventBus;
      statistics: QueueStatistics;
      assigner: AutoAssigner;
      reclaimAfterMs: number;
    },
  ) {}

  /** Going online offers the agent whatever waits in their queues. */
  async setPresence(principal: AgentPrincipal, presence: Presence): Promise<void> {
    const { db, bus } = this.deps;
    const now = new Date();
    const previous = await db
      .selectFrom('agents')
      .select(['presence'])
      .where('tenant_id', '=', principal.tenantId)
      .where('id', '=', principal.agentId)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('agents')
      .set({ presence, last_seen_at: now, ...(previous.presence === presence ? {} : { presence_changed_at: now }) })
      .where('tenant_id', '=', principal.tenantId)
      .where('id', '=', principal.agentId)
      .execute();
    this.deps.statistics.invalidate(principal.tenantId);
    await bus.publish({ type: 'agent.updated', tenantId: principal.tenantId, agentId: principal.agentId, presence });
    if (presence === 'online') await this.deps.assigner.assignWaiting(principal.tenantId);
  }

  /**
   * Accepting a conversation means being at the console: an offline agent goes online, or the
   * conversation would be reclaimed from them a few seconds later. Returns whether it changed.
   */
  async comeOnlineToWork(principal: AgentPrincipal): Promise<boolean> {
    const row = await this.deps.db
      .selectFrom('agents')
      .select(['presence'])
      .where('tenant_id', '=', principal.tenantId)
      .where('id', '=', principal.agentId)
      .executeTakeFirst();
    if (!row || row.presence !== 'offline') return false;
    await this.setPresence(principal, 'online');
    return true;
  }

  /** The console's heartbeat; written at most a few times per reclaim window. */
  async touch(principal: AgentPrincipal): Promise<void> {
    await touchAgent(this.deps.db, principal.tenantId, principal.agentId, Math.min(5000, this.deps.reclaimAfterMs / 4));
  }

  /** A read receipt: stored (never moves backwards) and published. */
  async markRead(tenantId: string, conversationId: string, reader: Actor, seq: string): Promise<void> {
    await requireConversation(this.deps.db, tenantId, conversationId);
    await this.deps.db
      .insertInto('conversation_reads')
      .values({
        tenant_id: tenantId,
        conversation_id: conversationId,
        reader_kind: reader.kind,
        reader_id: reader.id,
        last_read_seq: seq,
        updated_at: new Date(),
      })
      .onConflict((conflict) =>
        conflict.columns(['tenant_id', 'conversation_id', 'reader_kind', 'reader_id']).doUpdateSet({
          last_read_seq: sql`greatest(conversation_reads.last_read_seq, excluded.last_read_seq)`,
          updated_at: new Date(),
        }),
      )
      .execute();
    await this.deps.bus.publish({ type: 'read.updated', tenantId, conversationId, reader, seq });
  }

  async readMarks(tenantId: string, conversationId: string): Promise<ReadMarks> {
    const rows = await this.deps.db
      .selectFrom('conversation_reads')
      .select(['reader_kind', sql<string>`max(last_read_seq)`.as('seq')])
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .groupBy('reader_kind')
      .execute();
    const of = (kind: string) => {
      const seq = rows.find((row) => row.reader_kind === kind)?.seq;
      return seq ? String(seq) : null;
    };
    return { contact: of('contact'), agent: of('agent') };
  }

  /** Typing indicators are not stored: they only matter while both sides are connected. */
  async typing(
    tenantId: string,
    conversationId: string,
    actor: Actor & { name?: string },
    active: boolean,
  ): Promise<void> {
    await this.deps.bus.publish({ type: 'typing.updated', tenantId, conversationId, actor, active });
  }
}

import type { EventBus } from '../bus/index.js';
import type { Db } from '../store/database.js';
import { activeCounts, lockAgentLoad } from './agents.js';
import { agentFitsQueue, type QueueSettings } from './handoff-settings.js';
import { assignHandoff, lastAssignedAt, nextWaiting } from './handoffs-repository.js';
import { publishHandoffUpdated } from './publish-handoff.js';
import type { QueueStatistics } from './queue-statistics.js';
import type { HandoffSettingsCache } from './settings-cache.js';

/** A bound on one pass, so a queue that keeps refilling cannot hold a caller forever. */
const MAX_PER_QUEUE = 200;

/**
 * Gives waiting conversations to agents: oldest first, to a skilled online agent with free
 * capacity, by the queue's rule (least busy, or round robin by last assignment). Manual queues
 * are left to agents accepting.
 */
export class AutoAssigner {
  constructor(
    private readonly deps: { db: Db; bus: EventBus; settings: HandoffSettingsCache; statistics: QueueStatistics },
  ) {}

  /** Assigns what it can now; returns how many it assigned. */
  async assignWaiting(tenantId: string): Promise<number> {
    const { db, bus, statistics } = this.deps;
    const settings = await this.deps.settings.get(tenantId);
    let assigned = 0;
    for (const queue of settings.queues) {
      if (queue.assignment === 'manual') continue;
      for (let attempt = 0; attempt < MAX_PER_QUEUE; attempt += 1) {
        const next = await nextWaiting(db, tenantId, queue.name);
        if (!next) break;
        const agentId = await this.pickAgent(tenantId, queue);
        if (!agentId) break;
        const row = await db.transaction().execute(async (trx) => {
          // Lock the agent: two nodes assigning at once never push an agent over capacity.
          const load = await lockAgentLoad(trx, tenantId, agentId);
          if (!load || load.active >= load.maxConcurrent) return undefined;
          return assignHandoff(trx, tenantId, next, agentId, { actor: 'system', kind: 'assigned' });
        });
        if (!row) continue;
        assigned += 1;
        statistics.invalidate(tenantId);
        await publishHandoffUpdated(bus, row);
      }
    }
    return assigned;
  }

  /** The agent the queue's rule picks among those with free capacity; null when nobody fits. */
  async pickAgent(tenantId: string, queue: QueueSettings): Promise<string | null> {
    const candidates = (await this.deps.statistics.availableAgents(tenantId)).filter((agent) =>
      agentFitsQueue(agent.skills, queue),
    );
    if (candidates.length === 0) return null;
    const ids = candidates.map((agent) => agent.id);
    const counts = await activeCounts(this.deps.db, tenantId, ids);
    const lastAt = await lastAssignedAt(
      this.deps.db,
      tenantId,
      ids,
      queue.assignment === 'round_robin' ? queue.name : null,
    );
    const free = candidates.filter((agent) => (counts.get(agent.id) ?? 0) < agent.max_concurrent);
    if (free.length === 0) return null;
    free.sort((a, b) => {
      if (queue.assignment === 'least_busy') {
        const load = (counts.get(a.id) ?? 0) - (counts.get(b.id) ?? 0);
        if (load !== 0) return load;
      }
      const since = (lastAt.get(a.id) ?? 0) - (lastAt.get(b.id) ?? 0);
      return since !== 0 ? since : a.id.localeCompare(b.id);
    });
    return free[0]!.id;
  }
}

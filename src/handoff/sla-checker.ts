import type { EventBus } from '../bus/index.js';
import type { Db } from '../store/database.js';
import type { AutoAssigner } from './auto-assigner.js';
import {
  findStaleAssignments,
  insertHandoffEvent,
  markSlaBreaches,
  reclaimHandoff,
  tenantsWithWaiting,
} from './handoffs-repository.js';
import { publishHandoffUpdated } from './publish-handoff.js';
import type { QueueStatistics } from './queue-statistics.js';

export interface SlaCheckerDeps {
  db: Db;
  bus: EventBus;
  statistics: QueueStatistics;
  assigner: AutoAssigner;
  /** How long an agent's console may be gone before their conversations go back to the queue. */
  reclaimAfterMs: number;
  checkIntervalMs: number;
  onError?: (error: unknown, what: string) => void;
}

/**
 * The periodic checker: SLA breaches, reclaims of conversations whose agent is gone, and a new
 * try at assigning whatever waits. Safe to run on every node at once: each change is a
 * conditional update, so a breach is reported once and a reclaim happens once.
 */
export class SlaChecker {
  #timer: NodeJS.Timeout | null = null;
  #checking: Promise<unknown> | null = null;

  constructor(private readonly deps: SlaCheckerDeps) {}

  /** Starts checking every `checkIntervalMs`; unref'd, and never two runs at once on this node. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#checking) return;
      this.#checking = this.runChecks()
        .catch((error: unknown) => this.deps.onError?.(error, 'hand-off checks failed'))
        .finally(() => {
          this.#checking = null;
        });
    }, this.deps.checkIntervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#checking;
  }

  async runChecks(now = new Date()): Promise<{ breaches: number; reclaimed: number; assigned: number }> {
    const breaches = await this.#reportBreaches(now);
    const tenants = new Set<string>();
    const reclaimed = await this.#reclaim(now, tenants);
    for (const tenantId of await tenantsWithWaiting(this.deps.db)) tenants.add(tenantId);
    let assigned = 0;
    for (const tenantId of tenants) assigned += await this.deps.assigner.assignWaiting(tenantId);
    return { breaches, reclaimed, assigned };
  }

  async #reportBreaches(now: Date): Promise<number> {
    const { db, bus } = this.deps;
    let breaches = 0;
    for (const kind of ['first_response', 'resolution'] as const) {
      for (const row of await markSlaBreaches(db, kind, now)) {
        const dueAt = kind === 'first_response' ? row.first_response_due_at : row.resolution_due_at;
        await insertHandoffEvent(db, row, 'sla.breached', 'system', { kind, dueAt: dueAt.toISOString() });
        await bus.publish({
          type: 'sla.breached',
          tenantId: row.tenant_id,
          conversationId: row.conversation_id,
          handoffId: row.id,
          kind,
        });
        breaches += 1;
      }
    }
    return breaches;
  }

  /** Puts conversations of agents who are gone back in line; adds their tenants to `tenants`. */
  async #reclaim(now: Date, tenants: Set<string>): Promise<number> {
    const { db, bus, statistics, reclaimAfterMs } = this.deps;
    const stale = await findStaleAssignments(db, new Date(now.getTime() - reclaimAfterMs));
    let reclaimed = 0;
    for (const entry of stale) {
      const row = await db.transaction().execute(async (trx) => {
        const updated = await reclaimHandoff(trx, entry, now);
        if (updated) {
          await insertHandoffEvent(trx, updated, 'reclaimed', 'system', {
            fromAgentId: entry.agent_id,
            afterMs: reclaimAfterMs,
          });
        }
        return updated;
      });
      if (!row) continue;
      reclaimed += 1;
      tenants.add(row.tenant_id);
      statistics.invalidate(row.tenant_id);
      await publishHandoffUpdated(bus, row);
    }
    return reclaimed;
  }
}

import { LRUCache } from 'lru-cache';
import type { Db } from '../store/database.js';
import { availableAgents } from './agents.js';
import { agentFitsQueue, type QueueSettings } from './handoff-settings.js';
import { countWaitingByQueue, recentHandleSeconds } from './handoffs-repository.js';
import type { HandoffSettingsCache } from './settings-cache.js';

/** Handle time assumed while a queue has fewer than this many finished handoffs. */
const DEFAULT_HANDLE_SECONDS = 300;
const MIN_HANDLE_SAMPLES = 5;
const HANDLE_SAMPLES = 50;
const FRESH_FOR_MS = 2000;

export interface QueueStats {
  name: string;
  skills: string[];
  assignment: QueueSettings['assignment'];
  waiting: number;
  agentsOnline: number;
  slots: number;
  medianHandleSeconds: number;
  /** ETA of the next customer in line; null when nobody of the queue is online. */
  etaSeconds: number | null;
  sla: { firstResponseSeconds: number; resolutionSeconds: number };
}

export type QueueBase = Omit<QueueStats, 'waiting' | 'etaSeconds'>;

/** The median of ascending `values`, or the default while there are too few samples. */
export function medianHandleSeconds(sorted: readonly number[]): number {
  if (sorted.length < MIN_HANDLE_SAMPLES) return DEFAULT_HANDLE_SECONDS;
  const middle = sorted.length / 2;
  return sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** ETA = median handle time × position ÷ slots of the queue's online agents; null with no slots. */
export function etaSeconds(base: { slots: number; medianHandleSeconds: number }, position: number): number | null {
  if (base.slots === 0) return null;
  return Math.round((base.medianHandleSeconds * position) / base.slots);
}

/**
 * Per-queue figures for places in line and ETAs: median handle time, agents online and their
 * slots. Cached for two seconds per queue, because every waiting customer's widget asks; whatever
 * changes them (assignment, presence, a finished handoff) calls `invalidate`.
 */
export class QueueStatistics {
  /** Bounded: the most recently used queues' figures, each fresh for two seconds. */
  readonly #cache = new LRUCache<string, QueueBase>({ max: 20_000, ttl: FRESH_FOR_MS });

  constructor(private readonly deps: { db: Db; settings: HandoffSettingsCache; reclaimAfterMs: number }) {}

  invalidate(tenantId: string): void {
    for (const key of this.#cache.keys()) if (key.startsWith(`${tenantId}/`)) this.#cache.delete(key);
  }

  /** Enabled agents online whose console was seen within the reclaim window. */
  async availableAgents(tenantId: string) {
    return availableAgents(this.deps.db, tenantId, new Date(Date.now() - this.deps.reclaimAfterMs));
  }

  async base(tenantId: string, queue: QueueSettings): Promise<QueueBase> {
    const key = `${tenantId}/${queue.name}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const durations = await recentHandleSeconds(this.deps.db, tenantId, queue.name, HANDLE_SAMPLES);
    const online = (await this.availableAgents(tenantId)).filter((agent) => agentFitsQueue(agent.skills, queue));
    const stats: QueueBase = {
      name: queue.name,
      skills: queue.skills,
      assignment: queue.assignment,
      agentsOnline: online.length,
      slots: online.reduce((sum, agent) => sum + agent.max_concurrent, 0),
      medianHandleSeconds: Math.round(medianHandleSeconds(durations)),
      sla: { firstResponseSeconds: queue.sla.first_response_seconds, resolutionSeconds: queue.sla.resolution_seconds },
    };
    this.#cache.set(key, stats);
    return stats;
  }

  /** Every queue of the tenant with its waiting count and the next customer's ETA. */
  async all(tenantId: string): Promise<QueueStats[]> {
    const settings = await this.deps.settings.get(tenantId);
    const counts = await countWaitingByQueue(this.deps.db, tenantId);
    const result: QueueStats[] = [];
    for (const queue of settings.queues) {
      const base = await this.base(tenantId, queue);
      result.push({ ...base, waiting: counts.get(queue.name) ?? 0, etaSeconds: etaSeconds(base, 1) });
    }
    return result;
  }
}

import { LRUCache } from 'lru-cache';
import { tenantPlan, type Plan } from '../plans/index.js';
import type { Db } from '../store/database.js';

/**
 * Plans per tenant, kept for `ttlMs` so the request path does no database round trip of its own;
 * `invalidate` on `tenant.updated` makes a plan change take effect at once on this node (other
 * nodes within the TTL). At most `max` tenants are kept, least recently used dropped first.
 */
export class PlanCache {
  readonly #entries: LRUCache<string, Promise<Plan>>;

  constructor(
    private readonly db: Db,
    ttlMs = 5_000,
    max = 10_000,
  ) {
    this.#entries = new LRUCache({ max, ttl: ttlMs, ttlAutopurge: false });
  }

  get(tenantId: string): Promise<Plan> {
    const cached = this.#entries.get(tenantId);
    if (cached) return cached;
    const plan = tenantPlan(this.db, tenantId);
    this.#entries.set(tenantId, plan);
    plan.catch(() => {
      if (this.#entries.peek(tenantId) === plan) this.#entries.delete(tenantId);
    });
    return plan;
  }

  /** How many tenants' plans are held (bounded by `max`). */
  get size(): number {
    return this.#entries.size;
  }

  invalidate(tenantId?: string): void {
    if (tenantId === undefined) this.#entries.clear();
    else this.#entries.delete(tenantId);
  }
}

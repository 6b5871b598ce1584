import { tenantPlan, type Plan } from '../plans/index.js';
import type { Db } from '../store/database.js';

/**
 * Plans per tenant, kept for `ttlMs` so the request path does no database round trip of its own;
 * `invalidate` on `tenant.updated` makes a plan change take effect at once on this node (other
 * nodes within the TTL).
 */
export class PlanCache {
  readonly #entries = new Map<string, { plan: Promise<Plan>; loadedAt: number }>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5_000,
  ) {}

  get(tenantId: string, now = Date.now()): Promise<Plan> {
    const entry = this.#entries.get(tenantId);
    if (entry && now - entry.loadedAt < this.ttlMs) return entry.plan;
    const plan = tenantPlan(this.db, tenantId);
    this.#entries.set(tenantId, { plan, loadedAt: now });
    plan.catch(() => this.#entries.delete(tenantId));
    if (this.#entries.size > 10_000) this.#entries.delete(this.#entries.keys().next().value!);
    return plan;
  }

  invalidate(tenantId?: string): void {
    if (tenantId === undefined) this.#entries.clear();
    else this.#entries.delete(tenantId);
  }
}

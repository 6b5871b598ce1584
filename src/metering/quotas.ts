import { LRUCache } from 'lru-cache';
import { sql } from 'kysely';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Plan } from '../plans/index.js';
import type { Db } from '../store/database.js';
import type { UsageEntry } from './ledger.js';
import type { PlanCache } from './plan-cache.js';
import { monthOf } from './usage.js';

/** What the plan lets one turn do, decided before the message is stored. */
export interface Admission {
  plan: Plan;
  /** Why the LLM tier is off for this turn (quota used up, tier or model not in the plan); null = on. */
  llmOff: string | null;
}

export type QuotaMeter = 'messages' | 'llm.tokens' | 'storage.bytes';

/** A monthly quota passing 80 % or 100 % (sent as a usage webhook). */
export interface QuotaThresholdEvent {
  tenantId: string;
  meter: QuotaMeter;
  period: string;
  threshold: 80 | 100;
  used: number;
  limit: number;
}

interface Counters {
  period: string;
  loadedAt: number;
  messages: number;
  llmTokens: number;
  /** All-time bytes (storage accrues; the quota is on what is held). */
  storageBytes: number;
}

/** Seconds from `now` to the first instant of the next calendar month (UTC). */
export function secondsToNextMonth(now: Date): number {
  return Math.max(1, Math.ceil((monthOf(now).to.getTime() - now.getTime()) / 1000));
}

/**
 * Monthly quotas (UTC calendar months). Month-to-date usage is read from the ledger at most every
 * `ttlMs` per tenant and advanced locally as this node commits work, so a turn costs no extra
 * query; nodes see each other's usage within `ttlMs` (a quota can overshoot by what other nodes
 * did in that window). Tenants whose plan has no quota cost nothing at all.
 */
export class QuotaTracker {
  /** Bounded: a node serving many tenants keeps the most recently used ones' counters. */
  readonly #counters = new LRUCache<string, Counters>({ max: 10_000 });
  readonly #loading = new Map<string, Promise<Counters>>();
  /** Thresholds already announced (tenant, meter, period, threshold); old ones fall out first. */
  readonly #announced = new LRUCache<string, true>({ max: 50_000 });

  constructor(
    private readonly db: Db,
    private readonly plans: PlanCache,
    private readonly options: { ttlMs?: number; onThreshold?: (event: QuotaThresholdEvent) => void } = {},
  ) {}

  /**
   * Decides a turn's fate before its message is stored: throws CS_QUOTA_EXCEEDED (429) when a
   * quota is used up and the plan refuses, else says whether the LLM tier may run.
   */
  async admit(tenantId: string, modelId: string | null, now = new Date()): Promise<Admission> {
    const plan = await this.plans.get(tenantId);
    const limits = plan.limits;
    let llmOff: string | null = null;
    if (!limits.allowedTiers.includes('llm')) llmOff = `the plan ${plan.slug} does not include the llm tier`;
    else if (modelId !== null && limits.allowedModels.length > 0 && !limits.allowedModels.includes(modelId))
      llmOff = `the plan ${plan.slug} does not allow the model ${modelId}`;
    if (!hasQuota(plan)) return { plan, llmOff };
    const used = await this.usage(tenantId, now);
    const exhausted: string[] = [];
    if (limits.monthlyMessages !== null && used.messages >= limits.monthlyMessages)
      exhausted.push(`monthly messages (${limits.monthlyMessages})`);
    if (limits.monthlyLlmTokens !== null && used.llmTokens >= limits.monthlyLlmTokens)
      exhausted.push(`monthly LLM tokens (${limits.monthlyLlmTokens})`);
    if (limits.storageBytes !== null && used.storageBytes >= limits.storageBytes)
      exhausted.push(`storage (${limits.storageBytes} bytes)`);
    if (exhausted.length === 0) return { plan, llmOff };
    if (limits.onQuotaExhausted === 'refuse') {
      const retryAfterSeconds = secondsToNextMonth(now);
      throw new KefuError(ErrorCodes.quotaExceeded, `quota used up for ${used.period}: ${exhausted.join(', ')}`, {
        status: 429,
        details: { retryAfterSeconds, period: used.period },
      });
    }
    return {
      plan,
      llmOff: llmOff ?? `quota used up for ${used.period}: ${exhausted.join(', ')}; answering from the light tier only`,
    };
  }

  /** Month-to-date usage of a tenant (cached). */
  async usage(tenantId: string, now = new Date()): Promise<Counters> {
    const { period } = monthOf(now);
    const cached = this.#counters.get(tenantId);
    if (cached && cached.period === period && now.getTime() - cached.loadedAt < (this.options.ttlMs ?? 2_000))
      return cached;
    let loading = this.#loading.get(tenantId);
    if (!loading) {
      loading = this.#load(tenantId, now).finally(() => this.#loading.delete(tenantId));
      this.#loading.set(tenantId, loading);
    }
    return loading;
  }

  async #load(tenantId: string, now: Date): Promise<Counters> {
    const month = monthOf(now);
    const row = await this.db
      .selectFrom('usage_ledger')
      .select([
        sql<string>`coalesce(sum(quantity) filter (where meter = 'messages' and occurred_at >= ${month.from}), 0)`.as(
          'messages',
        ),
        sql<string>`coalesce(sum(quantity) filter (where meter in ('llm.tokens_in', 'llm.tokens_out') and occurred_at >= ${month.from}), 0)`.as(
          'tokens',
        ),
        sql<string>`coalesce(sum(quantity) filter (where meter = 'storage.bytes'), 0)`.as('storage'),
      ])
      .where('tenant_id', '=', tenantId)
      .where('meter', 'in', ['messages', 'llm.tokens_in', 'llm.tokens_out', 'storage.bytes'])
      .executeTakeFirstOrThrow();
    const counters: Counters = {
      period: month.period,
      loadedAt: now.getTime(),
      messages: Number(row.messages),
      llmTokens: Number(row.tokens),
      storageBytes: Number(row.storage),
    };
    this.#counters.set(tenantId, counters);
    return counters;
  }

  /** Work this node just committed: advances the cached counters and announces crossed thresholds. */
  async committed(tenantId: string, entries: readonly UsageEntry[], now = new Date()): Promise<void> {
    const plan = await this.plans.get(tenantId);
    if (!hasQuota(plan)) return;
    const counters = this.#counters.get(tenantId);
    if (counters && counters.period === monthOf(now).period) {
      for (const entry of entries) {
        if (entry.meter === 'messages') counters.messages += entry.quantity;
        else if (entry.meter === 'llm.tokens_in' || entry.meter === 'llm.tokens_out')
          counters.llmTokens += entry.quantity;
        else if (entry.meter === 'storage.bytes') counters.storageBytes += entry.quantity;
      }
    }
    const used = counters ?? (await this.usage(tenantId, now));
    const { limits } = plan;
    const checks: Array<[QuotaMeter, number, number | null]> = [
      ['messages', used.messages, limits.monthlyMessages],
      ['llm.tokens', used.llmTokens, limits.monthlyLlmTokens],
      ['storage.bytes', used.storageBytes, limits.storageBytes],
    ];
    for (const [meter, value, limit] of checks) {
      if (limit === null || limit === 0) continue;
      for (const threshold of [80, 100] as const) {
        if (value * 100 < limit * threshold) continue;
        const key = `${tenantId}:${meter}:${used.period}:${threshold}`;
        if (this.#announced.has(key)) continue;
        this.#announced.set(key, true);
        this.options.onThreshold?.({ tenantId, meter, period: used.period, threshold, used: value, limit });
      }
    }
  }

  /** Forgets a tenant's cached usage (tests, or after an operator changes its plan). */
  forget(tenantId?: string): void {
    if (tenantId === undefined) this.#counters.clear();
    else this.#counters.delete(tenantId);
  }
}

function hasQuota(plan: Plan): boolean {
  return (
    plan.limits.monthlyMessages !== null || plan.limits.monthlyLlmTokens !== null || plan.limits.storageBytes !== null
  );
}

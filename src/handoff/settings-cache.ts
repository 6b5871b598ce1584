import { LRUCache } from 'lru-cache';
import type { Db } from '../store/database.js';
import { parseTenantSettings } from '../tenancy/tenant-settings.js';
import { resolveHandoffSettings, type HandoffSettings } from './handoff-settings.js';

const FRESH_FOR_MS = 5000;

/**
 * The tenants' hand-off settings, read from `tenants.settings` and kept for a few seconds: every
 * queue read and assignment needs them, and a change may take that long to be seen.
 */
export class HandoffSettingsCache {
  /** Bounded: the most recently used tenants' settings, each fresh for a few seconds. */
  readonly #cache = new LRUCache<string, HandoffSettings>({ max: 10_000, ttl: FRESH_FOR_MS });

  constructor(private readonly db: Db) {}

  /** Pass the transaction when inside one: PGlite has a single connection. */
  async get(tenantId: string, executor: Db = this.db): Promise<HandoffSettings> {
    const cached = this.#cache.get(tenantId);
    if (cached) return cached;
    const row = await executor
      .selectFrom('tenants')
      .select(['slug', 'settings'])
      .where('id', '=', tenantId)
      .executeTakeFirst();
    const settings = resolveHandoffSettings(row ? parseTenantSettings(row.settings, row.slug).handoff : undefined);
    this.#cache.set(tenantId, settings);
    return settings;
  }
}

import type { Db } from '../store/database.js';
import { parseTenantSettings } from '../tenancy/tenant-settings.js';
import { resolveHandoffSettings, type HandoffSettings } from './handoff-settings.js';

const FRESH_FOR_MS = 5000;

/**
 * The tenants' hand-off settings, read from `tenants.settings` and kept for a few seconds: every
 * queue read and assignment needs them, and a change may take that long to be seen.
 */
export class HandoffSettingsCache {
  readonly #cache = new Map<string, { at: number; settings: HandoffSettings }>();

  constructor(private readonly db: Db) {}

  /** Pass the transaction when inside one: PGlite has a single connection. */
  async get(tenantId: string, executor: Db = this.db): Promise<HandoffSettings> {
    const cached = this.#cache.get(tenantId);
    if (cached && Date.now() - cached.at < FRESH_FOR_MS) return cached.settings;
    const row = await executor
      .selectFrom('tenants')
      .select(['slug', 'settings'])
      .where('id', '=', tenantId)
      .executeTakeFirst();
    const settings = resolveHandoffSettings(row ? parseTenantSettings(row.settings, row.slug).handoff : undefined);
    this.#cache.set(tenantId, { at: Date.now(), settings });
    return settings;
  }
}

import type { TenantSettingsInput } from '../tenancy/tenant-settings.js';
import type { TenantPack } from './load-pack.js';

/** The fields of tenant.yaml that are columns of `tenants` (or channels), not settings. */
const NOT_SETTINGS = ['slug', 'name', 'locale', 'domain', 'channels'] as const;

/**
 * What a pack stores in `tenants.settings`: tenant.yaml minus the tenant's columns, plus the
 * style guide, the dictionary and the columns of its data tables (so export can write them back).
 */
export function settingsFromPack(
  pack: Pick<TenantPack, 'tenant' | 'style' | 'dictionary' | 'tables'>,
): TenantSettingsInput {
  const fields: Record<string, unknown> = { ...pack.tenant };
  for (const key of NOT_SETTINGS) delete fields[key];
  // The stored version is stamped by the writer; a `version:` in tenant.yaml must not stand in for it.
  delete fields.version;
  return {
    ...fields,
    style: pack.style,
    dictionary: pack.dictionary,
    connectorTables: Object.fromEntries(pack.tables.map((table) => [table.name, table.columns])),
  };
}

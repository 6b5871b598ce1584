import type { TenantRuntime } from '../engine/tenant-runtime.js';

/**
 * Where the conversation service gets a tenant's runtime (models, playbooks, knowledge). The
 * engine's TenantRuntimeCache is the one in use; only this method is needed, so a test can put a
 * slow or blocking loader in its place.
 */
export interface TenantRuntimes {
  get(tenantId: string): Promise<TenantRuntime>;
}

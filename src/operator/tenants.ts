import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';
import { createApiKey, createTenant, toTenant, type CreatedApiKey, type Tenant } from '../tenancy/index.js';
import { requirePlan } from './plans.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// One list for tenant.yaml and the operator API: a domain one accepts the other must too.
export { TENANT_DOMAINS } from '../tenancy/tenant-domains.js';

/** A tenant as the operator sees it: with its plan. */
export interface OperatorTenant extends Tenant {
  plan: { id: string; slug: string; name: string } | null;
  updatedAt: Date;
}

function tenantQuery(db: Db) {
  return db
    .selectFrom('tenants')
    .leftJoin('plans', 'plans.id', 'tenants.plan_id')
    .selectAll('tenants')
    .select(['plans.slug as plan_slug', 'plans.name as plan_name']);
}

type TenantWithPlanRow = Awaited<ReturnType<ReturnType<typeof tenantQuery>['executeTakeFirstOrThrow']>>;

function toOperatorTenant(row: TenantWithPlanRow): OperatorTenant {
  const { plan_slug: planSlug, plan_name: planName, ...tenant } = row;
  return {
    ...toTenant(tenant),
    plan: tenant.plan_id && planSlug && planName ? { id: tenant.plan_id, slug: planSlug, name: planName } : null,
    updatedAt: tenant.updated_at,
  };
}

/** A tenant by id or slug. */
export async function findOperatorTenant(db: Db, reference: string): Promise<OperatorTenant | undefined> {
  const row = await tenantQuery(db)
    .where(UUID.test(reference) ? 'tenants.id' : 'tenants.slug', '=', reference)
    .executeTakeFirst();
  return row ? toOperatorTenant(row) : undefined;
}

export async function requireOperatorTenant(db: Db, reference: string): Promise<OperatorTenant> {
  const tenant = await findOperatorTenant(db, reference);
  if (!tenant) throw new KefuError(ErrorCodes.tenantNotFound, 'tenant not found', { status: 404 });
  return tenant;
}

export interface TenantListQuery {
  status?: 'active' | 'suspended';
  /** Plan id or slug. */
  plan?: string;
  limit?: number;
  /** The last slug of the previous page. */
  after?: string;
}

export async function listOperatorTenants(
  db: Db,
  query: TenantListQuery = {},
): Promise<{ tenants: OperatorTenant[]; nextAfter: string | null }> {
  const limit = Math.min(Math.max(query.limit ?? 100, 1), 500);
  let select = tenantQuery(db);
  if (query.status) select = select.where('tenants.status', '=', query.status);
  if (query.plan) {
    const plan = await requirePlan(db, query.plan);
    select = select.where('tenants.plan_id', '=', plan.id);
  }
  if (query.after) select = select.where('tenants.slug', '>', query.after);
  const rows = await select
    .orderBy('tenants.slug')
    .limit(limit + 1)
    .execute();
  const tenants = rows.slice(0, limit).map(toOperatorTenant);
  return { tenants, nextAfter: rows.length > limit ? tenants[tenants.length - 1]!.slug : null };
}

export interface NewTenantFromPlan {
  slug: string;
  name: string;
  locale?: string;
  domain?: string;
  /** Plan id or slug; none = the built-in default plan. */
  plan?: string;
  key?: { name?: string; scopes?: readonly string[]; expiresAt?: Date | null };
}

/**
 * Onboards a business in one step: the tenant, on its plan, with its first API key (returned
 * once). Run it in a transaction so a refused key leaves no half-made tenant.
 */
export async function createTenantFromPlan(
  db: Db,
  input: NewTenantFromPlan,
): Promise<{ tenant: OperatorTenant; apiKey: CreatedApiKey }> {
  const plan = input.plan ? await requirePlan(db, input.plan) : null;
  const created = await createTenant(db, {
    slug: input.slug,
    name: input.name,
    locale: input.locale,
    domain: input.domain,
  });
  if (plan) await db.updateTable('tenants').set({ plan_id: plan.id }).where('id', '=', created.id).execute();
  const apiKey = await createApiKey(db, created.id, {
    name: input.key?.name ?? 'owner',
    scopes: input.key?.scopes ?? ['admin'],
    expiresAt: input.key?.expiresAt ?? null,
  });
  return { tenant: (await findOperatorTenant(db, created.id))!, apiKey };
}

/** Suspends or resumes: takes effect on the next request on every node (status is read per request). */
export async function setTenantStatus(db: Db, tenantId: string, status: 'active' | 'suspended'): Promise<boolean> {
  const result = await db
    .updateTable('tenants')
    .set({ status })
    .where('id', '=', tenantId)
    .where('status', '!=', status)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function changeTenantPlan(
  db: Db,
  tenantId: string,
  planReference: string | null,
): Promise<{ id: string; slug: string } | null> {
  const plan = planReference ? await requirePlan(db, planReference) : null;
  await db
    .updateTable('tenants')
    .set({ plan_id: plan?.id ?? null })
    .where('id', '=', tenantId)
    .execute();
  return plan ? { id: plan.id, slug: plan.slug } : null;
}

/**
 * Deletes a tenant and everything it owns (every table's tenant_id cascades). The audit log keeps
 * its rows: they are the record of who deleted it.
 */
export async function deleteTenant(db: Db, tenantId: string): Promise<boolean> {
  const result = await db.deleteFrom('tenants').where('id', '=', tenantId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

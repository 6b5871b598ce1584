import type { Db } from '../store/database.js';
import { DEFAULT_PLAN, planFeaturesSchema, planLimitsSchema, planPricesSchema, type Plan } from './plan.js';
import type { PlanRow } from '../store/schema.js';

export function toPlan(row: PlanRow): Plan {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    limits: planLimitsSchema.parse(row.limits),
    prices: planPricesSchema.parse(row.prices),
    features: planFeaturesSchema.parse(row.features),
  };
}

/** The tenant's plan, or DEFAULT_PLAN when it has none. Always tenant-scoped by id. */
export async function tenantPlan(db: Db, tenantId: string): Promise<Plan> {
  const row = await db
    .selectFrom('tenants')
    .innerJoin('plans', 'plans.id', 'tenants.plan_id')
    .selectAll('plans')
    .where('tenants.id', '=', tenantId)
    .executeTakeFirst();
  return row ? toPlan(row) : DEFAULT_PLAN;
}

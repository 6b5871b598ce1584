import { randomUUID } from 'node:crypto';
import type { EventBus } from '../../src/bus/index.js';
import { planLimitsSchema, planPricesSchema, type PlanLimits, type PlanPrices } from '../../src/plans/index.js';
import type { Db } from '../../src/store/database.js';

/**
 * Puts a tenant on a fresh plan (validated by the real zod schemas) and announces the change the
 * way the operator API does (`tenant.updated`), so caches drop the old plan.
 */
export async function assignPlan(
  db: Db,
  bus: EventBus | null,
  tenantId: string,
  input: { limits?: Partial<PlanLimits>; prices?: Partial<PlanPrices>; slug?: string },
): Promise<{ id: string; slug: string }> {
  const id = randomUUID();
  const slug = input.slug ?? `plan-${id.slice(0, 8)}`;
  await db
    .insertInto('plans')
    .values({
      id,
      slug,
      name: `Test plan ${slug}`,
      limits: JSON.stringify(planLimitsSchema.parse(input.limits ?? {})),
      prices: JSON.stringify(planPricesSchema.parse(input.prices ?? {})),
      features: '[]',
    })
    .execute();
  await db.updateTable('tenants').set({ plan_id: id, updated_at: new Date() }).where('id', '=', tenantId).execute();
  await bus?.publish({ type: 'tenant.updated', tenantId });
  return { id, slug };
}

export async function tenantIdOf(db: Db, slug: string): Promise<string> {
  return (await db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
}

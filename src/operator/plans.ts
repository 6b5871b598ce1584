import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { planFeaturesSchema, planLimitsSchema, planPricesSchema, toPlan, type Plan } from '../plans/index.js';
import type { Db } from '../store/database.js';
import { parseOrThrow } from './validation.js';

export const planSlugSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'use 1-64 lower-case letters, digits and inner hyphens');
export const planNameSchema = z.string().trim().min(1).max(200);

export interface StoredPlan extends Plan {
  id: string;
  /** How many tenants are on this plan. */
  tenants: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewPlan {
  slug: string;
  name: string;
  limits?: unknown;
  prices?: unknown;
  features?: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function withCounts(db: Db, rows: Array<Parameters<typeof toPlan>[0]>): Promise<StoredPlan[]> {
  if (rows.length === 0) return [];
  const counts = await db
    .selectFrom('tenants')
    .select(['plan_id', (eb) => eb.fn.countAll<string>().as('count')])
    .where(
      'plan_id',
      'in',
      rows.map((row) => row.id),
    )
    .groupBy('plan_id')
    .execute();
  const byPlan = new Map(counts.map((row) => [row.plan_id, Number(row.count)]));
  return rows.map((row) => ({
    ...toPlan(row),
    id: row.id,
    tenants: byPlan.get(row.id) ?? 0,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

/** Creates a plan; limits, prices and features are validated (absurd or negative values are refused with the field path). */
export async function createPlan(db: Db, input: NewPlan): Promise<StoredPlan> {
  const slug = parseOrThrow(planSlugSchema, input.slug, 'body/slug');
  const name = parseOrThrow(planNameSchema, input.name, 'body/name');
  const limits = parseOrThrow(planLimitsSchema, input.limits ?? {}, 'body/limits');
  const prices = parseOrThrow(planPricesSchema, input.prices ?? {}, 'body/prices');
  const features = parseOrThrow(planFeaturesSchema, input.features ?? [], 'body/features');
  assertCoherent(limits);
  const inserted = await db
    .insertInto('plans')
    .values({
      id: randomUUID(),
      slug,
      name,
      limits: JSON.stringify(limits),
      prices: JSON.stringify(prices),
      features: JSON.stringify(features),
    })
    .onConflict((conflict) => conflict.column('slug').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) throw new KefuError(ErrorCodes.planExists, `a plan "${slug}" already exists`, { status: 409 });
  return (await withCounts(db, [inserted]))[0]!;
}

function assertCoherent(limits: z.output<typeof planLimitsSchema>): void {
  if (limits.burst < limits.requestsPerSecond) {
    throw new KefuError(ErrorCodes.validation, 'the request does not match the schema', {
      details: { errors: [{ path: 'body/limits/burst', message: 'burst must be at least requestsPerSecond' }] },
    });
  }
}

export async function listPlans(db: Db): Promise<StoredPlan[]> {
  return withCounts(db, await db.selectFrom('plans').selectAll().orderBy('slug').execute());
}

/** A plan by id or slug. */
export async function findPlan(db: Db, reference: string): Promise<StoredPlan | undefined> {
  const row = await db
    .selectFrom('plans')
    .selectAll()
    .where(UUID.test(reference) ? 'id' : 'slug', '=', reference)
    .executeTakeFirst();
  return row ? (await withCounts(db, [row]))[0] : undefined;
}

export async function requirePlan(db: Db, reference: string): Promise<StoredPlan> {
  const plan = await findPlan(db, reference);
  if (!plan) throw new KefuError(ErrorCodes.planNotFound, 'plan not found', { status: 404 });
  return plan;
}

export interface PlanPatch {
  name?: string;
  /** Merged into the stored limits key by key, then validated as a whole. */
  limits?: Record<string, unknown>;
  prices?: Record<string, unknown>;
  /** Replaces the feature list. */
  features?: unknown;
}

export async function updatePlan(
  db: Db,
  reference: string,
  patch: PlanPatch,
): Promise<{ before: StoredPlan; after: StoredPlan }> {
  const before = await requirePlan(db, reference);
  const name = patch.name === undefined ? before.name : parseOrThrow(planNameSchema, patch.name, 'body/name');
  const limits = parseOrThrow(planLimitsSchema, { ...before.limits, ...(patch.limits ?? {}) }, 'body/limits');
  const prices = parseOrThrow(planPricesSchema, { ...before.prices, ...(patch.prices ?? {}) }, 'body/prices');
  const features =
    patch.features === undefined ? before.features : parseOrThrow(planFeaturesSchema, patch.features, 'body/features');
  assertCoherent(limits);
  const row = await db
    .updateTable('plans')
    .set({
      name,
      limits: JSON.stringify(limits),
      prices: JSON.stringify(prices),
      features: JSON.stringify(features),
      updated_at: new Date(),
    })
    .where('id', '=', before.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { before, after: (await withCounts(db, [row]))[0]! };
}

/** Deletes a plan no tenant is on; a plan in use is refused with 409 (move its tenants first). */
export async function deletePlan(db: Db, reference: string): Promise<StoredPlan> {
  const plan = await requirePlan(db, reference);
  if (plan.tenants > 0) {
    throw new KefuError(
      ErrorCodes.planInUse,
      `${plan.tenants} tenant(s) are on this plan; move them to another plan first`,
      { status: 409 },
    );
  }
  // The condition repeats the check in SQL, so a tenant moved onto the plan meanwhile is not orphaned.
  const result = await db
    .deleteFrom('plans')
    .where('id', '=', plan.id)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('tenants').select('id').whereRef('tenants.plan_id', '=', 'plans.id'))),
    )
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0)
    throw new KefuError(ErrorCodes.planInUse, 'tenants are on this plan; move them to another plan first', {
      status: 409,
    });
  return plan;
}

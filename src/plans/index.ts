export {
  DEFAULT_PLAN,
  planFeaturesSchema,
  planLimitsSchema,
  planPricesSchema,
  type Plan,
  type PlanLimits,
  type PlanPrices,
} from './plan.js';
export { tenantPlan, toPlan } from './tenant-plan.js';

export {
  BOOTSTRAP_OPERATOR_ID,
  OPERATOR_KEY_PREFIX,
  createOperatorKey,
  listOperatorKeys,
  revokeOperatorKey,
  verifyOperatorKey,
  type CreatedOperatorKey,
  type OperatorKeyCheck,
  type OperatorKeySummary,
  type OperatorPrincipal,
} from './operator-keys.js';
export { createPlan, findPlan, listPlans, requirePlan, updatePlan, planNameSchema, planSlugSchema, type NewPlan, type PlanPatch, type StoredPlan } from './plans.js';
export {
  TENANT_DOMAINS,
  changeTenantPlan,
  createTenantFromPlan,
  deleteTenant,
  findOperatorTenant,
  listOperatorTenants,
  requireOperatorTenant,
  setTenantStatus,
  type NewTenantFromPlan,
  type OperatorTenant,
  type TenantListQuery,
} from './tenants.js';
export { parseOrThrow } from './validation.js';

/**
 * The operator (reseller) plane: operator keys (`kefu_op_…`), plans, tenants created from a plan,
 * suspension, plan change and deletion. HTTP: src/server/routes/operator.ts; docs/reselling.md.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   const { tenant, apiKey } = await createTenantFromPlan(trx, { slug: 'tea-shop', name: '一葉茶舖', plan: 'starter' });
 *   await recordAudit(trx, { tenantId: tenant.id, actor: 'operator:…', action: 'tenant.create', target: tenant.id });
 *   return apiKey.key; // shown once
 * });
 */
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
export {
  createPlan,
  deletePlan,
  findPlan,
  listPlans,
  requirePlan,
  updatePlan,
  planNameSchema,
  planSlugSchema,
  type NewPlan,
  type PlanPatch,
  type StoredPlan,
} from './plans.js';
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

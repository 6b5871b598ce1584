export { costReport, formatCostReport, tenantPrices } from './cost-report.js';
export type { CostReport, TierCost } from './cost-report.js';

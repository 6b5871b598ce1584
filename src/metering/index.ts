/**
 * Metering: the append-only usage ledger, usage summaries, monthly quotas, billing statements
 * (JSON and CSV) and usage webhooks. See docs/metering.md.
 *
 * @example
 * const [usage] = await usageSummary(db, { tenantId, from: new Date('2026-11-01Z'), to: new Date('2026-12-01Z') });
 * const statement = await billingStatement(db, tenantId, '2026-11');
 * const csv = billingCsv(statement);
 */
export { Meters, isMeter, turnMeter, type Meter } from './meters.js';
export { appendUsage, insertUsageRows, storedBytes, usageRows, type UsageEntry } from './ledger.js';
export { inboundUsage, turnUsage } from './usage-entries.js';
export {
  usageSummary,
  storageAt,
  periodBounds,
  monthOf,
  emptyTotals,
  type UsageSummary,
  type MeterTotals,
} from './usage.js';
export { billingStatement, billingCsv, formatMicros, type BillingStatement, type BillingLine } from './billing.js';
export { PlanCache } from './plan-cache.js';
export {
  QuotaTracker,
  secondsToNextMonth,
  type Admission,
  type QuotaMeter,
  type QuotaThresholdEvent,
} from './quotas.js';
export {
  UsageWebhooks,
  type UsageWebhookDelivery,
  type UsageWebhookEventType,
  type UsageWebhookOptions,
} from './webhooks.js';

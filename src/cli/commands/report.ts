import { ErrorCodes, KefuError } from '../../errors/index.js';
import { costReport, formatCostReport, tenantPrices } from '../../reports/index.js';
import { requireTenantBySlug } from '../../tenancy/index.js';
import { print, withDatabase } from '../context.js';

function parseDate(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new KefuError(ErrorCodes.validation, `${flag} must be an ISO date or time, not "${value}"`);
  return date;
}

export async function runCostReport(
  slug: string,
  options: { from?: string; to?: string; json?: boolean },
): Promise<void> {
  const from = parseDate(options.from, '--from');
  const to = parseDate(options.to, '--to');
  await withDatabase(async (database, config) => {
    const tenant = await requireTenantBySlug(database.db, slug);
    const report = await costReport(database.db, tenant.id, {
      from,
      to,
      ...(await tenantPrices(database.db, tenant.id, config)),
    });
    print(options.json ? JSON.stringify(report) : formatCostReport(report, slug));
  });
}

import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planLimitsSchema, planPricesSchema } from '../plans/index.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { assignPlan } from '../../test/support/test-plans.js';
import { createTenant } from '../tenancy/index.js';
import { appendUsage, billingCsv, billingStatement, Meters, usageSummary, type Meter } from './index.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.dispose());

async function newTenant(prices: Record<string, number | string> = {}): Promise<string> {
  const slug = `bill-${randomUUID().slice(0, 8)}`;
  const tenant = await createTenant(database.db, { slug, name: `账单测试 ${slug}` });
  await assignPlan(database.db, null, tenant.id, { prices });
  return tenant.id;
}

/** The ledger summed per meter, straight from SQL. */
async function sumsByMeter(tenantId: string, from: Date, to: Date): Promise<Map<string, number>> {
  const rows = await database.db
    .selectFrom('usage_ledger')
    .select(['meter', sql<string>`sum(quantity)`.as('total')])
    .where('tenant_id', '=', tenantId)
    .where('occurred_at', '>=', from)
    .where('occurred_at', '<', to)
    .groupBy('meter')
    .execute();
  return new Map(rows.map((row) => [row.meter, Number(row.total)]));
}

/** The ledger summed per UTC day and meter in SQL, then the days added up here. */
async function sumsByDay(tenantId: string, from: Date, to: Date): Promise<Map<string, number>> {
  const rows = await sql<{ day: string; meter: string; total: string }>`
    select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day, meter, sum(quantity) as total
    from usage_ledger where tenant_id = ${tenantId} and occurred_at >= ${from} and occurred_at < ${to}
    group by 1, 2`.execute(database.db);
  const totals = new Map<string, number>();
  for (const row of rows.rows) totals.set(row.meter, (totals.get(row.meter) ?? 0) + Number(row.total));
  return totals;
}

const meterArbitrary = fc.constantFrom(...Meters);
// Usage scattered over November 2026 and a little either side of it (which must not be billed).
const usageArbitrary = fc.array(
  fc.record({
    meter: meterArbitrary,
    quantity: fc.integer({ min: 1, max: 5_000_000 }),
    occurredAt: fc.integer({ min: Date.UTC(2026, 9, 25), max: Date.UTC(2026, 11, 5) - 1 }).map((ms) => new Date(ms)),
  }),
  { minLength: 0, maxLength: 60 },
);
const pricesArbitrary = fc.record({
  monthlyFeeMicros: fc.integer({ min: 0, max: 10_000_000_000 }),
  perMessageMicros: fc.integer({ min: 0, max: 100_000 }),
  perLlmTokenIn1kMicros: fc.integer({ min: 0, max: 50_000 }),
  perLlmTokenOut1kMicros: fc.integer({ min: 0, max: 200_000 }),
  perConnectorCallMicros: fc.integer({ min: 0, max: 10_000 }),
  perGbMonthMicros: fc.integer({ min: 0, max: 5_000_000 }),
});

describe('billing statement', () => {
  it('reconciles exactly with the ledger summed by meter and by day, for random usage and prices', async () => {
    const from = new Date(Date.UTC(2026, 10, 1));
    const to = new Date(Date.UTC(2026, 11, 1));
    await fc.assert(
      fc.asyncProperty(usageArbitrary, pricesArbitrary, async (usage, prices) => {
        const tenantId = await newTenant(prices);
        await appendUsage(
          database.db,
          tenantId,
          usage.map((entry) => ({ ...entry, dedupeKey: randomUUID() })),
        );
        const statement = await billingStatement(database.db, tenantId, '2026-11');
        const byMeter = await sumsByMeter(tenantId, from, to);
        const byDay = await sumsByDay(tenantId, from, to);
        const rowsInPeriod = usage.filter((entry) => entry.occurredAt >= from && entry.occurredAt < to).length;
        expect(statement.ledger.rows).toBe(rowsInPeriod);
        for (const meter of Meters) {
          expect(statement.ledger.quantities[meter]).toBe(byMeter.get(meter) ?? 0);
          expect(statement.ledger.quantities[meter]).toBe(byDay.get(meter) ?? 0);
          if (meter !== 'storage.bytes')
            expect(statement.lines.find((line) => line.meter === meter)!.quantity).toBe(byMeter.get(meter) ?? 0);
        }
        // Storage is what is held at the end of the period: every storage row before it.
        const held = usage
          .filter((entry) => entry.meter === 'storage.bytes' && entry.occurredAt < to)
          .reduce((sum, entry) => sum + entry.quantity, 0);
        expect(statement.lines.find((line) => line.meter === 'storage.bytes')!.quantity).toBe(held);
        // Amounts: integer micros, half up, and the total is their sum (BigInt: no float drift).
        for (const line of statement.lines) {
          const exact = BigInt(line.quantity) * BigInt(line.unitPriceMicros);
          const per = BigInt(line.pricedPer);
          expect(BigInt(line.amountMicros) * per <= exact + per / 2n).toBe(true);
          expect(BigInt(line.amountMicros) * per + per / 2n >= exact).toBe(true);
        }
        expect(statement.totalMicros).toBe(statement.lines.reduce((sum, line) => sum + line.amountMicros, 0));
        // The CSV says the same thing, line for line.
        const records = parse(billingCsv(statement).replace(/^\uFEFF/, ''), { columns: true }) as Array<
          Record<string, string>
        >;
        expect(
          records.slice(0, -1).map((record) => [record.meter, Number(record.quantity), Number(record.amount_micros)]),
        ).toEqual(statement.lines.map((line) => [line.meter, line.quantity, line.amountMicros]));
        expect(records.at(-1)).toMatchObject({ meter: 'total', amount_micros: String(statement.totalMicros) });
        // And the usage summary (the operator's view) agrees.
        const [summary] = await usageSummary(database.db, { tenantId, from, to });
        expect(summary!.meters).toEqual(statement.ledger.quantities);
        expect(summary!.ledgerRows).toBe(rowsInPeriod);
      }),
      { numRuns: 25 },
    );
  });

  it('prices a known month the way the price sheet reads', async () => {
    const tenantId = await newTenant({
      currency: 'CNY',
      monthlyFeeMicros: 99_000_000,
      perMessageMicros: 1_500,
      perLlmTokenIn1kMicros: 2_000,
      perLlmTokenOut1kMicros: 8_000,
      perGbMonthMicros: 500_000,
    });
    const at = new Date(Date.UTC(2026, 10, 15, 8));
    const entries: Array<{ meter: Meter; quantity: number }> = [
      { meter: 'messages', quantity: 3 },
      { meter: 'llm.tokens_in', quantity: 1_250 },
      { meter: 'llm.tokens_out', quantity: 333 },
      { meter: 'storage.bytes', quantity: 2_000_000_000 },
    ];
    await appendUsage(
      database.db,
      tenantId,
      entries.map((entry) => ({ ...entry, occurredAt: at, dedupeKey: randomUUID() })),
    );
    const statement = await billingStatement(database.db, tenantId, '2026-11');
    const amounts = Object.fromEntries(statement.lines.map((line) => [line.meter, line.amountMicros]));
    // ¥99 fee; 3 × ¥0.0015; 1,250 tokens at ¥0.002/1k = 2,500 micros; 333 at ¥0.008/1k = 2,664 micros; 2 GB × ¥0.5.
    expect(amounts).toMatchObject({
      'plan.monthly_fee': 99_000_000,
      messages: 4_500,
      'llm.tokens_in': 2_500,
      'llm.tokens_out': 2_664,
      'storage.bytes': 1_000_000,
    });
    expect(statement.totalMicros).toBe(99_000_000 + 4_500 + 2_500 + 2_664 + 1_000_000);
    expect(statement.currency).toBe('CNY');
    expect(billingCsv(statement)).toContain('100.009664');
  });

  it('refuses malformed periods', async () => {
    const tenantId = await newTenant();
    for (const period of [
      '2026-13',
      '2026-00',
      '26-11',
      '2026-1',
      '２０２６-11',
      "2026-11'; drop table usage_ledger; --",
    ]) {
      await expect(billingStatement(database.db, tenantId, period)).rejects.toMatchObject({
        code: 'CS_BILLING_PERIOD_INVALID',
        status: 400,
      });
    }
  });
});

describe('plan limits and prices', () => {
  it('rejects negative, absurd and non-numeric quota and price values', () => {
    const badLimits = [
      { monthlyMessages: -1 },
      { monthlyMessages: 1.5 },
      { monthlyMessages: 1e20 },
      { monthlyLlmTokens: -100 },
      { storageBytes: Number.POSITIVE_INFINITY },
      { requestsPerSecond: 0 },
      { requestsPerSecond: -5 },
      { requestsPerSecond: Number.NaN },
      { burst: 0 },
      { burst: 1e9 },
      { keyRequestsPerSecond: -1 },
      { onQuotaExhausted: 'ignore' },
      { allowedTiers: [] },
      { allowedTiers: ['gpu'] },
      { monthlyMessages: '100' },
      { unknown: 1 },
    ];
    for (const limits of badLimits)
      expect(planLimitsSchema.safeParse(limits).success, JSON.stringify(limits)).toBe(false);
    const badPrices = [
      { perMessageMicros: -1 },
      { perMessageMicros: 0.5 },
      { monthlyFeeMicros: 1e18 },
      { currency: 'yuan' },
      { currency: 'cny' },
    ];
    for (const prices of badPrices)
      expect(planPricesSchema.safeParse(prices).success, JSON.stringify(prices)).toBe(false);
    expect(planLimitsSchema.parse({ monthlyMessages: 0, requestsPerSecond: 0.5, burst: 1 })).toMatchObject({
      monthlyMessages: 0,
      requestsPerSecond: 0.5,
    });
  });
});

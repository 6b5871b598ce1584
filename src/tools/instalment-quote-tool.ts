import { formatFen, quoteInstalmentOptions, yuanToFen } from './instalment.js';
import type { FeeTableRow, InstalmentMethod } from './instalment.js';
import { inputText, type Tool } from './tool.js';

/**
 * `instalment.quote`: quote one plan or every plan of a fee table, with display strings ready for
 * an answer template.
 *
 * Input: `amount` (yuan, number or "12,000.00"), `periods` (optional; empty or missing = every
 * row of the table), `fee_table` (rows of a `periods,fee_rate_per_period` table, strings or numbers),
 * `method` (optional, default equal-instalment).
 *
 * Output: `{ amount, quotes: [{ periods, fee_rate, first_payment, payment, fee_per_period,
 * total_fee, total_payment, apr, apr_compounded, nominal_annual_fee_rate, schedule }] }`, where
 * money is a '1,234.56' string, rates are '0.66%' strings, and `payment` is the regular payment
 * from the second period on (the first carries the remainder fen).
 */
export const instalmentQuoteTool: Tool = {
  name: 'instalment.quote',
  description:
    'Credit-card instalment quote: payment per period, total fee, fee rate and effective annual rate (IRR), exact to the fen.',
  run(input) {
    if (typeof input.amount !== 'number' && typeof input.amount !== 'string') {
      throw new RangeError('instalment.quote: amount (yuan) is required');
    }
    const principalFen = yuanToFen(input.amount);
    const periods =
      input.periods === undefined || input.periods === null || input.periods === '' ? undefined : Number(input.periods);
    const method = (input.method ?? 'equal-instalment') as InstalmentMethod;
    const quotes = quoteInstalmentOptions({ principalFen, feeTable: readFeeTable(input.fee_table), periods, method });
    return {
      amount: formatFen(principalFen),
      method,
      quotes: quotes.map((quote) => {
        const first = quote.schedule[0];
        const regular = quote.schedule[1] ?? first;
        return {
          periods: quote.periods,
          fee_rate: formatPercent(quote.feeRatePerPeriod),
          first_payment: formatFen(first.paymentFen),
          payment: formatFen(regular.paymentFen),
          fee_per_period: formatFen(first.feeFen),
          total_fee: formatFen(quote.totalFeeFen),
          total_payment: formatFen(quote.totalPaymentFen),
          apr: formatPercent(quote.effectiveAnnualRate, 2, 2),
          apr_compounded: formatPercent(quote.effectiveAnnualRateCompounded, 2, 2),
          nominal_annual_fee_rate: formatPercent(quote.nominalAnnualFeeRate),
          schedule: quote.schedule.map((period) => ({
            index: period.index,
            principal: formatFen(period.principalFen),
            fee: formatFen(period.feeFen),
            payment: formatFen(period.paymentFen),
            remaining: formatFen(period.remainingFen),
          })),
        };
      }),
    };
  },
};

function readFeeTable(value: unknown): FeeTableRow[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new RangeError('instalment.quote: fee_table must be a non-empty list of {periods, fee_rate_per_period} rows');
  return value.map((row: Record<string, unknown>, index) => {
    const periods = Number(row?.periods);
    const feeRatePerPeriod = Number(row?.fee_rate_per_period);
    if (
      !Number.isInteger(periods) ||
      !Number.isFinite(feeRatePerPeriod) ||
      inputText(row?.fee_rate_per_period).trim() === ''
    ) {
      throw new RangeError(
        `instalment.quote: fee_table row ${index + 1} needs whole periods and a numeric fee_rate_per_period`,
      );
    }
    return { periods, feeRatePerPeriod };
  });
}

/** 0.0066 → '0.66%', 0.00655 → '0.655%': between `minimumDecimals` and `maximumDecimals` decimals. */
function formatPercent(fraction: number, minimumDecimals = 2, maximumDecimals = 4): string {
  const fixed = (fraction * 100).toFixed(maximumDecimals);
  const [whole, decimals] = fixed.split('.');
  let kept = decimals.replace(/0+$/, '');
  if (kept.length < minimumDecimals) kept = kept.padEnd(minimumDecimals, '0');
  return `${whole}.${kept}%`;
}

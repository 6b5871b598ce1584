import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { builtinTools, instalmentQuoteTool } from './index.js';

// The bank-zh demo fee table, read as the CSV connector serves it: every value a string.
const feeTable = parse(
  readFileSync(new URL('../../examples/packs/bank-zh/data/instalment_fees.csv', import.meta.url), 'utf8'),
  {
    columns: true,
  },
) as Record<string, string>[];

describe('instalment.quote', () => {
  it('is registered under its playbook name', () => {
    expect(builtinTools.get('instalment.quote')).toBe(instalmentQuoteTool);
    expect(builtinTools.get('delivery.assess')?.name).toBe('delivery.assess');
  });

  it('quotes one period count with display strings (12,000.00 元 over 12 at 0.66 %)', () => {
    const result = instalmentQuoteTool.run({ amount: '12000', periods: '12', fee_table: feeTable });
    expect(result.amount).toBe('12,000.00');
    expect(result.quotes).toHaveLength(1);
    expect(result.quotes).toMatchObject([
      {
        periods: 12,
        fee_rate: '0.66%',
        first_payment: '1,079.20',
        payment: '1,079.20',
        fee_per_period: '79.20',
        total_fee: '950.40',
        total_payment: '12,950.40',
        apr: '14.31%',
        apr_compounded: '15.29%',
        nominal_annual_fee_rate: '7.92%',
      },
    ]);
  });

  it('quotes every row when periods is empty; the first payment carries the remainder fen', () => {
    // 10,000.00 over 3: principal 3,333.34 + 3,333.33 × 2, fee 75.00 each
    const result = instalmentQuoteTool.run({ amount: 10_000, periods: '', fee_table: feeTable }) as {
      quotes: Record<string, unknown>[];
    };
    expect(result.quotes.map((quote) => quote.periods)).toEqual([3, 6, 12, 24]);
    expect(result.quotes[0]).toMatchObject({
      first_payment: '3,408.34',
      payment: '3,408.33',
      total_fee: '225.00',
      fee_rate: '0.75%',
    });
    expect(result.quotes[3]).toMatchObject({ fee_rate: '0.65%', total_fee: '1,560.00' });
  });

  it('rejects a missing amount, more than two decimals, a period count not offered and a broken table', () => {
    expect(() => instalmentQuoteTool.run({ fee_table: feeTable })).toThrow(RangeError);
    expect(() => instalmentQuoteTool.run({ amount: '100.005', fee_table: feeTable })).toThrow(RangeError);
    expect(() => instalmentQuoteTool.run({ amount: '5000', periods: 9, fee_table: feeTable })).toThrow(/not offered/);
    expect(() =>
      instalmentQuoteTool.run({ amount: '5000', fee_table: [{ periods: '3', fee_rate_per_period: '' }] }),
    ).toThrow(/fee_table row 1/);
    expect(() => instalmentQuoteTool.run({ amount: '5000', fee_table: [] })).toThrow(/fee_table/);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatFen, quoteInstalment, quoteInstalmentOptions, yuanToFen } from './instalment.js';
import type { InstalmentQuote } from './instalment.js';

/** Net present value of the customer's cash flows at monthly rate r: +principal now, −payment_k at month k. */
function npv(quote: InstalmentQuote, rate: number): number {
  return quote.schedule.reduce(
    (sum, period) => sum - period.paymentFen / Math.pow(1 + rate, period.index),
    quote.principalFen,
  );
}

/**
 * An independent IRR for a level annuity: plain bisection on the closed-form present value
 * A·(1 − (1+r)^−n)/r = P, which shares no code with the calculator's Newton iteration.
 */
function annuityRate(principal: number, payment: number, periods: number): number {
  let low = 1e-12;
  let high = 1;
  for (let iteration = 0; iteration < 300; iteration += 1) {
    const middle = (low + high) / 2;
    const presentValue = (payment * (1 - Math.pow(1 + middle, -periods))) / middle;
    if (presentValue > principal) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

describe('quoteInstalment, equal-instalment (fixed fee every period)', () => {
  it('12,000.00 元 over 12 periods at 0.66 %', () => {
    // fee      = 1,200,000 fen × 0.0066 = 7,920 fen = 79.20 per period
    // principal = 1,200,000 / 12 = 100,000 fen = 1,000.00 per period, no remainder
    // payment  = 1,000.00 + 79.20 = 1,079.20; total fee = 79.20 × 12 = 950.40
    const quote = quoteInstalment({
      principalFen: 1_200_000,
      periods: 12,
      feeRatePerPeriod: 0.0066,
      method: 'equal-instalment',
    });
    expect(quote.schedule).toHaveLength(12);
    for (const period of quote.schedule) {
      expect(period).toMatchObject({ principalFen: 100_000, feeFen: 7_920, paymentFen: 107_920 });
    }
    expect(quote.schedule[0].remainingFen).toBe(1_100_000);
    expect(quote.schedule[11].remainingFen).toBe(0);
    expect(quote.totalFeeFen).toBe(95_040);
    expect(quote.totalPaymentFen).toBe(1_295_040);
    expect(formatFen(quote.schedule[0].paymentFen)).toBe('1,079.20');
    expect(formatFen(quote.totalFeeFen)).toBe('950.40');
    expect(quote.nominalAnnualFeeRate).toBeCloseTo(0.0792, 12);
  });

  it('12,000.00 元 over 12 at 0.66 %: the effective annual rate is the IRR, about 14.31 %, not 7.92 %', () => {
    const quote = quoteInstalment({
      principalFen: 1_200_000,
      periods: 12,
      feeRatePerPeriod: 0.0066,
      method: 'equal-instalment',
    });
    const monthly = quote.effectiveAnnualRate / 12;
    // The returned rate zeroes the NPV (in fen: well under a thousandth of a fen).
    expect(Math.abs(npv(quote, monthly))).toBeLessThan(1e-3);
    // An independent solver on the annuity closed form agrees.
    const independent = annuityRate(1_200_000, 107_920, 12);
    expect(Math.abs(monthly - independent)).toBeLessThan(1e-12);
    // Monthly IRR 1.192551 % → APR 14.3106 %, compounded 15.2876 %: inside the 14.3–14.9 % band
    // commonly cited for 0.66 % per period.
    expect(quote.effectiveAnnualRate).toBeCloseTo(0.143106, 6);
    expect(quote.effectiveAnnualRateCompounded).toBeCloseTo(Math.pow(1 + independent, 12) - 1, 12);
    expect(quote.effectiveAnnualRateCompounded).toBeCloseTo(0.152876, 6);
  });

  it('10,000.00 元 over 3 at 0.75 %: the remainder fen goes to the first period', () => {
    // 1,000,000 / 3 = 333,333 rest 1 → principal 3,333.34, 3,333.33, 3,333.33
    // fee = 1,000,000 × 0.0075 = 7,500 fen = 75.00 per period, total 225.00
    // payments 3,408.34, 3,408.33, 3,408.33; total 10,225.00
    const quote = quoteInstalment({
      principalFen: 1_000_000,
      periods: 3,
      feeRatePerPeriod: 0.0075,
      method: 'equal-instalment',
    });
    expect(quote.schedule).toEqual([
      { index: 1, principalFen: 333_334, feeFen: 7_500, paymentFen: 340_834, remainingFen: 666_666 },
      { index: 2, principalFen: 333_333, feeFen: 7_500, paymentFen: 340_833, remainingFen: 333_333 },
      { index: 3, principalFen: 333_333, feeFen: 7_500, paymentFen: 340_833, remainingFen: 0 },
    ]);
    expect(quote.totalFeeFen).toBe(22_500);
    expect(quote.totalPaymentFen).toBe(1_022_500);
    expect(Math.abs(npv(quote, quote.effectiveAnnualRate / 12))).toBeLessThan(1e-3);
  });

  it('rounds half-up on the exact decimal product, where binary floats would round down', () => {
    // 230.00 元 × 0.55 % = 23,000 fen × 0.0055 = 126.5 fen exactly → 127 fen.
    // In floating point 23000 * 0.0055 = 126.49999999999999, and Math.round would give 126.
    expect(23_000 * 0.0055).toBeLessThan(126.5);
    const quote = quoteInstalment({
      principalFen: 23_000,
      periods: 1,
      feeRatePerPeriod: 0.0055,
      method: 'equal-instalment',
    });
    expect(quote.schedule[0].feeFen).toBe(127);
    // 30.00 元 × 0.45 % = 13.5 fen → 14 (float: 13.499999999999998).
    expect(
      quoteInstalment({ principalFen: 3_000, periods: 2, feeRatePerPeriod: 0.0045, method: 'equal-instalment' })
        .schedule[1].feeFen,
    ).toBe(14);
  });

  it('a zero rate is free: no fee and an effective rate of 0', () => {
    const quote = quoteInstalment({
      principalFen: 60_001,
      periods: 6,
      feeRatePerPeriod: 0,
      method: 'equal-instalment',
    });
    expect(quote.totalFeeFen).toBe(0);
    expect(quote.schedule[0].principalFen).toBe(10_001);
    expect(quote.effectiveAnnualRate).toBe(0);
    expect(quote.effectiveAnnualRateCompounded).toBe(0);
  });

  it('one period: the IRR is the fee rate itself', () => {
    // 5,000.00 × 0.75 % = 37.50; pay 5,037.50 after one month → r = 37.50 / 5,000 = 0.0075
    const quote = quoteInstalment({
      principalFen: 500_000,
      periods: 1,
      feeRatePerPeriod: 0.0075,
      method: 'equal-instalment',
    });
    expect(quote.schedule[0].paymentFen).toBe(503_750);
    expect(quote.effectiveAnnualRate).toBeCloseTo(0.09, 12);
  });
});

describe('quoteInstalment, equal-principal (fee on the outstanding principal)', () => {
  it('10,000.00 元 over 3 at 0.75 %', () => {
    // period 1: outstanding 1,000,000 × 0.0075 = 7,500.000 → 7,500 fen (75.00)
    // period 2: outstanding   666,666 × 0.0075 = 4,999.995 → 5,000 fen (50.00, half-up on .995)
    // period 3: outstanding   333,333 × 0.0075 = 2,499.9975 → 2,500 fen (25.00)
    // total fee 150.00; payments 3,408.34, 3,383.33, 3,358.33
    const quote = quoteInstalment({
      principalFen: 1_000_000,
      periods: 3,
      feeRatePerPeriod: 0.0075,
      method: 'equal-principal',
    });
    expect(quote.schedule).toEqual([
      { index: 1, principalFen: 333_334, feeFen: 7_500, paymentFen: 340_834, remainingFen: 666_666 },
      { index: 2, principalFen: 333_333, feeFen: 5_000, paymentFen: 338_333, remainingFen: 333_333 },
      { index: 3, principalFen: 333_333, feeFen: 2_500, paymentFen: 335_833, remainingFen: 0 },
    ]);
    expect(quote.totalFeeFen).toBe(15_000);
    expect(quote.totalPaymentFen).toBe(1_015_000);
    // Charging on the outstanding balance is a true 0.75 % a month (up to fen rounding): APR ≈ 9 %.
    expect(quote.effectiveAnnualRate).toBeCloseTo(0.09, 5);
    expect(Math.abs(npv(quote, quote.effectiveAnnualRate / 12))).toBeLessThan(1e-3);
  });

  it('3.00 元 over 3 at 0.5 %: exact halves round up', () => {
    // outstanding 300 × 0.005 = 1.5 → 2; 200 × 0.005 = 1.0 → 1; 100 × 0.005 = 0.5 → 1
    const quote = quoteInstalment({
      principalFen: 300,
      periods: 3,
      feeRatePerPeriod: 0.005,
      method: 'equal-principal',
    });
    expect(quote.schedule.map((period) => period.feeFen)).toEqual([2, 1, 1]);
    expect(quote.totalFeeFen).toBe(4);
  });
});

describe('quoteInstalment invariants', () => {
  const input = fc.record({
    principalFen: fc.integer({ min: 1, max: 100_000_000_000 }),
    periods: fc.integer({ min: 1, max: 60 }),
    feeRatePerPeriod: fc.integer({ min: 0, max: 9_999 }).map((basisPoints) => basisPoints / 100_000),
    method: fc.constantFrom('equal-instalment' as const, 'equal-principal' as const),
  });

  it('principal parts add up, the balance runs down to zero, the IRR zeroes the NPV', () => {
    fc.assert(
      fc.property(input, (value) => {
        const quote = quoteInstalment(value);
        const principalSum = quote.schedule.reduce((sum, period) => sum + period.principalFen, 0);
        expect(principalSum).toBe(value.principalFen);
        expect(quote.schedule.at(-1)!.remainingFen).toBe(0);
        for (const period of quote.schedule) {
          expect(Number.isInteger(period.feeFen)).toBe(true);
          expect(period.paymentFen).toBe(period.principalFen + period.feeFen);
        }
        expect(quote.totalPaymentFen).toBe(value.principalFen + quote.totalFeeFen);
        const monthly = quote.effectiveAnnualRate / 12;
        expect(monthly).toBeGreaterThanOrEqual(0);
        // Relative to the principal: 1e-9 of the amount.
        expect(Math.abs(npv(quote, monthly)) / value.principalFen).toBeLessThan(1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it('charging on the outstanding principal never costs more than the fixed fee', () => {
    fc.assert(
      fc.property(input, (value) => {
        const fixed = quoteInstalment({ ...value, method: 'equal-instalment' });
        const declining = quoteInstalment({ ...value, method: 'equal-principal' });
        expect(declining.totalFeeFen).toBeLessThanOrEqual(fixed.totalFeeFen);
      }),
      { numRuns: 200 },
    );
  });
});

describe('quoteInstalment input validation', () => {
  const valid = { principalFen: 100_000, periods: 12, feeRatePerPeriod: 0.0066, method: 'equal-instalment' as const };
  it.each([
    ['principal 0', { principalFen: 0 }, /principalFen/],
    ['principal not whole fen', { principalFen: 100.5 }, /principalFen/],
    ['principal above 10^11 fen', { principalFen: 100_000_000_001 }, /principalFen/],
    ['principal NaN', { principalFen: Number.NaN }, /principalFen/],
    ['0 periods', { periods: 0 }, /periods/],
    ['61 periods', { periods: 61 }, /periods/],
    ['fractional periods', { periods: 2.5 }, /periods/],
    ['negative rate', { feeRatePerPeriod: -0.001 }, /feeRatePerPeriod/],
    ['rate of 10 %', { feeRatePerPeriod: 0.1 }, /feeRatePerPeriod/],
    ['rate Infinity', { feeRatePerPeriod: Number.POSITIVE_INFINITY }, /feeRatePerPeriod/],
    ['unknown method', { method: 'annuity' }, /method/],
  ])('rejects %s with a RangeError', (_label, override, message) => {
    const call = () => quoteInstalment({ ...valid, ...override } as never);
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });

  it('accepts the boundaries', () => {
    expect(quoteInstalment({ ...valid, principalFen: 1, periods: 1 }).totalPaymentFen).toBe(1 + 0); // 1 fen × 0.66 % = 0.0066 → 0
    expect(
      quoteInstalment({ ...valid, principalFen: 100_000_000_000, periods: 60, feeRatePerPeriod: 0.09999 }).schedule,
    ).toHaveLength(60);
  });
});

describe('quoteInstalmentOptions', () => {
  const feeTable = [
    { periods: 12, feeRatePerPeriod: 0.0066 },
    { periods: 3, feeRatePerPeriod: 0.0075 },
    { periods: 6, feeRatePerPeriod: 0.007 },
    { periods: 24, feeRatePerPeriod: 0.0065 },
  ];

  it('quotes every row, shortest plan first, when no period count is given', () => {
    const quotes = quoteInstalmentOptions({ principalFen: 1_200_000, feeTable });
    expect(quotes.map((quote) => quote.periods)).toEqual([3, 6, 12, 24]);
    // 6 periods: fee 1,200,000 × 0.007 = 8,400 fen (84.00); principal 200,000 → payment 2,084.00
    expect(quotes[1].schedule[0].paymentFen).toBe(208_400);
  });

  it('quotes only the chosen row, and rejects a period count the table does not offer', () => {
    expect(quoteInstalmentOptions({ principalFen: 1_200_000, feeTable, periods: 12 })).toHaveLength(1);
    expect(() => quoteInstalmentOptions({ principalFen: 1_200_000, feeTable, periods: 9 })).toThrow(
      /9 periods is not offered \(fee table has 12\/3\/6\/24\)/,
    );
  });
});

describe('formatFen and yuanToFen', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [100, '1.00'],
    [123_456, '1,234.56'],
    [107_920, '1,079.20'],
    [100_000_000_000, '1,000,000,000.00'],
    [-123_456, '-1,234.56'],
  ])('formatFen(%d) = %s', (fen, text) => {
    expect(formatFen(fen)).toBe(text);
  });

  it('formatFen rejects fractional fen', () => {
    expect(() => formatFen(1.5)).toThrow(RangeError);
  });

  it.each([
    ['12000', 1_200_000],
    ['1,234.5', 123_450],
    ['0.01', 1],
    [' 99.90 ', 9_990],
    ['3.10', 310],
    [99.99, 9_999],
    [0.1, 10],
    [12_000, 1_200_000],
  ])('yuanToFen(%j) = %d', (yuan, fen) => {
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it.each(['1.234', '-5', 'abc', '', '1e3'])('yuanToFen rejects %j', (yuan) => {
    expect(() => yuanToFen(yuan)).toThrow(RangeError);
  });
});

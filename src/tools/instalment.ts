/**
 * Credit-card instalment calculator (S3): exact to the fen.
 *
 * Money is integer fen throughout and every multiplication by the fee rate is done in exact decimal
 * arithmetic (BigInt), so 0.0075 × 200 fen is exactly 1.5 fen and rounds half-up to 2 — a binary
 * float would see 1.4999… and round the other way. Only the effective annual rate, which is an
 * irrational root anyway, is a float.
 */

export type InstalmentMethod = 'equal-instalment' | 'equal-principal';

export interface InstalmentQuoteInput {
  /** Amount to split, integer fen, 1 … 10^11 (one billion yuan). */
  principalFen: number;
  /** Number of monthly periods, integer 1 … 60. */
  periods: number;
  /** Fee per period as a fraction, 0 ≤ rate < 0.1 (0.0066 = 0.66 % per period). */
  feeRatePerPeriod: number;
  /**
   * `equal-instalment`: the same fee every period, principal × rate (how Chinese issuers quote
   * 账单分期). `equal-principal`: the fee is charged on the principal still outstanding before
   * the period.
   */
  method: InstalmentMethod;
}

export interface InstalmentPeriod {
  /** 1-based period number. */
  index: number;
  principalFen: number;
  feeFen: number;
  paymentFen: number;
  /** Principal still outstanding after this period's payment. */
  remainingFen: number;
}

export interface InstalmentQuote {
  principalFen: number;
  periods: number;
  feeRatePerPeriod: number;
  method: InstalmentMethod;
  totalFeeFen: number;
  totalPaymentFen: number;
  schedule: InstalmentPeriod[];
  /** IRR-based APR: the monthly internal rate of return × 12 (nominal, as 年化利率 is usually quoted). */
  effectiveAnnualRate: number;
  /** (1 + monthly IRR)^12 − 1. */
  effectiveAnnualRateCompounded: number;
  /** feeRatePerPeriod × 12: the misleadingly low figure the effective rate is compared against. */
  nominalAnnualFeeRate: number;
}

export const MAX_PRINCIPAL_FEN = 100_000_000_000;
export const MAX_PERIODS = 60;
export const MAX_FEE_RATE_PER_PERIOD = 0.1;

/**
 * Quote an instalment plan: the schedule, the total fee and the effective annual rate.
 * Throws a RangeError on input outside the documented ranges.
 * @example
 * const quote = quoteInstalment({ principalFen: 1_200_000, periods: 12, feeRatePerPeriod: 0.0066, method: 'equal-instalment' });
 * formatFen(quote.schedule[0].paymentFen); // '1,079.20'
 * formatFen(quote.totalFeeFen);            // '950.40'
 */
export function quoteInstalment(input: InstalmentQuoteInput): InstalmentQuote {
  const { principalFen, periods, feeRatePerPeriod, method } = input;
  validate(input);
  const rate = exactDecimal(feeRatePerPeriod);

  const basePrincipal = Math.floor(principalFen / periods);
  const firstPrincipal = basePrincipal + (principalFen - basePrincipal * periods);
  const fixedFee = multiplyHalfUp(principalFen, rate);

  const schedule: InstalmentPeriod[] = [];
  let remaining = principalFen;
  for (let index = 1; index <= periods; index += 1) {
    const principalPart = index === 1 ? firstPrincipal : basePrincipal;
    const feeFen = method === 'equal-instalment' ? fixedFee : multiplyHalfUp(remaining, rate);
    remaining -= principalPart;
    schedule.push({
      index,
      principalFen: principalPart,
      feeFen,
      paymentFen: principalPart + feeFen,
      remainingFen: remaining,
    });
  }

  const totalFeeFen = schedule.reduce((sum, period) => sum + period.feeFen, 0);
  const monthlyRate = internalRateOfReturn(
    principalFen,
    schedule.map((period) => period.paymentFen),
  );
  return {
    principalFen,
    periods,
    feeRatePerPeriod,
    method,
    totalFeeFen,
    totalPaymentFen: principalFen + totalFeeFen,
    schedule,
    effectiveAnnualRate: monthlyRate * 12,
    effectiveAnnualRateCompounded: Math.pow(1 + monthlyRate, 12) - 1,
    nominalAnnualFeeRate: feeRatePerPeriod * 12,
  };
}

export interface FeeTableRow {
  periods: number;
  feeRatePerPeriod: number;
}

/**
 * Quote every row of a fee table (or only the row for `periods` when given), for answers like
 * "分 3/6/12/24 期分别每期还多少". Throws a RangeError when `periods` is not in the table.
 */
export function quoteInstalmentOptions(input: {
  principalFen: number;
  feeTable: readonly FeeTableRow[];
  periods?: number;
  method?: InstalmentMethod;
}): InstalmentQuote[] {
  const method = input.method ?? 'equal-instalment';
  const rows =
    input.periods === undefined ? input.feeTable : input.feeTable.filter((row) => row.periods === input.periods);
  if (rows.length === 0) {
    const offered = input.feeTable.map((row) => row.periods).join('/');
    throw new RangeError(`instalment: ${input.periods} periods is not offered (fee table has ${offered || 'no rows'})`);
  }
  return [...rows]
    .sort((a, b) => a.periods - b.periods)
    .map((row) =>
      quoteInstalment({
        principalFen: input.principalFen,
        periods: row.periods,
        feeRatePerPeriod: row.feeRatePerPeriod,
        method,
      }),
    );
}

/**
 * Integer fen → yuan with thousands separators and two decimals.
 * @example formatFen(123456) // '1,234.56'
 */
export function formatFen(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`formatFen: expected an integer number of fen, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const absolute = Math.abs(fen);
  const yuan = Math.floor(absolute / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (absolute % 100).toString().padStart(2, '0');
  return `${sign}${yuan}.${cents}`;
}

/**
 * A yuan amount ("12000", "1,234.5", 99.99) → integer fen, exactly. Throws a RangeError on more
 * than two decimals or on anything that is not a plain non-negative amount.
 */
export function yuanToFen(yuan: number | string): number {
  const text = typeof yuan === 'number' ? numberToPlainDecimal(yuan) : yuan.trim().replace(/[,，]/g, '');
  const match = /^(\d+)(?:\.(\d{0,2})0*)?$/.exec(text);
  if (!match)
    throw new RangeError(`yuanToFen: not an amount in yuan with at most two decimals: ${JSON.stringify(String(yuan))}`);
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) throw new RangeError(`yuanToFen: amount too large: ${String(yuan)}`);
  return fen;
}

function validate(input: InstalmentQuoteInput): void {
  const { principalFen, periods, feeRatePerPeriod, method } = input;
  if (!Number.isInteger(principalFen) || principalFen <= 0 || principalFen > MAX_PRINCIPAL_FEN) {
    throw new RangeError(
      `instalment: principalFen must be an integer number of fen in 1…${MAX_PRINCIPAL_FEN}, got ${principalFen}`,
    );
  }
  if (!Number.isInteger(periods) || periods < 1 || periods > MAX_PERIODS) {
    throw new RangeError(`instalment: periods must be an integer in 1…${MAX_PERIODS}, got ${periods}`);
  }
  if (!Number.isFinite(feeRatePerPeriod) || feeRatePerPeriod < 0 || feeRatePerPeriod >= MAX_FEE_RATE_PER_PERIOD) {
    throw new RangeError(
      `instalment: feeRatePerPeriod must be a fraction with 0 ≤ rate < ${MAX_FEE_RATE_PER_PERIOD}, got ${feeRatePerPeriod}`,
    );
  }
  if (method !== 'equal-instalment' && method !== 'equal-principal') {
    throw new RangeError(
      `instalment: method must be 'equal-instalment' or 'equal-principal', got ${JSON.stringify(method)}`,
    );
  }
}

/** value = numerator / 10^scale */
interface Decimal {
  numerator: bigint;
  scale: number;
}

/**
 * The decimal a rate was written as: JavaScript prints the shortest decimal that round-trips the
 * double, so 0.0066 is read as 66/10^4, not as the binary 0.00660000000000000031….
 */
function exactDecimal(value: number): Decimal {
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(value.toString());
  if (!match) throw new RangeError(`instalment: cannot read ${value} as a decimal`);
  const fraction = match[2] ?? '';
  const exponent = Number(match[3] ?? '0');
  let numerator = BigInt(match[1] + fraction);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    numerator *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { numerator, scale };
}

function numberToPlainDecimal(value: number): string {
  if (!Number.isFinite(value) || value < 0) return String(value);
  const { numerator, scale } = exactDecimal(value);
  const digits = numerator.toString().padStart(scale + 1, '0');
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** round-half-up(fen × rate), exact. */
function multiplyHalfUp(fen: number, rate: Decimal): number {
  const product = BigInt(fen) * rate.numerator;
  const divisor = 10n ** BigInt(rate.scale);
  return Number((product * 2n + divisor) / (divisor * 2n));
}

/**
 * Monthly IRR r of +principal at t=0 and −payments[k−1] at t=k. The present value of the payments
 * falls strictly as r rises, so the root is unique; Newton steps are kept inside a bisection
 * bracket so a bad step can never escape it.
 */
function internalRateOfReturn(principalFen: number, payments: readonly number[]): number {
  // Scale to the principal so the arithmetic works near 1 whatever the amount.
  const flows = payments.map((payment) => payment / principalFen);
  const npv = (rate: number): { value: number; slope: number } => {
    let value = -1;
    let slope = 0;
    let discount = 1;
    for (let k = 1; k <= flows.length; k += 1) {
      discount /= 1 + rate;
      value += flows[k - 1] * discount;
      slope -= (k * flows[k - 1] * discount) / (1 + rate);
    }
    return { value, slope };
  };

  // Payments never sum to less than the principal (fees ≥ 0), so the root is ≥ 0.
  let low = 0;
  let high = 1;
  while (npv(high).value > 0) high *= 2;
  if (npv(low).value <= 0) return 0;

  let rate = MAX_FEE_RATE_PER_PERIOD / 2;
  for (let iteration = 0; iteration < 200; iteration += 1) {
    const { value, slope } = npv(rate);
    if (value > 0) low = rate;
    else high = rate;
    let next = slope < 0 ? rate - value / slope : Number.NaN;
    if (!(next > low && next < high)) next = (low + high) / 2;
    if (Math.abs(next - rate) < 1e-15 || high - low < 1e-15) return next;
    rate = next;
  }
  return rate;
}

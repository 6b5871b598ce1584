import { stringify } from 'csv-stringify/sync';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { tenantPlan } from '../plans/index.js';
import type { Db } from '../store/database.js';
import { Meters, type Meter } from './meters.js';
import { periodBounds, storageAt, usageSummary, type MeterTotals } from './usage.js';

export interface BillingLine {
  /** A ledger meter, or `plan.monthly_fee` for the fixed fee. */
  meter: Meter | 'plan.monthly_fee';
  description: string;
  quantity: number;
  unit: string;
  /** Price in micros for `pricedPer` units. */
  unitPriceMicros: number;
  pricedPer: number;
  /** quantity × unitPriceMicros / pricedPer, rounded half up to a whole micro. */
  amountMicros: number;
}

export interface BillingStatement {
  tenantId: string;
  period: string;
  from: string;
  to: string;
  currency: string;
  plan: { id: string | null; slug: string; name: string };
  lines: BillingLine[];
  totalMicros: number;
  /** What the statement was computed from: ledger rows in the period and their sums per meter. */
  ledger: { rows: number; quantities: MeterTotals; storageBytesAtEnd: number };
  generatedAt: string;
}

const DESCRIPTIONS: Record<Meter, string> = {
  messages: 'Customer messages 客户消息',
  'turns.light': 'Turns answered by the light tier 轻量层回合',
  'turns.playbook': 'Turns answered by a playbook 流程回合',
  'turns.llm': 'Turns answered by the LLM 大模型回合',
  'turns.fallback': 'Turns declined as out of scope 超出范围回合',
  'turns.human': 'Turns handed to a person 转人工回合',
  'turns.assist': 'Turns drafted for a person 辅助草稿回合',
  'llm.tokens_in': 'LLM input tokens 大模型输入词元',
  'llm.tokens_out': 'LLM output tokens 大模型输出词元',
  'connector.calls': 'Connector calls 连接器调用',
  'storage.bytes': 'Storage added in the period 本期新增存储',
};

/** Integer arithmetic (BigInt) so that large quantities never lose a micro. */
function amount(quantity: number, unitPriceMicros: number, pricedPer: number): number {
  const per = BigInt(pricedPer);
  const value = (BigInt(quantity) * BigInt(unitPriceMicros) * 2n + per) / (2n * per);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('billing amount exceeds the safe integer range');
  return Number(value);
}

/**
 * The bill of one tenant for one calendar month (UTC), from the usage ledger and the tenant's
 * current plan. Every meter appears as a line (unpriced meters at 0), plus the monthly fee and
 * storage held at the end of the period (GB-month). Amounts are integer micros.
 */
export async function billingStatement(
  db: Db,
  tenantId: string,
  period: string,
  now = new Date(),
): Promise<BillingStatement> {
  const bounds = periodBounds(period);
  if (!bounds)
    throw new KefuError(ErrorCodes.billingPeriodInvalid, 'the billing period must be YYYY-MM (e.g. 2026-11)', {
      status: 400,
    });
  const plan = await tenantPlan(db, tenantId);
  const [usage] = await usageSummary(db, { tenantId, from: bounds.from, to: bounds.to });
  const storageBytesAtEnd = await storageAt(db, tenantId, bounds.to);
  const prices = plan.prices;
  const quantities = usage!.meters;
  const priced: Partial<Record<Meter, { unitPriceMicros: number; pricedPer: number; unit: string }>> = {
    messages: { unitPriceMicros: prices.perMessageMicros, pricedPer: 1, unit: 'message' },
    'llm.tokens_in': { unitPriceMicros: prices.perLlmTokenIn1kMicros, pricedPer: 1000, unit: 'token' },
    'llm.tokens_out': { unitPriceMicros: prices.perLlmTokenOut1kMicros, pricedPer: 1000, unit: 'token' },
    'connector.calls': { unitPriceMicros: prices.perConnectorCallMicros, pricedPer: 1, unit: 'call' },
  };
  const lines: BillingLine[] = [
    {
      meter: 'plan.monthly_fee',
      description: `Plan ${plan.name} monthly fee 月费`,
      quantity: 1,
      unit: 'month',
      unitPriceMicros: prices.monthlyFeeMicros,
      pricedPer: 1,
      amountMicros: prices.monthlyFeeMicros,
    },
  ];
  for (const meter of Meters) {
    if (meter === 'storage.bytes') continue;
    const price = priced[meter] ?? {
      unitPriceMicros: 0,
      pricedPer: 1,
      unit: meter.startsWith('turns.') ? 'turn' : 'unit',
    };
    lines.push({
      meter,
      description: DESCRIPTIONS[meter],
      quantity: quantities[meter],
      ...price,
      amountMicros: amount(quantities[meter], price.unitPriceMicros, price.pricedPer),
    });
  }
  // Storage is billed on what is held at the end of the period (GB-month, 1 GB = 10^9 bytes).
  lines.push({
    meter: 'storage.bytes',
    description: 'Storage held at the end of the period 期末存储 (GB-month)',
    quantity: storageBytesAtEnd,
    unit: 'byte',
    unitPriceMicros: prices.perGbMonthMicros,
    pricedPer: 1_000_000_000,
    amountMicros: amount(storageBytesAtEnd, prices.perGbMonthMicros, 1_000_000_000),
  });
  const totalMicros = lines.reduce((sum, line) => sum + line.amountMicros, 0);
  return {
    tenantId,
    period,
    from: bounds.from.toISOString(),
    to: bounds.to.toISOString(),
    currency: prices.currency,
    plan: { id: plan.id, slug: plan.slug, name: plan.name },
    lines,
    totalMicros,
    ledger: { rows: usage!.ledgerRows, quantities, storageBytesAtEnd },
    generatedAt: now.toISOString(),
  };
}

/** Micros as a decimal amount with six places ("12.340000"), exact (no floating point). */
export function formatMicros(micros: number): string {
  const negative = micros < 0;
  const digits = String(Math.abs(micros)).padStart(7, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

/**
 * The statement as CSV (RFC 4180, UTF-8 with BOM so spreadsheet tools read the Chinese text):
 * one row per line, then a total row.
 */
export function billingCsv(statement: BillingStatement): string {
  const header = [
    'tenant_id',
    'period',
    'currency',
    'plan',
    'meter',
    'description',
    'quantity',
    'unit',
    'unit_price_micros',
    'priced_per',
    'amount_micros',
    'amount',
  ];
  const rows = statement.lines.map((line) => [
    statement.tenantId,
    statement.period,
    statement.currency,
    statement.plan.slug,
    line.meter,
    line.description,
    line.quantity,
    line.unit,
    line.unitPriceMicros,
    line.pricedPer,
    line.amountMicros,
    formatMicros(line.amountMicros),
  ]);
  rows.push([
    statement.tenantId,
    statement.period,
    statement.currency,
    statement.plan.slug,
    'total',
    'Total 合计',
    '',
    '',
    '',
    '',
    statement.totalMicros,
    formatMicros(statement.totalMicros),
  ]);
  return '\uFEFF' + stringify([header, ...rows], { record_delimiter: '\r\n' });
}

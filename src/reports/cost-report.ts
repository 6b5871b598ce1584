import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { parseTenantSettings } from '../tenancy/tenant-settings.js';

export interface TierCost {
  tier: string;
  turns: number;
  share: number;
  tokensIn: number;
  tokensOut: number;
  costYuan: number;
}

export interface CostReport {
  from: string | null;
  to: string | null;
  turns: number;
  tiers: TierCost[];
  costYuan: number;
  /** What the same turns would have cost had every one gone to the LLM. */
  allLlmBaselineYuan: number;
  /** How the baseline's per-turn cost was obtained. */
  baselineBasis: 'measured average of LLM turns' | 'assumed 800 input + 150 output tokens per turn';
  savingYuan: number;
  savingShare: number;
}

/** Assumed size of an LLM turn when no LLM turn has been measured yet. */
const ASSUMED_TOKENS = { input: 800, output: 150 };

/**
 * The cost ledger read back: turns and cost per tier for a tenant and period, and the saving
 * against sending every turn to the LLM (S14).
 */
export async function costReport(
  db: Db,
  tenantId: string,
  options: { from?: Date; to?: Date; inputPricePer1k: number; outputPricePer1k: number },
): Promise<CostReport> {
  const rows = await db
    .selectFrom('turn_traces')
    .select([
      'tier',
      sql<string>`count(*)`.as('turns'),
      sql<string>`coalesce(sum(tokens_in), 0)`.as('tokens_in'),
      sql<string>`coalesce(sum(tokens_out), 0)`.as('tokens_out'),
      sql<string>`coalesce(sum(cost_micros), 0)`.as('cost_micros'),
    ])
    .where('tenant_id', '=', tenantId)
    .$if(options.from !== undefined, (query) => query.where('created_at', '>=', options.from!))
    .$if(options.to !== undefined, (query) => query.where('created_at', '<', options.to!))
    .groupBy('tier')
    .orderBy('tier')
    .execute();
  const turns = rows.reduce((sum, row) => sum + Number(row.turns), 0);
  const tiers = rows.map((row) => ({
    tier: row.tier,
    turns: Number(row.turns),
    share: turns === 0 ? 0 : Number(row.turns) / turns,
    tokensIn: Number(row.tokens_in),
    tokensOut: Number(row.tokens_out),
    costYuan: Number(row.cost_micros) / 1_000_000,
  }));
  const costYuan = tiers.reduce((sum, tier) => sum + tier.costYuan, 0);
  const llm = tiers.find((tier) => tier.tier === 'llm');
  const measured = llm !== undefined && llm.turns > 0 && llm.costYuan > 0;
  const perTurn = measured
    ? llm.costYuan / llm.turns
    : (ASSUMED_TOKENS.input * options.inputPricePer1k + ASSUMED_TOKENS.output * options.outputPricePer1k) / 1000;
  const allLlmBaselineYuan = perTurn * turns;
  const savingYuan = allLlmBaselineYuan - costYuan;
  return {
    from: options.from?.toISOString() ?? null,
    to: options.to?.toISOString() ?? null,
    turns,
    tiers,
    costYuan,
    allLlmBaselineYuan,
    baselineBasis: measured ? 'measured average of LLM turns' : 'assumed 800 input + 150 output tokens per turn',
    savingYuan,
    savingShare: allLlmBaselineYuan === 0 ? 0 : savingYuan / allLlmBaselineYuan,
  };
}

/** The tenant's price sheet (its pack's `prices`), else the server's configured prices. */
export async function tenantPrices(
  db: Db,
  tenantId: string,
  config: { llm: { inputPricePer1k: number; outputPricePer1k: number } },
) {
  const row = await db.selectFrom('tenants').select(['slug', 'settings']).where('id', '=', tenantId).executeTakeFirst();
  const prices = row ? parseTenantSettings(row.settings, row.slug).prices : undefined;
  return prices
    ? { inputPricePer1k: prices.llm_input_per_1k, outputPricePer1k: prices.llm_output_per_1k }
    : { inputPricePer1k: config.llm.inputPricePer1k, outputPricePer1k: config.llm.outputPricePer1k };
}

export function formatCostReport(report: CostReport, tenant: string): string {
  const yuan = (value: number) => `¥${value.toFixed(4)}`;
  const lines = [
    `Cost report for ${tenant}${report.from || report.to ? ` (${report.from ?? '…'} – ${report.to ?? '…'})` : ''}: ${report.turns} turns`,
    '',
    'tier       turns    share   tokens in  tokens out        cost',
    ...report.tiers.map(
      (tier) =>
        `${tier.tier.padEnd(9)} ${String(tier.turns).padStart(6)} ${(tier.share * 100).toFixed(1).padStart(7)}% ${String(tier.tokensIn).padStart(11)} ${String(tier.tokensOut).padStart(11)} ${yuan(tier.costYuan).padStart(11)}`,
    ),
    '',
    `total cost ${yuan(report.costYuan)}; all-LLM baseline ${yuan(report.allLlmBaselineYuan)} (${report.baselineBasis}); saving ${yuan(report.savingYuan)} (${(report.savingShare * 100).toFixed(1)}%)`,
  ];
  return lines.join('\n');
}

import type { TokenUsage } from '../llm/index.js';

/** Yuan per 1,000 tokens, as a pack or the server's LLM settings state them. */
export interface TokenPrices {
  inputPer1k: number;
  outputPer1k: number;
}

/**
 * What a turn's tokens cost, in millionths of a yuan (an integer, so the ledger sums exactly).
 * The tenant's own prices win over the server's; no prices at all means the turn is free.
 */
export function turnCostMicros(
  usage: TokenUsage,
  tenantPrices: TokenPrices | null,
  serverPrices: TokenPrices | null,
): number {
  const prices = tenantPrices ?? serverPrices;
  if (!prices) return 0;
  return Math.round(usage.inputTokens * prices.inputPer1k * 1000 + usage.outputTokens * prices.outputPer1k * 1000);
}

/** Token counts of several attempts at one turn, added up: every attempt's tokens were spent. */
export function addUsage(total: TokenUsage, more: TokenUsage | undefined): TokenUsage {
  if (!more) return total;
  return { inputTokens: total.inputTokens + more.inputTokens, outputTokens: total.outputTokens + more.outputTokens };
}

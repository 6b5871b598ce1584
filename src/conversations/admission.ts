import type { ChatModel } from '../llm/index.js';
import type { QuotaTracker } from '../metering/index.js';

/** What the tenant's plan lets this turn use, decided before the customer's message is stored. */
export interface TurnAdmission<Llm> {
  /** The LLM tier for this turn; undefined when none is configured or the plan turned it off. */
  llm: Llm | undefined;
  /** Why the LLM tier is off and under which plan, for the trace; null when nothing was limited. */
  limits: { llmOff: string; plan: string } | null;
}

/**
 * Asks the quota tracker whether the turn may run. Over a hard quota it throws (429) before
 * anything is stored; otherwise it may only switch the LLM tier off. Without metering every turn
 * is admitted as configured.
 */
export async function admitTurn<Llm extends { model: ChatModel }>(
  metering: QuotaTracker | undefined,
  tenantId: string,
  llm: Llm | undefined,
): Promise<TurnAdmission<Llm>> {
  if (!metering) return { llm, limits: null };
  const admission = await metering.admit(tenantId, llm?.model.modelId ?? null);
  if (!admission.llmOff) return { llm, limits: null };
  return { llm: undefined, limits: { llmOff: admission.llmOff, plan: admission.plan.slug } };
}

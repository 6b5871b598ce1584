/**
 * The turn pipeline: `runTurn` and its types, the responders it asks, the tenant runtime it reads.
 * @example
 * const decision = await runTurn(await runtimes.get(tenantId), { text: '怎么退货', state }, services);
 * if (decision.route === 'human') openHandoff(decision.handoffReason);
 */
export { runTurn } from './run-turn.js';
export type {
  Citation,
  ClarifyOption,
  DialogueState,
  Route,
  StageTiming,
  Tier,
  TurnDecision,
  TurnInput,
  TurnServices,
  TurnTrace,
} from './turn-types.js';
export { RESPONDERS, answer, firstProposal, handOver } from './responders/index.js';
export type { FirstProposal, Proposal, Responder } from './responders/index.js';
export type { TurnContext } from './turn-context.js';
export { SENSITIVE_DOMAINS, defaultGate, isSensitiveDomain } from './sensitive-domains.js';
export { loadTenantRuntime, TenantRuntimeCache } from './tenant-runtime.js';
export type { TenantRuntime, UnderstanderMode } from './tenant-runtime.js';

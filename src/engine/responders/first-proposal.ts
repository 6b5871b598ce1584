import { performance } from 'node:perf_hooks';
import type { TurnContext } from '../turn-context.js';
import type { Proposal, Responder } from './responder.js';

export interface FirstProposal {
  proposal: Proposal | null;
  /** The responder that proposed, or null when none did. */
  responder: string | null;
  /** Each responder asked, in order, with the time it took. */
  asked: Array<{ name: string; ms: number; proposed: boolean }>;
  /** When the responder that proposed started (performance.now()): the end of routing. */
  proposerStartedAt: number;
}

/** Asks the responders in order and stops at the first proposal. */
export async function firstProposal(responders: readonly Responder[], context: TurnContext): Promise<FirstProposal> {
  const asked: FirstProposal['asked'] = [];
  for (const responder of responders) {
    const started = performance.now();
    const proposal = await responder.propose(context);
    asked.push({ name: responder.name, ms: roundMs(performance.now() - started), proposed: proposal !== null });
    if (proposal) return { proposal, responder: responder.name, asked, proposerStartedAt: started };
  }
  return { proposal: null, responder: null, asked, proposerStartedAt: performance.now() };
}

export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

import { runPlaybook, type Playbook, type PlaybookRunState } from '../../playbooks/index.js';
import type { TurnContext } from '../turn-context.js';
import type { Proposal } from './responder.js';

/**
 * Runs a playbook from `state` and turns its outcome into a proposal: its replies and quick
 * replies, its events, where it stands for the next turn and the slots to remember. A playbook
 * that hands over keeps its own text, which says what happens next.
 */
export async function playbookProposal(
  context: TurnContext,
  playbook: Playbook,
  state: PlaybookRunState,
  newSlots: Record<string, string | number>,
  reason: string,
): Promise<Proposal> {
  const outcome = await runPlaybook(playbook, state, { text: context.input.text, newSlots }, context.playbookContext());
  const handedOver = outcome.status === 'handoff';
  return {
    route: handedOver ? 'human' : 'auto',
    tier: 'playbook',
    text: outcome.replies.map((reply) => reply.text).join('\n\n'),
    quickReplies: outcome.replies.flatMap((reply) => reply.quickReplies),
    reasons: handedOver ? [reason, `playbook handed over: ${outcome.handoff?.reason}`] : [reason],
    events: outcome.events,
    handoffNote: handedOver ? (outcome.handoff?.note ?? null) : null,
    playbook: {
      next: outcome.state,
      remember: outcome.state?.slots ?? { ...state.slots, ...newSlots },
      trace: { name: playbook.name, status: outcome.status, steps: outcome.steps },
    },
  };
}

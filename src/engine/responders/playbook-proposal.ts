import { runPlaybook, type Playbook, type PlaybookRunState } from '../../playbooks/index.js';
import { intentLabel } from '../locales.js';
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
  // Agents read the playbook's hand-over note (written by the pack), never its reason code.
  // (A step without a note reports its reason code as the note: that is no text for a person.)
  const note = outcome.handoff && outcome.handoff.note !== outcome.handoff.reason ? outcome.handoff.note.trim() : '';
  const intent = context.input.state.lastIntent ?? context.intent;
  return {
    route: handedOver ? 'human' : 'auto',
    tier: 'playbook',
    text: outcome.replies.map((reply) => reply.text).join('\n\n'),
    quickReplies: outcome.replies.flatMap((reply) => reply.quickReplies),
    reasons: handedOver ? [reason, `playbook handed over: ${outcome.handoff?.reason}`] : [reason],
    events: outcome.events,
    handoffNote: handedOver ? (outcome.handoff?.note ?? null) : null,
    ...(handedOver
      ? {
          agentReason: note
            ? { key: 'handover.playbook' as const, params: { note } }
            : {
                key: 'handover.playbook_plain' as const,
                params: { intent: intentLabel(context.runtime.locale, context.runtime, intent) },
              },
        }
      : {}),
    playbook: {
      next: outcome.state,
      remember: outcome.state?.slots ?? { ...state.slots, ...newSlots },
      trace: { name: playbook.name, status: outcome.status, steps: outcome.steps },
    },
  };
}

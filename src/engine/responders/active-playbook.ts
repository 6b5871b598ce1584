import { playbookProposal } from './playbook-proposal.js';
import type { Responder } from './responder.js';

/**
 * The paused playbook goes on: the message answers its question, picks one of its quick replies,
 * or changes a slot of the last run ("那分24期呢?"). Whether it does was read with the message.
 */
export const activePlaybook: Responder = {
  name: 'active-playbook',
  async propose(context) {
    const continuation = context.continuation;
    if (!continuation) return null;
    const { playbook, state, newSlots, reason } = continuation;
    const proposal = await playbookProposal(context, playbook, state, newSlots, reason);
    // The turn stays about the intent that started the playbook.
    return { ...proposal, intent: context.input.state.lastIntent ?? context.intent };
  },
};

import { fillSlots, startState, type Playbook } from '../../playbooks/index.js';
import { playbookProposal } from './playbook-proposal.js';
import { intentLabel } from '../locales.js';
import { handOver, type Responder } from './responder.js';

/**
 * The intent names a playbook: start it with the slots the message fills and those remembered from
 * earlier turns (the order number given a moment ago). A playbook that failed validation hands over.
 */
export const playbookStart: Responder = {
  name: 'playbook-start',
  propose(context) {
    const { runtime, intent, intentDefinition, understanding, gate } = context;
    const name = intentDefinition?.playbook;
    if (!name) return null;
    const playbook = runtime.playbooks.get(name);
    if (!playbook) {
      const problem = runtime.problems.find((found) => found.includes(name)) ?? 'missing';
      return handOver(context, `intent ${intent} names playbook ${name}, which is not valid: ${problem}`, {
        key: 'handover.playbook_invalid',
        params: { intent: intentLabel(runtime.locale, runtime, intent) },
      });
    }
    const slots = {
      ...remembered(context.memory, playbook),
      ...fillSlots(playbook.slots, context.input.text, context.entities),
    };
    const reason = `confidence ${understanding.confidence.toFixed(3)} ≥ gate ${gate}: starts playbook ${playbook.name}`;
    return playbookProposal(context, playbook, startState(playbook, slots), {}, reason);
  },
};

/** Remembered slot values the playbook declares (e.g. the order number from an earlier turn). */
function remembered(
  memory: Readonly<Record<string, string | number>>,
  playbook: Playbook,
): Record<string, string | number> {
  return Object.fromEntries(
    playbook.slots.filter((slot) => memory[slot.name] !== undefined).map((slot) => [slot.name, memory[slot.name]]),
  );
}

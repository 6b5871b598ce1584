import { handOver, type Responder } from './responder.js';

/** A hand-over rule fired (转人工, a complaint to a regulator, fraud …): a person takes over at once. */
export const handoverRule: Responder = {
  name: 'handover-rule',
  propose: (context) =>
    context.handover ? handOver(context, `hand-over rule ${context.handover.rule}: ${context.handover.reason}`) : null,
};

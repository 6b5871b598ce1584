import { intentLabel } from '../locales.js';
import { handOver, type Responder } from './responder.js';

/** The tenant routes this intent to a person (挂失, 人工客服 …), however sure the light tier is. */
export const personIntent: Responder = {
  name: 'person-intent',
  propose: (context) =>
    context.intentDefinition?.route === 'human'
      ? handOver(context, `intent ${context.intent} is routed to a person`, {
          key: 'handover.intent_to_person',
          params: { intent: intentLabel(context.runtime.locale, context.runtime, context.intent) },
        })
      : null,
};

import { z } from 'zod';
import { ENDED_SEQ } from '../voice-service.js';
import type { VoiceEvent } from '../voice-types.js';

/**
 * kefu's own provider-neutral webhook: the neutral event as JSON, answered with the neutral
 * actions. For middleware in front of any IVR. Signed with kefu's HMAC (X-Kefu-Signature).
 */
export const genericVoiceEvent = z
  .object({
    callId: z.string().min(1).max(128),
    seq: z.number().int().min(0).max(ENDED_SEQ),
    type: z.enum(['call.started', 'call.answered', 'call.ended', 'turn', 'hold']),
    from: z.string().max(64),
    to: z.string().max(64),
    direction: z.enum(['inbound', 'outbound']).default('inbound'),
    /** The tenant's number; defaults to `to` (inbound) or `from` (outbound). */
    number: z.string().max(64).optional(),
    speech: z
      .object({ text: z.string().max(2000), confidence: z.number().min(0).max(1).optional() })
      .strict()
      .optional(),
    digits: z.string().max(64).optional(),
    reason: z.string().max(100).optional(),
  })
  .strict();
export type GenericVoiceEvent = z.infer<typeof genericVoiceEvent>;

export function parseGeneric(body: GenericVoiceEvent): { number: string; event: VoiceEvent } {
  const number = body.number ?? (body.direction === 'inbound' ? body.to : body.from);
  return {
    number,
    event: {
      provider: 'generic',
      callId: body.callId,
      seq: body.type === 'call.ended' ? ENDED_SEQ : body.seq,
      kind: body.type,
      from: body.from,
      to: body.to,
      direction: body.direction,
      ...(body.speech ? { speech: body.speech } : {}),
      ...(body.digits ? { digits: body.digits } : {}),
      ...(body.reason ? { reason: body.reason } : {}),
    },
  };
}

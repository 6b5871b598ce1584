import { z } from 'zod';

/**
 * Generic CTI events in the style of Zammad's generic CTI API: `newCall`, `answer` and `hangup`,
 * each with the call id, both numbers, the direction (`in` / `out`) and the queue; `hangup`
 * with its cause. kefu accepts them (calls its people answer on the call centre's own
 * telephony) and emits them (calls the voice channel hands to people).
 */
export const ctiEvent = z
  .object({
    event: z.enum(['newCall', 'answer', 'hangup']),
    callId: z.string().min(1).max(128),
    from: z.string().max(64),
    to: z.string().max(64),
    direction: z.enum(['in', 'out']),
    user: z.union([z.string().max(200), z.array(z.string().max(200)).max(20)]).optional(),
    queue: z.string().max(100).optional(),
    cause: z.string().max(100).optional(),
    answeringNumber: z.string().max(64).optional(),
  })
  .strict();
export type CtiEvent = z.infer<typeof ctiEvent>;

/** A CTI event as kefu emits it (the same shape it accepts). */
export function ctiPayload(
  event: CtiEvent['event'],
  call: { callId: string; from: string; to: string; direction: 'inbound' | 'outbound' },
  extra: { queue?: string; cause?: string; answeringNumber?: string; user?: string } = {},
): CtiEvent {
  return {
    event,
    callId: call.callId,
    from: call.from,
    to: call.to,
    direction: call.direction === 'inbound' ? 'in' : 'out',
    ...extra,
  };
}

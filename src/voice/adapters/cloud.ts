import { z } from 'zod';
import { ENDED_SEQ } from '../voice-service.js';
import type { VoiceAction, VoiceEvent } from '../voice-types.js';

/**
 * The JSON callback style of Chinese cloud call centres: each callback names the call, a
 * sequence number, the event and, for a turn, the ASR text with its confidence or the keys; the
 * answer is a list of actions (play TTS or a file, collect, transfer, hang up). Signed with
 * `X-Signature` = base64 HMAC-SHA256 of `timestamp\nnonce\nbody` (headers X-Timestamp, X-Nonce).
 */
export const cloudCallback = z
  .object({
    callId: z.string().min(1).max(128),
    seq: z.number().int().min(0).max(ENDED_SEQ).optional(),
    event: z.enum(['enter', 'answer', 'asr', 'dtmf', 'timeout', 'hold', 'hangup']),
    caller: z.string().max(64),
    callee: z.string().max(64),
    direction: z.enum(['in', 'out']).default('in'),
    asrText: z.string().max(2000).optional(),
    asrConfidence: z.number().min(0).max(100).optional(),
    dtmf: z.string().max(64).optional(),
    hangupCause: z.string().max(100).optional(),
    timestamp: z.number().int().optional(),
  })
  .strict();
export type CloudCallback = z.infer<typeof cloudCallback>;

export function parseCloud(body: CloudCallback): { number: string; event: VoiceEvent } {
  const direction = body.direction === 'out' ? 'outbound' : 'inbound';
  const number = direction === 'inbound' ? body.callee : body.caller;
  const base = {
    provider: 'cloud' as const,
    callId: body.callId,
    from: body.caller,
    to: body.callee,
    direction,
  } as const;
  if (body.event === 'hangup')
    return { number, event: { ...base, seq: ENDED_SEQ, kind: 'call.ended', reason: body.hangupCause ?? 'hangup' } };
  const seq = body.seq ?? 0;
  if (body.event === 'enter' || body.event === 'answer')
    return { number, event: { ...base, seq, kind: body.event === 'enter' ? 'call.started' : 'call.answered' } };
  if (body.event === 'hold') return { number, event: { ...base, seq, kind: 'hold' } };
  const confidence =
    body.asrConfidence === undefined
      ? undefined
      : body.asrConfidence > 1
        ? body.asrConfidence / 100
        : body.asrConfidence;
  return {
    number,
    event: {
      ...base,
      seq,
      kind: 'turn',
      ...(body.event === 'asr' ? { speech: { text: body.asrText ?? '', confidence } } : {}),
      ...(body.event === 'timeout' ? { speech: { text: '' } } : {}),
      ...(body.dtmf ? { digits: body.dtmf } : {}),
    },
  };
}

/** Neutral actions → the cloud call centre's action list. */
export function renderCloud(actions: readonly VoiceAction[]): { code: 0; actions: Array<Record<string, unknown>> } {
  const out: Array<Record<string, unknown>> = [];
  for (const action of actions) {
    switch (action.type) {
      case 'say':
        out.push({ action: 'play', ttsText: action.text, lang: action.language, interruptible: false });
        break;
      case 'play':
        out.push({ action: 'play', fileUrl: action.url, interruptible: false });
        break;
      case 'pause':
        out.push({ action: 'wait', ms: Math.round(action.seconds * 1000) });
        break;
      case 'redirect':
        out.push({ action: 'callback', event: 'hold', seq: action.nextSeq });
        break;
      case 'hangup':
        out.push({ action: 'hangup' });
        break;
      case 'gather':
        for (const prompt of action.prompt)
          out.push(
            prompt.type === 'say'
              ? { action: 'play', ttsText: prompt.text, lang: prompt.language, interruptible: action.bargeIn }
              : { action: 'play', fileUrl: prompt.url, interruptible: action.bargeIn },
          );
        out.push({
          action: 'collect',
          mode: action.input.length === 2 ? 'both' : action.input[0] === 'speech' ? 'asr' : 'dtmf',
          lang: action.language,
          timeoutMs: action.timeoutSeconds * 1000,
          maxDigits: action.maxDigits,
          seq: action.nextSeq,
        });
        break;
      case 'transfer':
        out.push({
          action: 'transfer',
          type: action.target.kind,
          target: action.target.value,
          userData: action.context,
        });
        break;
    }
  }
  return { code: 0, actions: out };
}

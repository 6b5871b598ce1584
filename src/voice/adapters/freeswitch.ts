import { ENDED_SEQ } from '../voice-service.js';
import type { VoiceAction, VoiceEvent } from '../voice-types.js';
import { escapeXml, type CallbackUrl } from './xml.js';

/**
 * A FreeSWITCH mod_httapi request (form parameters) → the neutral event. The dialplan starts it
 * with `httapi` and `{url=…/v1/voice/freeswitch}`; kefu's `action` URLs carry the seq; `exiting`
 * says the channel is hanging up. Collected keys arrive as `kefu_digits`, recognised speech as
 * `kefu_speech` with `kefu_confidence` (0..1 or 0..100).
 */
export function parseFreeswitch(
  params: Record<string, string>,
  query: { seq?: number | undefined; hold?: boolean | undefined },
): { number: string; event: VoiceEvent } {
  const callId = params.session_id ?? params['Unique-ID'] ?? '';
  const from = params['Caller-Caller-ID-Number'] ?? params.caller_id_number ?? '';
  const to = params['Caller-Destination-Number'] ?? params.destination_number ?? '';
  const direction = (params['Call-Direction'] ?? 'inbound') === 'outbound' ? 'outbound' : 'inbound';
  const number = direction === 'inbound' ? to : from;
  const base = { provider: 'freeswitch' as const, callId, from, to, direction } as const;
  if (params.exiting === 'true')
    return {
      number,
      event: { ...base, seq: ENDED_SEQ, kind: 'call.ended', reason: params['Hangup-Cause'] ?? 'hangup' },
    };
  if (query.seq === undefined) return { number, event: { ...base, seq: 0, kind: 'call.started' } };
  if (query.hold) return { number, event: { ...base, seq: query.seq, kind: 'hold' } };
  const rawConfidence = Number(params.kefu_confidence);
  const confidence = Number.isFinite(rawConfidence)
    ? rawConfidence > 1
      ? rawConfidence / 100
      : rawConfidence
    : undefined;
  const speech = params.kefu_speech;
  return {
    number,
    event: {
      ...base,
      seq: query.seq,
      kind: 'turn',
      ...(speech !== undefined ? { speech: { text: speech, confidence } } : {}),
      ...(params.kefu_digits ? { digits: params.kefu_digits } : {}),
    },
  };
}

const VOICES: Record<string, string> = { 'zh-CN': 'zh-CN', 'zh-HK': 'zh-HK', en: 'en-US' };

/** Neutral actions → an httapi document (`<document type="xml/freeswitch-httapi">`). */
export function renderHttapi(actions: readonly VoiceAction[], url: CallbackUrl, callId: string): string {
  const work: string[] = [];
  let next: string | null = null;
  for (const action of actions) {
    switch (action.type) {
      case 'say':
        work.push(`<speak engine="kefu" voice="${VOICES[action.language]}">${escapeXml(action.text)}</speak>`);
        break;
      case 'play':
        work.push(`<playback file="${escapeXml(action.url)}"/>`);
        break;
      case 'pause':
        work.push(`<pause milliseconds="${Math.round(action.seconds * 1000)}"/>`);
        break;
      case 'redirect':
        next = url(action.nextSeq, true);
        break;
      case 'hangup':
        work.push('<hangup cause="NORMAL_CLEARING"/>');
        break;
      case 'gather': {
        const action_ = escapeXml(url(action.nextSeq));
        const text = action.prompt
          .map((entry) => (entry.type === 'say' ? entry.text : ''))
          .filter(Boolean)
          .join(' ');
        const files = action.prompt.filter((entry) => entry.type === 'play');
        for (const file of files) work.push(`<playback file="${escapeXml(file.url)}"/>`);
        const asr = action.input.includes('speech')
          ? ` asr-engine="detect" asr-grammar="kefu" asr-result-name="kefu_speech" asr-confidence-name="kefu_confidence"`
          : '';
        const bind = action.maxDigits <= 1 ? '~\\d' : `~\\d{1,${action.maxDigits}}#`;
        // Barge-in: keys (and speech, with an ASR engine) stop the prompt.
        work.push(
          `<speak name="kefu_digits" action="${action_}" engine="kefu" voice="${VOICES[action.language]}"` +
            ` input-timeout="${action.timeoutSeconds * 1000}" digit-timeout="3000" terminators="#"` +
            ` interruptible="${action.bargeIn ? 'true' : 'false'}"${asr}>${escapeXml(text)}` +
            `<bind strip="#">${bind}</bind></speak>`,
        );
        break;
      }
      case 'transfer': {
        for (const [key, value] of Object.entries(action.context))
          work.push(`<execute application="set" data="${escapeXml(`kefu_${snake(key)}=${value}`)}"/>`);
        const { kind, value } = action.target;
        if (kind === 'queue' || kind === 'skill')
          work.push(`<execute application="callcenter" data="${escapeXml(`${value}@default`)}"/>`);
        else
          work.push(
            `<dial context="default">${escapeXml(kind === 'sip' ? `sofia/external/${value.replace(/^sips?:/i, '')}` : value)}</dial>`,
          );
        break;
      }
    }
  }
  if (next) work.push(`<continue action="${escapeXml(next)}"/>`);
  return (
    `<?xml version="1.0" encoding="UTF-8"?><document type="xml/freeswitch-httapi">` +
    `<params><param name="kefu_call">${escapeXml(callId)}</param></params>` +
    `<work>${work.join('')}</work></document>`
  );
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

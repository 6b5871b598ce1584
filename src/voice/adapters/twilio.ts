import { ENDED_SEQ } from '../voice-service.js';
import type { VoiceLanguage } from '../speech-text.js';
import type { VoiceAction, VoiceEvent } from '../voice-types.js';
import { escapeXml, type CallbackUrl } from './xml.js';

const ENDED_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/** Twilio's <Say> languages (the brief's zh-CN, zh-HK and en-US). */
const SAY_LANGUAGE: Record<VoiceLanguage, string> = { 'zh-CN': 'zh-CN', 'zh-HK': 'zh-HK', en: 'en-US' };
/** Twilio's speech-recognition languages for <Gather>. */
const GATHER_LANGUAGE: Record<VoiceLanguage, string> = { 'zh-CN': 'cmn-Hans-CN', 'zh-HK': 'yue-Hant-HK', en: 'en-US' };

/**
 * A Twilio voice webhook (form parameters) → the neutral event. The first request of a call has
 * no `seq` in its URL (call.started); kefu's <Gather action> and <Redirect> URLs carry it; the
 * status callback reports the end.
 */
export function parseTwilio(
  params: Record<string, string>,
  query: { seq?: number | undefined; hold?: boolean | undefined },
): { number: string; event: VoiceEvent } {
  const direction = (params.Direction ?? 'inbound').startsWith('outbound') ? 'outbound' : 'inbound';
  const from = params.From ?? '';
  const to = params.To ?? '';
  const base = { provider: 'twilio' as const, callId: params.CallSid ?? '', from, to, direction } as const;
  const number = direction === 'inbound' ? to : from;
  const status = params.CallStatus ?? '';
  if (ENDED_STATUSES.has(status))
    return { number, event: { ...base, seq: ENDED_SEQ, kind: 'call.ended', reason: status } };
  if (query.seq === undefined) return { number, event: { ...base, seq: 0, kind: 'call.started' } };
  if (query.hold) return { number, event: { ...base, seq: query.seq, kind: 'hold' } };
  const confidence =
    params.Confidence !== undefined && params.Confidence !== '' ? Number(params.Confidence) : undefined;
  return {
    number,
    event: {
      ...base,
      seq: query.seq,
      kind: 'turn',
      ...(params.SpeechResult !== undefined
        ? { speech: { text: params.SpeechResult, confidence: Number.isFinite(confidence) ? confidence : undefined } }
        : {}),
      ...(params.Digits ? { digits: params.Digits } : {}),
    },
  };
}

/** Neutral actions → TwiML. */
export function renderTwiml(actions: readonly VoiceAction[], url: CallbackUrl): string {
  const body = actions.map((action) => twimlVerb(action, url)).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}

function twimlVerb(action: VoiceAction, url: CallbackUrl): string {
  switch (action.type) {
    case 'say':
      return `<Say language="${SAY_LANGUAGE[action.language]}">${escapeXml(action.text)}</Say>`;
    case 'play':
      return `<Play>${escapeXml(action.url)}</Play>`;
    case 'pause':
      return `<Pause length="${Math.max(1, Math.round(action.seconds))}"/>`;
    case 'redirect':
      return `<Redirect method="POST">${escapeXml(url(action.nextSeq, true))}</Redirect>`;
    case 'hangup':
      return '<Hangup/>';
    case 'gather': {
      const prompt = action.prompt.map((entry) => twimlVerb(entry, url)).join('');
      const attributes = [
        `input="${action.input.join(' ')}"`,
        `action="${escapeXml(url(action.nextSeq))}"`,
        'method="POST"',
        `language="${GATHER_LANGUAGE[action.language]}"`,
        `timeout="${action.timeoutSeconds}"`,
        'speechTimeout="auto"',
        action.maxDigits <= 1 ? 'numDigits="1"' : 'finishOnKey="#"',
        'actionOnEmptyResult="true"',
      ].join(' ');
      // Twilio's barge-in: prompts nested in <Gather> stop when the caller speaks or presses.
      return action.bargeIn ? `<Gather ${attributes}>${prompt}</Gather>` : `${prompt}<Gather ${attributes}></Gather>`;
    }
    case 'transfer': {
      if (action.target.kind === 'queue' || action.target.kind === 'skill')
        return `<Enqueue>${escapeXml(action.target.value)}</Enqueue>`;
      const headers = new URLSearchParams(
        Object.entries(action.context).map(([key, value]): [string, string] => [`X-Kefu-${key}`, value]),
      ).toString();
      const noun =
        action.target.kind === 'sip'
          ? `<Sip>${escapeXml(`${action.target.value}${action.target.value.includes('?') ? '&' : '?'}${headers}`)}</Sip>`
          : `<Number>${escapeXml(action.target.value)}</Number>`;
      return `<Dial>${noun}</Dial>`;
    }
  }
}

/**
 * The voice channel (docs/voice.md): a provider-neutral core that turns call events and speech
 * turns into actions through the same turn pipeline as text, the adapters for Twilio, FreeSWITCH
 * mod_httapi, cloud call centres' JSON callbacks and generic CTI events, and text for the ear.
 */
export { VoiceService, ENDED_SEQ, parseTarget } from './voice-service.js';
export type { VoiceServiceDeps } from './voice-service.js';
export type { VoiceAction, VoiceEvent, VoiceNumber, VoiceResponse, VoiceCallState } from './voice-types.js';
export type { VoiceDatabase, VoiceProvider } from './voice-tables.js';
export { toSpeechText, menuPrompt, spokenAmounts, stripMarkup, type VoiceLanguage } from './speech-text.js';
export { normalizePhone } from './phone-number.js';
export {
  basicAuthorization,
  cloudSignature,
  kefuSignature,
  safeEqual,
  twilioSignature,
  verifyTwilioSignature,
} from './signatures.js';
export { checkReplay, pruneNonces, REPLAY_WINDOW_SECONDS } from './replay-guard.js';
export { parseTwilio, renderTwiml } from './adapters/twilio.js';
export { parseFreeswitch, renderHttapi } from './adapters/freeswitch.js';
export { cloudCallback, parseCloud, renderCloud, type CloudCallback } from './adapters/cloud.js';
export { genericVoiceEvent, parseGeneric, type GenericVoiceEvent } from './adapters/generic.js';
export { ctiEvent, ctiPayload, type CtiEvent } from './adapters/cti.js';

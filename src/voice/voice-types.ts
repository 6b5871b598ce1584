import type { VoiceLanguage } from './speech-text.js';
import type { VoiceProvider } from './voice-tables.js';

/**
 * A provider-neutral call event, as every adapter hands it to the voice core. `seq` orders the
 * events of one call and makes delivery idempotent: the same call id and seq always gets the
 * same answer, however often a platform retries it.
 */
export interface VoiceEvent {
  provider: VoiceProvider;
  callId: string;
  seq: number;
  kind: 'call.started' | 'call.answered' | 'call.ended' | 'turn' | 'hold';
  from: string;
  to: string;
  direction: 'inbound' | 'outbound';
  /** What the caller said, with the recogniser's confidence (0..1); absent or empty = nothing heard. */
  speech?: { text: string; confidence?: number | undefined } | undefined;
  /** Keys pressed (0-9, * and #). */
  digits?: string | undefined;
  /** Why the call ended, as the platform says it (completed, busy, no-answer, caller-hangup…). */
  reason?: string | undefined;
  /** A CTI event of a call the call centre's own people handle: recorded, never answered by the bot. */
  cti?: { queue?: string | undefined; user?: string | undefined } | undefined;
}

export type SayAction = { type: 'say'; text: string; language: VoiceLanguage; ssml?: string };
export type PlayAction = { type: 'play'; url: string };

/** What kefu tells the platform to do next, in order. */
export type VoiceAction =
  | SayAction
  | PlayAction
  | {
      type: 'gather';
      input: Array<'speech' | 'dtmf'>;
      /** Said or played while listening; with bargeIn the caller may interrupt it. */
      prompt: Array<SayAction | PlayAction>;
      bargeIn: boolean;
      /** Seconds of silence before the gather gives up (the platform then sends an empty turn). */
      timeoutSeconds: number;
      /** Keys that end input at once (a menu of n options takes one key). */
      maxDigits: number;
      language: VoiceLanguage;
      /** Seq of the event the platform sends with what it gathered. */
      nextSeq: number;
    }
  | { type: 'pause'; seconds: number }
  /** Hold: come back with a `hold` event of seq `nextSeq` (music or a pause before it). */
  | { type: 'redirect'; nextSeq: number }
  | {
      type: 'transfer';
      target: { kind: 'queue' | 'skill' | 'sip' | 'phone'; value: string };
      /** Who and what the call is about, for the receiving side's screen pop. */
      context: Record<string, string>;
    }
  | { type: 'hangup' };

export interface VoiceResponse {
  actions: VoiceAction[];
  /** Tenant and call, for adapters and logs; never rendered to the platform. */
  tenantId: string | null;
  conversationId: string | null;
  /** `answered` (new), `duplicate` (stored answer replayed), `stale`, `ended`, `unknown-number`. */
  outcome: string;
}

/** What a call remembers between events (stored as JSON on the call). */
export interface VoiceCallState {
  /** The options of the keypad menu being offered (index 0 = key 1). */
  menu?: string[];
  /** Amount spoken with the menu: an option chosen from it is confirmed first. */
  menuAmount?: string;
  /** An option chosen that waits for the caller's confirmation (key 1 yes, 2 no). */
  confirm?: string;
  /** Consecutive turns heard with too little confidence. */
  lowConfidence?: number;
  /** Consecutive turns where nothing was heard. */
  silences?: number;
  /** Whether key 0 hands over (offered after a second unclear turn). */
  personOffered?: boolean;
  /** The last thing asked, said again when needed. */
  lastPrompt?: string;
  /** Hand-off: the place in line last told to the caller. */
  toldPosition?: number | null;
  callbackOffered?: boolean;
  /** A callback menu is waiting for its key. */
  callbackMenu?: boolean;
  holdPolls?: number;
  /** The hand-off queue the call waits in. */
  queue?: string;
}

export interface VoiceNumber {
  id: string;
  tenantId: string;
  number: string;
  provider: VoiceProvider;
  secret: string;
  language: VoiceLanguage;
  transferTarget: string | null;
  minConfidence: number;
  /** Where kefu posts CTI events of the calls it hands to people; null = none. */
  ctiUrl: string | null;
  /** The owning tenant's name, for the greeting (read with the number, cached with it). */
  tenantName?: string;
}

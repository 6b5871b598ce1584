import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { basicAuthorization, cloudSignature, kefuSignature, twilioSignature } from '../../src/voice/index.js';

/**
 * Protocol-level simulators of the telephony platforms, as a test drives them: each sends what
 * its platform sends (form posts with X-Twilio-Signature, mod_httapi posts with basic auth, signed
 * JSON callbacks) to a kefu listening on 127.0.0.1, and reads the answer the way the platform
 * does (TwiML verbs, httapi work items, cloud action lists), following gathers and hold loops.
 */

/** What the caller heard and what the platform was told to do next, after one request. */
export interface Heard {
  status: number;
  /** Everything spoken, in order. */
  said: string[];
  /** The platform waits for speech and/or keys. */
  gather: { input: string[]; maxDigits: number } | null;
  /** Hold: the platform comes back for the next step by itself. */
  hold: boolean;
  transfer: { kind: string; target: string; context: Record<string, string> } | null;
  hungUp: boolean;
  /** The raw body, for assertions on the wire format. */
  raw: string;
  problem?: { code: string; detail: string } | undefined;
}

export interface SimulatedCall {
  readonly callId: string;
  start(): Promise<Heard>;
  say(text: string, confidence?: number): Promise<Heard>;
  press(digits: string): Promise<Heard>;
  silence(): Promise<Heard>;
  /** Follows a hold loop once (the redirect / continue / callback the platform was told to do). */
  poll(): Promise<Heard>;
  hangup(): Promise<Heard>;
  /** Sends the last request again, byte for byte (a platform retry). */
  retry(): Promise<Heard>;
}

export interface Platform {
  call(from: string, to: string): SimulatedCall;
}

function problemOf(status: number, raw: string): Heard['problem'] {
  if (status < 400) return undefined;
  try {
    const body = JSON.parse(raw) as { code: string; detail: string };
    return { code: body.code, detail: body.detail };
  } catch {
    return { code: 'unparsed', detail: raw.slice(0, 200) };
  }
}

const empty = (status: number, raw: string): Heard => ({
  status,
  said: [],
  gather: null,
  hold: false,
  transfer: null,
  hungUp: false,
  raw,
  problem: problemOf(status, raw),
});

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  preserveOrder: true,
  trimValues: false,
});
type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

function textOf(children: unknown): string {
  if (!Array.isArray(children)) return '';
  return children.map((child: Node) => (typeof child['#text'] === 'string' ? child['#text'] : '')).join('');
}

/** Twilio: posts form parameters signed with the auth token, reads TwiML. */
export function twilioPlatform(baseUrl: string, authToken: string): Platform {
  return {
    call(from, to) {
      const callId = `CA${randomUUID().replace(/-/g, '')}`;
      let next: string = `${baseUrl}/v1/voice/twilio`;
      let last: { url: string; params: Record<string, string> } | null = null;
      const post = async (url: string, extra: Record<string, string>): Promise<Heard> => {
        const params = { CallSid: callId, From: from, To: to, Direction: 'inbound', AccountSid: 'AC0', ...extra };
        last = { url, params };
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilioSignature(authToken, url, params),
          },
          body: new URLSearchParams(params).toString(),
        });
        const raw = await response.text();
        if (response.status >= 400) return empty(response.status, raw);
        const heard = empty(response.status, raw);
        const document = xml.parse(raw) as Node[];
        const root = document.find((node) => 'Response' in node);
        const walk = (nodes: Node[]) => {
          for (const node of nodes) {
            const [name] = Object.keys(node).filter((key) => key !== ':@');
            const attributes = node[':@'] ?? {};
            const children = node[name!] as Node[];
            if (name === 'Say') heard.said.push(textOf(children));
            else if (name === 'Gather') {
              walk(children);
              heard.gather = {
                input: (attributes['@input'] ?? '').split(' '),
                maxDigits: attributes['@numDigits'] ? Number(attributes['@numDigits']) : 20,
              };
              next = attributes['@action']!;
            } else if (name === 'Redirect') {
              heard.hold = true;
              next = textOf(children);
            } else if (name === 'Hangup') heard.hungUp = true;
            else if (name === 'Enqueue') heard.transfer = { kind: 'queue', target: textOf(children), context: {} };
            else if (name === 'Dial') {
              const noun = children.find((child) => 'Sip' in child || 'Number' in child)!;
              const kind = 'Sip' in noun ? 'sip' : 'phone';
              const target = textOf(noun[kind === 'sip' ? 'Sip' : 'Number']);
              const [uri, query] = target.split('?');
              heard.transfer = {
                kind,
                target: uri!,
                context: Object.fromEntries(
                  [...new URLSearchParams(query ?? '')].map(([key, value]) => [key.replace(/^X-Kefu-/, ''), value]),
                ),
              };
            }
          }
        };
        walk((root?.Response as Node[]) ?? []);
        return heard;
      };
      return {
        callId,
        start: () => post(next, { CallStatus: 'ringing' }),
        say: (text, confidence = 0.92) =>
          post(next, { CallStatus: 'in-progress', SpeechResult: text, Confidence: String(confidence) }),
        press: (digits) => post(next, { CallStatus: 'in-progress', Digits: digits }),
        silence: () => post(next, { CallStatus: 'in-progress' }),
        poll: () => post(next, { CallStatus: 'in-progress' }),
        hangup: () => post(`${baseUrl}/v1/voice/twilio`, { CallStatus: 'completed', CallDuration: '42' }),
        retry: () => post(last!.url, last!.params),
      };
    },
  };
}

/** FreeSWITCH mod_httapi: posts channel data with basic auth, reads httapi documents. */
export function freeswitchPlatform(baseUrl: string, password: string): Platform {
  return {
    call(from, to) {
      const callId = randomUUID();
      let next = `${baseUrl}/v1/voice/freeswitch`;
      let last: { url: string; params: Record<string, string> } | null = null;
      const post = async (url: string, extra: Record<string, string>): Promise<Heard> => {
        const params = {
          session_id: callId,
          hostname: 'fs1',
          'Caller-Caller-ID-Number': from,
          'Caller-Destination-Number': to,
          'Call-Direction': 'inbound',
          ...extra,
        };
        last = { url, params };
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: basicAuthorization('freeswitch', password),
          },
          body: new URLSearchParams(params).toString(),
        });
        const raw = await response.text();
        const heard = empty(response.status, raw);
        if (response.status >= 400) return heard;
        const document = xml.parse(raw) as Node[];
        const root = (document.find((node) => 'document' in node)?.document as Node[]) ?? [];
        const work = (root.find((node) => 'work' in node)?.work as Node[]) ?? [];
        const variables: Record<string, string> = {};
        for (const node of work) {
          const [name] = Object.keys(node).filter((key) => key !== ':@');
          const attributes = node[':@'] ?? {};
          const children = node[name!] as Node[];
          if (name === 'speak') {
            const text = textOf(children);
            if (text) heard.said.push(text);
            if (attributes['@action']) {
              next = attributes['@action'];
              const bind = textOf(children.find((child) => 'bind' in child)?.bind);
              heard.gather = {
                input: attributes['@asr-engine'] ? ['speech', 'dtmf'] : ['dtmf'],
                maxDigits: bind === '~\\d' ? 1 : 20,
              };
            }
          } else if (name === 'continue') {
            heard.hold = true;
            next = attributes['@action']!;
          } else if (name === 'hangup') heard.hungUp = true;
          else if (name === 'execute' && attributes['@application'] === 'set') {
            const [key, ...value] = attributes['@data']!.split('=');
            variables[key!.replace(/^kefu_/, '')] = value.join('=');
          } else if (name === 'execute' && attributes['@application'] === 'callcenter') {
            heard.transfer = { kind: 'queue', target: attributes['@data']!, context: variables };
          } else if (name === 'dial') {
            const target = textOf(children);
            heard.transfer = {
              kind: target.startsWith('sofia/') ? 'sip' : 'phone',
              target: target.replace(/^sofia\/external\//, 'sip:'),
              context: variables,
            };
          }
        }
        return heard;
      };
      return {
        callId,
        start: () => post(next, {}),
        say: (text, confidence = 0.92) => post(next, { kefu_speech: text, kefu_confidence: String(confidence * 100) }),
        press: (digits) => post(next, { kefu_digits: digits }),
        silence: () => post(next, {}),
        poll: () => post(next, {}),
        hangup: () => post(`${baseUrl}/v1/voice/freeswitch`, { exiting: 'true', 'Hangup-Cause': 'NORMAL_CLEARING' }),
        retry: () => post(last!.url, last!.params),
      };
    },
  };
}

/** A cloud call centre: signed JSON callbacks, reads action lists. */
export function cloudPlatform(
  baseUrl: string,
  secret: string,
): Platform & {
  send(body: Record<string, unknown>, headers?: Record<string, string>): Promise<Heard>;
} {
  const send = async (body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Heard> => {
    const raw = JSON.stringify(body);
    const timestamp = headers['x-timestamp'] ?? String(Math.floor(Date.now() / 1000));
    const nonce = headers['x-nonce'] ?? randomUUID();
    const response = await fetch(`${baseUrl}/v1/voice/cloud`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-timestamp': timestamp,
        'x-nonce': nonce,
        'x-signature': headers['x-signature'] ?? cloudSignature(secret, timestamp, nonce, raw),
      },
      body: raw,
    });
    const text = await response.text();
    const heard = empty(response.status, text);
    if (response.status >= 400) return heard;
    const answer = JSON.parse(text) as { actions: Array<Record<string, unknown>> };
    for (const action of answer.actions) {
      if (action.action === 'play' && typeof action.ttsText === 'string') heard.said.push(action.ttsText);
      if (action.action === 'collect') {
        heard.gather = {
          input: action.mode === 'both' ? ['speech', 'dtmf'] : [String(action.mode)],
          maxDigits: Number(action.maxDigits),
        };
        (heard as Heard & { nextSeq?: number }).nextSeq = Number(action.seq);
      }
      if (action.action === 'callback') {
        heard.hold = true;
        (heard as Heard & { nextSeq?: number }).nextSeq = Number(action.seq);
      }
      if (action.action === 'hangup') heard.hungUp = true;
      if (action.action === 'transfer')
        heard.transfer = {
          kind: String(action.type),
          target: String(action.target),
          context: action.userData as Record<string, string>,
        };
    }
    return heard;
  };
  return {
    send,
    call(from, to) {
      const callId = randomUUID();
      let seq = 0;
      let lastBody: Record<string, unknown> | null = null;
      const post = async (body: Record<string, unknown>) => {
        lastBody = { callId, caller: from, callee: to, direction: 'in', ...body };
        const heard = await send(lastBody);
        const nextSeq = (heard as Heard & { nextSeq?: number }).nextSeq;
        if (nextSeq !== undefined) seq = nextSeq;
        return heard;
      };
      return {
        callId,
        start: () => post({ event: 'enter', seq: 0 }),
        say: (text, confidence = 0.92) => post({ event: 'asr', seq, asrText: text, asrConfidence: confidence * 100 }),
        press: (digits) => post({ event: 'dtmf', seq, dtmf: digits }),
        silence: () => post({ event: 'timeout', seq }),
        poll: () => post({ event: 'hold', seq }),
        hangup: () => post({ event: 'hangup', hangupCause: 'caller' }),
        // A retry is signed anew (a fresh nonce), as a platform's retry is.
        retry: () => send(lastBody!),
      };
    },
  };
}

/** kefu's own neutral webhook: signed JSON events, neutral actions back. */
export function genericPlatform(
  baseUrl: string,
  secret: string,
): Platform & {
  send(path: string, body: Record<string, unknown>): Promise<Heard & { json: any }>;
} {
  const send = async (path: string, body: Record<string, unknown>): Promise<Heard & { json: any }> => {
    const raw = JSON.stringify(body);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomUUID();
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-kefu-timestamp': timestamp,
        'x-kefu-nonce': nonce,
        'x-kefu-signature': kefuSignature(secret, timestamp, nonce, raw),
      },
      body: raw,
    });
    const text = await response.text();
    const heard = { ...empty(response.status, text), json: null as any };
    if (response.status >= 400) return heard;
    heard.json = JSON.parse(text);
    for (const action of (heard.json.actions ?? []) as Array<any>) {
      if (action.type === 'say') heard.said.push(action.text);
      if (action.type === 'gather') {
        heard.said.push(...action.prompt.filter((entry: any) => entry.type === 'say').map((entry: any) => entry.text));
        heard.gather = { input: action.input, maxDigits: action.maxDigits };
        heard.json.nextSeq = action.nextSeq;
      }
      if (action.type === 'redirect') {
        heard.hold = true;
        heard.json.nextSeq = action.nextSeq;
      }
      if (action.type === 'hangup') heard.hungUp = true;
      if (action.type === 'transfer')
        heard.transfer = { kind: action.target.kind, target: action.target.value, context: action.context };
    }
    return heard;
  };
  return {
    send,
    call(from, to) {
      const callId = randomUUID();
      let seq = 0;
      let lastBody: Record<string, unknown> | null = null;
      const post = async (body: Record<string, unknown>) => {
        lastBody = { callId, from, to, direction: 'inbound', ...body };
        const heard = await send('/v1/voice/events', lastBody);
        if (heard.json?.nextSeq !== undefined) seq = heard.json.nextSeq;
        return heard;
      };
      return {
        callId,
        start: () => post({ type: 'call.started', seq: 0 }),
        say: (text, confidence = 0.92) => post({ type: 'turn', seq, speech: { text, confidence } }),
        press: (digits) => post({ type: 'turn', seq, digits }),
        silence: () => post({ type: 'turn', seq, speech: { text: '' } }),
        poll: () => post({ type: 'hold', seq }),
        hangup: () => post({ type: 'call.ended', seq: 0, reason: 'caller-hangup' }),
        retry: () => send('/v1/voice/events', lastBody!),
      };
    },
  };
}

/** A CTI receiver on 127.0.0.1: records the signed events kefu posts. */
export async function startCtiReceiver(): Promise<{
  url: string;
  received: Array<{ body: any; headers: IncomingMessage['headers']; raw: string }>;
  close(): Promise<void>;
}> {
  const received: Array<{ body: any; headers: IncomingMessage['headers']; raw: string }> = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ body: JSON.parse(raw), headers: request.headers, raw });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cti`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

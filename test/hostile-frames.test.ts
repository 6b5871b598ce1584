// ci: embedded only (it checks the embedded default and skips itself on PostgreSQL; .ci/run runs it embedded on both Node versions)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SseClient, startKefuProcess, type KefuProcess } from './support/kefu-process.js';
import { frameText } from './support/socket-text.js';

/**
 * No frame brings a node down. A real `kefu serve` process gets every frame type of every socket
 * (agent console, widget) with hostile values, and every stream (SSE) with hostile resume points;
 * afterwards the process is alive, answers /healthz, and the same sockets still answer a ping.
 */

const HUGE_SEQ = '9999999999999999999'; // above PostgreSQL's bigint
const hostileSeqs: unknown[] = [
  '1',
  HUGE_SEQ,
  '9223372036854775808',
  '-1',
  '1e3',
  '',
  1,
  -1,
  1.5,
  null,
  true,
  {},
  [],
  'NaN',
  '0x10',
];
const hostileIds: unknown[] = [
  randomUUID(),
  'not-a-uuid',
  '',
  null,
  42,
  {},
  ['x'],
  '00000000-0000-0000-0000-000000000000',
  "'; drop table messages; --",
];
const hostileTexts: unknown[] = [
  '\u0000',
  'a\ud800b',
  '\udfff',
  '退款\u0000多久',
  'x'.repeat(250_000),
  '',
  null,
  7,
  { text: 'x' },
  ['x'],
];
const hostileBooleans: unknown[] = ['true', 1, null, {}, 'yes'];
const hostilePresence: unknown[] = ['busy', '', null, 1, ['online'], { presence: 'online' }];

function product(base: Record<string, unknown>, field: string, values: unknown[]): Array<Record<string, unknown>> {
  return values.map((value) => ({ ...base, [field]: value }));
}

/** Every frame type with each field set to each hostile value, plus frames no schema knows. */
function agentFrames(ownConversation: string): unknown[] {
  const conversations = [...hostileIds, ownConversation];
  return [
    ...conversations.flatMap((conversationId) => product({ type: 'read.update', conversationId }, 'seq', hostileSeqs)),
    ...conversations.flatMap((conversationId) =>
      product({ type: 'typing.update', conversationId }, 'active', [...hostileBooleans, true, false]),
    ),
    ...product({ type: 'presence.update' }, 'presence', [...hostilePresence, 'online', 'offline']),
    ...conversations.flatMap((conversationId) =>
      product({ type: 'conversation.subscribe', conversationId }, 'afterSeq', hostileSeqs),
    ),
    ...product({ type: 'conversation.unsubscribe' }, 'conversationId', conversations),
    ...conversations.flatMap((conversationId) =>
      product({ type: 'message.create', conversationId, clientId: randomUUID() }, 'text', hostileTexts),
    ),
    ...product({ type: 'message.create', conversationId: ownConversation, text: 'hi' }, 'clientId', [
      ...hostileIds,
      'x'.repeat(500),
    ]),
    ...product({ type: 'message.create', conversationId: ownConversation, text: 'hi', clientId: 'c' }, 'visibility', [
      'secret',
      null,
      1,
    ]),
    { type: 'ping', extra: 1 },
    { type: 'nope' },
    { type: null },
    { __proto__: { type: 'ping' } },
    { constructor: { prototype: { polluted: true } }, type: 'ping' },
    [],
    null,
    42,
    'ping',
  ];
}

function widgetFrames(): unknown[] {
  return [
    ...product({ type: 'read.update' }, 'seq', hostileSeqs),
    ...product({ type: 'typing.update' }, 'active', hostileBooleans),
    ...product({ type: 'stream.resume' }, 'afterSeq', hostileSeqs),
    ...product(
      { type: 'message.create', clientId: 'c' },
      'text',
      hostileTexts.filter((text) => typeof text !== 'string' || text.length < 1000),
    ),
    ...product({ type: 'message.create', text: 'hi' }, 'clientId', [...hostileIds, 'x'.repeat(500)]),
    { type: 'ping', extra: 1 },
    { type: 'nope' },
    { __proto__: { type: 'ping' } },
    [],
    null,
  ];
}

/** Opens a socket, waits for `ready` to hold on its frames, sends every frame (as JSON, plus raw junk). */
async function openSocket(url: string, ready: (frame: any) => boolean, pingFirst = false) {
  const socket = new WebSocket(url);
  const frames: any[] = [];
  let closedWith: number | null = null;
  socket.on('message', (data) => frames.push(JSON.parse(frameText(data))));
  socket.on('close', (code) => (closedWith = code));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const until = async (check: () => boolean, what: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; last frames ${JSON.stringify(frames.slice(-3)).slice(0, 600)}`);
      if (closedWith !== null) throw new Error(`the socket closed (${closedWith}) while waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  if (pingFirst) socket.send(JSON.stringify({ type: 'ping' }));
  await until(() => frames.some(ready), 'the socket to be ready');
  return {
    frames,
    closed: () => closedWith,
    until,
    async flood(list: unknown[]) {
      for (const frame of list) socket.send(JSON.stringify(frame));
      socket.send('{not json');
      socket.send(Buffer.from([0xff, 0xfe, 0x00]));
      socket.send(Buffer.from([1, 2, 3]), { binary: true });
    },
    async ping() {
      const pongs = frames.filter((frame) => frame.type === 'pong').length;
      socket.send(JSON.stringify({ type: 'ping' }));
      await until(() => frames.filter((frame) => frame.type === 'pong').length > pongs, 'a pong');
    },
    close: () => socket.terminate(),
  };
}

// The embedded default (PGlite in a data folder) is what this checks; the PostgreSQL pass of CI skips it.
const onPostgres = Boolean(process.env.DATABASE_URL);

describe.skipIf(onPostgres)('hostile frames on every socket', () => {
  let kefu: KefuProcess;
  let dataDir: string;

  beforeAll(async () => {
    if (onPostgres) return;
    dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-hostile-'));
    kefu = await startKefuProcess({ KEFU_DATA_DIR: dataDir, KEFU_DEMO: 'true', DATABASE_URL: '' });
  }, 180_000);
  afterAll(async () => {
    await kefu?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('leave the node up, answering, with each connection still usable', async () => {
    const password = /Demo agent\s+shop-zh\s+(\S+)\s+password: (\S+)/.exec(kefu.output());
    expect(password, kefu.output().slice(-2000)).not.toBeNull();
    const login = await fetch(`${kefu.baseUrl}/v1/agent/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'shop-zh', email: password![1], password: password![2] }),
    });
    expect(login.status).toBe(201);
    const { token } = (await login.json()) as { token: string };

    const session = await fetch(`${kefu.baseUrl}/widget/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'shop-zh' }),
    });
    expect(session.status).toBe(201);
    const widget = (await session.json()) as { token: string; conversationId: string };

    const ws = kefu.baseUrl.replace(/^http/, 'ws');
    const agentSocket = await openSocket(
      `${ws}/v1/agent/ws?token=${encodeURIComponent(token)}`,
      (frame) => frame.type === 'session.ready',
    );
    const widgetSocket = await openSocket(
      `${ws}/widget/v1/ws?${new URLSearchParams({ token: widget.token, conversationId: widget.conversationId }).toString()}`,
      (frame) => frame.type === 'pong',
      true,
    );

    await agentSocket.flood(agentFrames(widget.conversationId));
    await widgetSocket.flood(widgetFrames());

    // Streams with hostile resume points: a clear 400, or a stream; never a crash.
    const apiKey = kefu.keys.get('shop-zh')!;
    for (const after of hostileSeqs.filter((value): value is string => typeof value === 'string')) {
      const response = await fetch(
        `${kefu.baseUrl}/v1/conversations/${widget.conversationId}/stream?after=${encodeURIComponent(after)}`,
        {
          headers: { authorization: `Bearer ${apiKey}` },
          signal: AbortSignal.timeout(5000),
        },
      ).catch(() => null);
      expect(response === null || response.status === 200 || response.status === 400).toBe(true);
      if (response?.status === 200) await response.body?.cancel();
      if (response && response.status !== 200) expect(response.headers.get('content-type')).toContain('problem+json');
      const resumed = await fetch(`${kefu.baseUrl}/v1/conversations/${widget.conversationId}/stream`, {
        headers: { authorization: `Bearer ${apiKey}`, 'last-event-id': after },
        signal: AbortSignal.timeout(5000),
      }).catch(() => null);
      expect(resumed === null || resumed.status === 200 || resumed.status === 400).toBe(true);
      if (resumed?.status === 200) await resumed.body?.cancel();
    }
    const listed = await fetch(`${kefu.baseUrl}/v1/conversations/${widget.conversationId}/messages?after=${HUGE_SEQ}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(listed.status).toBe(400);

    // Every frame has been answered once both sockets answer a ping sent after them.
    await agentSocket.ping();
    await widgetSocket.ping();
    expect(agentSocket.closed()).toBeNull();
    expect(widgetSocket.closed()).toBeNull();
    // Hostile values get clear errors (a stable code), not internal failures.
    const internal = [...agentSocket.frames, ...widgetSocket.frames].filter(
      (frame) => frame.type === 'error' && frame.code === 'CS_INTERNAL',
    );
    expect(internal).toEqual([]);

    const stream = await SseClient.open(`${kefu.baseUrl}/v1/conversations/${widget.conversationId}/stream`, {
      authorization: `Bearer ${apiKey}`,
    });
    await stream.close();
    expect(kefu.child.exitCode).toBeNull();
    expect((await fetch(`${kefu.baseUrl}/healthz`)).status).toBe(200);
    expect(kefu.output()).not.toMatch(/socket frame failed|unhandledRejection|Unhandled/i);
    agentSocket.close();
    widgetSocket.close();
  }, 120_000);
});

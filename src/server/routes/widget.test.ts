import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { frameText } from '../../../test/support/socket-text.js';
import { createTestKefu, type TestKefu } from '../../../test/support/test-kefu.js';

let kefu: TestKefu;
let base: string;

beforeAll(async () => {
  kefu = await createTestKefu();
  base = await kefu.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => kefu?.dispose());

async function session(tenant: string, extra: Record<string, unknown> = {}) {
  const response = await fetch(`${base}/widget/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, ...extra }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { token: string; conversationId: string; contactId: string; visitorId: string };
}

/** A WebSocket client that records every event it receives. */
async function connect(token: string, conversationId: string, after?: string) {
  const url = new URL('/widget/v1/ws', base.replace('http', 'ws'));
  url.searchParams.set('token', token);
  url.searchParams.set('conversationId', conversationId);
  if (after) url.searchParams.set('after', after);
  const socket = new WebSocket(url);
  const events: any[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    events.push(JSON.parse(frameText(data)));
    for (const wake of waiters.splice(0)) wake();
  });
  let closeCode: number | null = null;
  socket.on('close', (code) => {
    closeCode = code;
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const until = async (predicate: (events: any[]) => boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(events)) {
      if (Date.now() > deadline) throw new Error(`timed out; events: ${JSON.stringify(events).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return { socket, events, until, closeCode: () => closeCode };
}

const created = (events: any[]) =>
  events.filter((event) => event.type === 'message.created').map((event) => event.message);

describe('widget WebSocket', () => {
  it('acknowledges a message after storing it and streams the bot reply', async () => {
    const widget = await session('shop-zh');
    const client = await connect(widget.token, widget.conversationId);
    client.socket.send(JSON.stringify({ type: 'message.create', clientId: 'c1', text: '退貨運費誰出？' }));
    await client.until((events) => created(events).length >= 2 && events.some((event) => event.type === 'message.ack'));
    const ack = client.events.find((event) => event.type === 'message.ack');
    expect(ack).toMatchObject({ clientId: 'c1', duplicate: false });
    const [incoming, reply] = created(client.events);
    expect(incoming.id).toBe(ack.id);
    expect(incoming.text).toBe('退貨運費誰出？');
    expect(reply.direction).toBe('outgoing');
    expect(reply.visibility).toBe('public');
    client.socket.close();
  });

  it('resumes after the last seen seq with no duplicates and no gaps', async () => {
    const widget = await session('shop-zh');
    const first = await connect(widget.token, widget.conversationId);
    first.socket.send(JSON.stringify({ type: 'message.create', clientId: 'a', text: '你好' }));
    await first.until((events) => created(events).length >= 2);
    const lastSeen = created(first.events).at(-1).seq;
    first.socket.close();
    // Messages arrive while the widget is away.
    await kefu.conversations.postCustomerMessage(await tenantId('shop-zh'), widget.conversationId, {
      text: '怎么开发票',
    });
    const second = await connect(widget.token, widget.conversationId, lastSeen);
    await second.until((events) => created(events).length >= 2);
    const resumed = created(second.events);
    expect(resumed.every((message) => BigInt(message.seq) > BigInt(lastSeen))).toBe(true);
    expect(new Set(resumed.map((message) => message.id)).size).toBe(resumed.length);
    expect(resumed[0].text).toBe('怎么开发票');
    second.socket.close();
  });

  it('retrying the same clientId does not create a second message', async () => {
    const widget = await session('bank-zh');
    const client = await connect(widget.token, widget.conversationId);
    client.socket.send(JSON.stringify({ type: 'message.create', clientId: 'same', text: '信用卡年费怎么收' }));
    client.socket.send(JSON.stringify({ type: 'message.create', clientId: 'same', text: '信用卡年费怎么收' }));
    await client.until((events) => events.filter((event) => event.type === 'message.ack').length === 2);
    const acks = client.events.filter((event) => event.type === 'message.ack');
    expect(acks[0].id).toBe(acks[1].id);
    expect(acks.map((ack) => ack.duplicate).sort()).toEqual([false, true]);
    client.socket.close();
  });

  it("rate-limits messages over the socket like requests: a visitor gets a burst, then a typist's pace", async () => {
    const widget = await session('shop-zh');
    const client = await connect(widget.token, widget.conversationId);
    for (let index = 0; index < 30; index += 1)
      client.socket.send(JSON.stringify({ type: 'message.create', clientId: `flood-${index}`, text: `你好 ${index}` }));
    const answered = (events: any[]) =>
      events.filter((event) => event.type === 'message.ack' || (event.type === 'error' && event.clientId)).length;
    await client.until((events) => answered(events) === 30, 60_000);
    const acks = client.events.filter((event) => event.type === 'message.ack');
    const refused = client.events.filter((event) => event.type === 'error' && event.code === 'CS_RATE_LIMITED');
    // 10 at once, perhaps a few more refilled while the first turns ran; never all 30.
    expect(acks.length).toBeGreaterThanOrEqual(10);
    expect(acks.length).toBeLessThan(20);
    expect(refused.length).toBe(30 - acks.length);
    expect(refused[0].retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Refused messages were not stored: the conversation holds only the acknowledged ones.
    const stored = await kefu.database.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('conversation_id', '=', widget.conversationId)
      .where('sender_kind', '=', 'contact')
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(acks.length);
    // Another visitor of the same shop is not affected.
    const other = await session('shop-zh');
    const second = await connect(other.token, other.conversationId);
    second.socket.send(JSON.stringify({ type: 'message.create', clientId: 'calm', text: '怎么退货' }));
    await second.until((events) => events.some((event) => event.type === 'message.ack'));
    client.socket.close();
    second.socket.close();
  });

  it('answers malformed frames with an error event and keeps the socket open', async () => {
    const widget = await session('shop-zh');
    const client = await connect(widget.token, widget.conversationId);
    for (const frame of [
      'not json',
      '{"type":"nope"}',
      '{"type":"message.create"}',
      JSON.stringify({ type: 'message.create', clientId: 'x', text: '' }),
    ])
      client.socket.send(frame);
    client.socket.send(Buffer.from([0xff, 0x00]), { binary: true });
    await client.until((events) => events.filter((event) => event.type === 'error').length >= 5);
    expect(client.events.filter((event) => event.type === 'error').map((event) => event.code)).toEqual(
      expect.arrayContaining(['CS_VALIDATION_FAILED', 'CS_MESSAGE_EMPTY', 'CS_UNSUPPORTED_MEDIA_TYPE']),
    );
    client.socket.send(JSON.stringify({ type: 'ping' }));
    await client.until((events) => events.some((event) => event.type === 'pong'));
    client.socket.close();
  });

  it("refuses a token for another visitor's conversation and a forged token", async () => {
    const alice = await session('shop-zh');
    const bob = await session('shop-zh');
    const stolen = await connect(bob.token, alice.conversationId);
    await stolen.until(() => stolen.closeCode() !== null);
    expect(stolen.closeCode()).toBe(4401);
    expect(stolen.events[0]).toMatchObject({ type: 'error', code: 'CS_CONVERSATION_NOT_FOUND' });
    const forged = await connect(alice.token.slice(0, -4) + 'AAAA', alice.conversationId);
    await forged.until(() => forged.closeCode() !== null);
    expect(forged.events[0]).toMatchObject({ type: 'error', code: 'CS_UNAUTHORIZED' });
  });

  it('a session for an unknown tenant is a 404 problem', async () => {
    const response = await fetch(`${base}/widget/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'nobody' }),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { code: string }).code).toBe('CS_TENANT_NOT_FOUND');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('a shop page on another origin may start a session (CORS preflight and answer)', async () => {
    const preflight = await fetch(`${base}/widget/v1/sessions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
    const response = await fetch(`${base}/widget/v1/sessions`, {
      method: 'POST',
      headers: { origin: 'https://shop.example', 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'shop-zh' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('SSE stream', () => {
  it('streams stored and live messages with ids usable as Last-Event-ID', async () => {
    const key = kefu.keyOf('shop-zh');
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const conversation = (await (
      await fetch(`${base}/v1/conversations`, { method: 'POST', headers, body: '{}' })
    ).json()) as { id: string };
    await fetch(`${base}/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ text: '你好' }),
    });
    const controller = new AbortController();
    const response = await fetch(`${base}/v1/conversations/${conversation.id}/stream`, {
      headers: { authorization: `Bearer ${key}` },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    const read = async (count: number) => {
      while ((text.match(/event: message.created/g) ?? []).length < count)
        text += new TextDecoder().decode((await reader.read()).value);
    };
    await read(2);
    await fetch(`${base}/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ text: '運費怎麼算' }),
    });
    await read(4);
    controller.abort();
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((match) => BigInt(match[1]!));
    expect(ids).toHaveLength(4);
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    expect(text).toContain('運費怎麼算');
  });
});

async function tenantId(slug: string) {
  const row = await kefu.database.db
    .selectFrom('tenants')
    .select('id')
    .where('slug', '=', slug)
    .executeTakeFirstOrThrow();
  return row.id;
}

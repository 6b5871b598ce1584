import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { frameText } from '../../test/support/socket-text.js';
import { receiveFrames, type FrameHandler } from './socket-frames.js';

// A frame handler that fails unexpectedly costs its own connection, never the process: it is
// logged, counted, and that socket closes with 1011 while the other sockets go on.

let server: WebSocketServer | null = null;
afterEach(() => server?.close());

async function serve(handler: FrameHandler, failures: string[], lines: string[]) {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
  server.on('connection', (socket) => {
    const frames = receiveFrames(socket, { log, kind: 'test', onFailure: (kind) => failures.push(kind) });
    // Set-up takes a while: frames sent meanwhile wait, in order.
    setTimeout(() => frames.start(handler), 30);
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function client(url: string) {
  const socket = new WebSocket(url);
  const received: string[] = [];
  socket.on('message', (data) => received.push(frameText(data)));
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await once(socket, 'open');
  return { socket, received, closed };
}

describe('receiveFrames', () => {
  it('keeps frames sent during set-up, in order', async () => {
    const url = await serve(
      async (data) => void server!.clients.forEach((peer) => peer.send(`echo ${data.toString()}`)),
      [],
      [],
    );
    const { socket, received } = await client(url);
    for (const text of ['一', '二', 'three']) socket.send(text);
    await expect.poll(() => received.length).toBe(3);
    expect(received).toEqual(['echo 一', 'echo 二', 'echo three']);
    socket.close();
  });

  it('closes only the failing connection with 1011, logs and counts it; a synchronous throw too', async () => {
    const failures: string[] = [];
    const lines: string[] = [];
    const url = await serve(
      (data) => {
        const text = data.toString();
        if (text === 'reject') return Promise.reject(new Error('boom: 退款失败'));
        if (text === 'throw') throw new Error('sync boom');
        server!.clients.forEach((peer) => peer.readyState === peer.OPEN && peer.send(`ok ${text}`));
        return undefined;
      },
      failures,
      lines,
    );
    const bad = await client(url);
    const worse = await client(url);
    const good = await client(url);
    bad.socket.send('reject');
    worse.socket.send('throw');
    expect(await bad.closed).toBe(1011);
    expect(await worse.closed).toBe(1011);
    good.socket.send('still here');
    await expect.poll(() => good.received).toContain('ok still here');
    expect(failures).toEqual(['test', 'test']);
    expect(lines.join('\n')).toMatch(/boom: 退款失败/);
    good.socket.close();
  });
});

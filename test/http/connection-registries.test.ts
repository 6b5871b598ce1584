// ci: embedded only (it checks the embedded default and skips itself on PostgreSQL; .ci/run runs it embedded on both Node versions)
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventRouter } from '../../src/bus/index.js';
import { createTestKefu, type TestKefu } from '../support/test-kefu.js';

/**
 * Threat: a long-running node grows with every stream it ever served. Each SSE stream and
 * WebSocket registers a shutdown closer, bus subscriptions and conversation followers; all of it
 * must go when the connection closes, however early the client leaves (right after the upgrade,
 * while the server is still checking the token or reading the backlog).
 */
const CONNECTIONS = 2_000;
const PARALLEL = 8;

let kefu: TestKefu;
let port: number;

/** Counts the live registrations made through `target[name]` (each returns its own remover). */
function countLive(target: Record<string, unknown>, name: string): { live: () => number; peak: () => number } {
  const original = (target[name] as (...args: unknown[]) => () => unknown).bind(target);
  let live = 0;
  let peak = 0;
  target[name] = (...args: unknown[]) => {
    const remove = original(...args);
    live++;
    peak = Math.max(peak, live);
    let removed = false;
    return () => {
      if (!removed) {
        removed = true;
        live--;
      }
      return remove();
    };
  };
  return { live: () => live, peak: () => peak };
}

// Engine and HTTP behaviour, not storage: the PostgreSQL pass of CI leaves this to the embedded pass.
const onPostgres = Boolean(process.env.DATABASE_URL);

beforeAll(async () => {
  if (onPostgres) return;
  kefu = await createTestKefu({ KEFU_HANDOFF_CHECK_INTERVAL_MS: '3600000' });
  await kefu.app.listen({ host: '127.0.0.1', port: 0 });
  port = (kefu.app.server.address() as AddressInfo).port;
});
afterAll(async () => kefu?.dispose());

async function openSse(path: string, key: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${key}` } });
    request.on('response', (response) => {
      if (response.statusCode !== 200) return reject(new Error(`stream answered ${response.statusCode}`));
      // Leave as soon as the stream has started: the server must clean up after any departure.
      response.once('data', () => {
        request.destroy();
        resolve();
      });
    });
    request.on('error', reject);
    request.end();
    setTimeout(() => reject(new Error(`${path}: no first chunk after 30 s`)), 30_000).unref();
  });
}

async function openSocket(
  url: string,
  leave: 'on-open' | 'on-first-frame',
  onOpen?: (socket: WebSocket) => void,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('open', () => {
      onOpen?.(socket);
      if (leave === 'on-open') socket.close();
    });
    socket.once('message', () => {
      if (leave === 'on-first-frame') socket.close();
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`${url}: no close after 30 s`)), 30_000).unref();
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe.skipIf(onPostgres)('connection registries', () => {
  it(
    `return to their baseline after ${CONNECTIONS} SSE and WebSocket connections open and close`,
    { timeout: 600_000 },
    async () => {
      const slug = 'shop-zh';
      const key = kefu.keyOf(slug);
      const auth = { authorization: `Bearer ${key}` };
      const conversation = (
        await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth, payload: {} })
      ).json();
      await kefu.app.inject({
        method: 'POST',
        url: `/v1/conversations/${conversation.id}/messages`,
        headers: auth,
        payload: { text: '怎么退货？' },
      });
      const widget = (
        await kefu.app.inject({ method: 'POST', url: '/widget/v1/sessions', payload: { tenant: slug } })
      ).json();
      const password = await kefu.database.db
        .selectFrom('system_settings')
        .select('value')
        .where('key', '=', `demo_agent_password:${slug}`)
        .executeTakeFirstOrThrow();
      const login = await kefu.app.inject({
        method: 'POST',
        url: '/v1/agent/sessions',
        payload: { tenant: slug, email: `agent@${slug}.demo`, password: password.value },
      });
      expect(login.statusCode, login.body).toBe(201);
      const agentToken = login.json().token as string;

      // Count from here on: everything the connections below register must be gone at the end.
      const router = eventRouter(kefu.bus) as unknown as Record<string, unknown>;
      const registries = {
        busSubscriptions: countLive(kefu.bus as unknown as Record<string, unknown>, 'subscribe'),
        conversationFollowers: countLive(router, 'conversation'),
        tenantListeners: countLive(router, 'tenant'),
        gapListeners: countLive(router, 'gap'),
      };
      const shutdownBaseline = kefu.shutdown.size;
      let shutdownPeak = shutdownBaseline;

      const kinds = [
        () => openSse(`/v1/conversations/${conversation.id}/stream`, key),
        () =>
          openSocket(
            `ws://127.0.0.1:${port}/widget/v1/ws?token=${encodeURIComponent(widget.token)}&conversationId=${widget.conversationId}`,
            'on-open',
          ),
        () =>
          openSocket(
            `ws://127.0.0.1:${port}/widget/v1/ws?token=${encodeURIComponent(widget.token)}&conversationId=${widget.conversationId}`,
            'on-first-frame',
            (socket) => socket.send(JSON.stringify({ type: 'ping' })),
          ),
        () =>
          openSocket(
            `ws://127.0.0.1:${port}/v1/agent/ws?token=${encodeURIComponent(agentToken)}`,
            'on-first-frame',
            (socket) =>
              socket.send(JSON.stringify({ type: 'conversation.subscribe', conversationId: conversation.id })),
          ),
        () => openSocket(`ws://127.0.0.1:${port}/v1/agent/ws?token=${encodeURIComponent(agentToken)}`, 'on-open'),
      ];
      let opened = 0;
      const worker = async () => {
        while (opened < CONNECTIONS) {
          const index = opened++;
          await kinds[index % kinds.length]!();
          shutdownPeak = Math.max(shutdownPeak, kefu.shutdown.size);
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      expect(opened).toBeGreaterThanOrEqual(CONNECTIONS);

      const live = () => ({
        shutdownCallbacks: kefu.shutdown.size - shutdownBaseline,
        busSubscriptions: registries.busSubscriptions.live(),
        conversationFollowers: registries.conversationFollowers.live(),
        tenantListeners: registries.tenantListeners.live(),
        gapListeners: registries.gapListeners.live(),
      });
      // The server sees each close a moment after the client: wait for the last ones.
      await until(() => Object.values(live()).every((count) => count === 0), 15_000);
      expect(live()).toEqual({
        shutdownCallbacks: 0,
        busSubscriptions: 0,
        conversationFollowers: 0,
        tenantListeners: 0,
        gapListeners: 0,
      });
      // The counters saw the connections (they are not zero because nothing was counted).
      expect(registries.conversationFollowers.peak()).toBeGreaterThan(0);
      expect(registries.busSubscriptions.peak()).toBeGreaterThan(0);
      expect(registries.gapListeners.peak()).toBeGreaterThan(0);
      expect(shutdownPeak).toBeGreaterThan(shutdownBaseline);
    },
  );
});

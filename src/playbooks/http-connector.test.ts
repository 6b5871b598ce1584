import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpConnector } from './http-connector.js';

let server: Server;
let base: string;
let behaviour: (url: URL) => { status: number; body?: string; hang?: boolean };
const calls: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://localhost');
    calls.push(url.pathname + url.search);
    const plan = behaviour(url);
    if (plan.hang) return; // never answers
    response.writeHead(plan.status, { 'content-type': 'application/json' });
    response.end(plan.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const orders = [
  { order_no: 'XM1', status: '运输中', ordered_at: '2026-11-02', amount: 12.5 },
  { order_no: 'XM2', status: '运输中', ordered_at: '2026-11-09', amount: null },
];

function connector(extra: Partial<Parameters<typeof createHttpConnector>[0]> = {}) {
  return createHttpConnector({
    name: 'shop-api',
    baseUrl: base,
    headers: { authorization: 'Bearer test' },
    tables: {
      orders: { path: '/orders', params: { contact_phone: 'phone' }, rows: 'data.orders' },
      order: { path: '/orders/{order_no}' },
      plain: { path: '/plain' },
    },
    timeoutMs: 200,
    retries: 2,
    backoffMs: 10,
    breakerThreshold: 3,
    breakerCooldownMs: 300,
    ...extra,
  });
}

describe('HTTP connector', () => {
  it('maps filters to query parameters and path placeholders, and returns string rows in order', async () => {
    behaviour = () => ({ status: 200, body: JSON.stringify({ data: { orders } }) });
    calls.length = 0;
    const rows = await connector().query({
      table: 'orders',
      where: { contact_phone: '13800571002', status: { in: ['运输中', '已发货'] } },
      orderBy: { column: 'ordered_at', direction: 'desc' },
      limit: 1,
    });
    expect(rows).toEqual([{ order_no: 'XM2', status: '运输中', ordered_at: '2026-11-09', amount: '' }]);
    expect(calls[0]).toBe(
      `/api/orders?phone=13800571002&status=${encodeURIComponent('运输中')}&status=${encodeURIComponent('已发货')}&limit=1`,
    );
    behaviour = () => ({ status: 200, body: JSON.stringify([orders[0]]) });
    await connector().query({ table: 'order', where: { order_no: 'XM1' } });
    expect(calls.at(-1)).toBe('/api/orders/XM1');
  });

  it('retries transient failures with backoff and then succeeds', async () => {
    let count = 0;
    behaviour = () => (++count <= 2 ? { status: 503 } : { status: 200, body: JSON.stringify({ items: orders }) });
    const rows = await connector().query({ table: 'plain', where: {} });
    expect(rows).toHaveLength(2);
    expect(count).toBe(3);
  });

  it('does not retry a client error, and reports a timeout within its bound', async () => {
    let count = 0;
    behaviour = () => {
      count += 1;
      return { status: 400 };
    };
    await expect(connector().query({ table: 'plain', where: {} })).rejects.toMatchObject({
      code: 'CS_CONNECTOR_FAILED',
    });
    expect(count).toBe(1);
    behaviour = () => ({ status: 200, hang: true });
    const started = Date.now();
    await expect(connector({ retries: 1 }).query({ table: 'plain', where: {} })).rejects.toThrow(
      /no answer within 200 ms/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('opens the circuit after repeated failures, fails fast, and closes again after a good call', async () => {
    behaviour = () => ({ status: 500 });
    const api = connector({ retries: 0 });
    for (let index = 0; index < 3; index += 1)
      await expect(api.query({ table: 'plain', where: {} })).rejects.toThrow(/HTTP 500/);
    expect(api.circuit()).toBe('open');
    calls.length = 0;
    await expect(api.query({ table: 'plain', where: {} })).rejects.toThrow(/circuit open/);
    expect(calls).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 320));
    expect(api.circuit()).toBe('half-open');
    behaviour = () => ({ status: 200, body: '[]' });
    await expect(api.query({ table: 'plain', where: {} })).resolves.toEqual([]);
    expect(api.circuit()).toBe('closed');
  });

  it('rejects answers that are not JSON or have no rows, and unknown tables', async () => {
    behaviour = () => ({ status: 200, body: '<html>oops</html>' });
    await expect(connector().query({ table: 'orders', where: {} })).rejects.toThrow(/not JSON/);
    behaviour = () => ({ status: 200, body: '{"total": 3}' });
    await expect(connector().query({ table: 'order', where: { order_no: 'x' } })).rejects.toThrow(/no list of rows/);
    await expect(connector().query({ table: 'nope', where: {} })).rejects.toThrow(/no mapping for table nope/);
  });
});

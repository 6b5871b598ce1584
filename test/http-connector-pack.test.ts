import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importPack, loadPack } from '../src/packs/index.js';
import { createApiKey } from '../src/tenancy/index.js';
import { askOnce, createTestKefu, type TestKefu } from './support/test-kefu.js';

/** A tenant whose orders and logistics live in its own system, read over HTTP by the S2 playbook. */
const scratch = mkdtempSync(path.join(tmpdir(), 'kefu-http-pack-'));
let server: Server;
let up = true;
let kefu: TestKefu;
let key: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(`${request.url} ${request.headers['x-api-key']?.toString()}`);
    if (!up) {
      response.writeHead(503).end();
      return;
    }
    const url = new URL(request.url!, 'http://localhost');
    const rows = url.pathname.endsWith('/orders')
      ? [
          {
            order_no: 'XM29999999999',
            contact_phone: '13900000000',
            items: '接口商品×1',
            status: '运输中',
            ordered_at: '2026-11-10T10:00:00+08:00',
            promised_delivery_date: '2026-11-15',
            carrier: '顺丰速运',
            tracking_no: 'SF1',
            amount: '10.00',
          },
        ].filter((row) => !url.searchParams.get('order_no') || row.order_no === url.searchParams.get('order_no'))
      : [{ tracking_no: 'SF1', time: '2026-11-20T09:00:00+08:00', location: '杭州', event: '运输中' }];
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: rows }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/erp`;
  vi.stubEnv('KEFU_TEST_ERP_KEY', 'secret-123');
  const pack = path.join(scratch, 'shop-http');
  cpSync(path.resolve('examples/packs/shop-zh'), pack, { recursive: true });
  const tenantFile = readFileSync(path.join(pack, 'tenant.yaml'), 'utf8').replace(/^slug: .*$/m, 'slug: shop-http');
  writeFileSync(
    path.join(pack, 'tenant.yaml'),
    `${tenantFile}\nconnectors:\n  - name: erp\n    kind: http\n    base_url: ${base}\n    headers: { x-api-key: '\${KEFU_TEST_ERP_KEY}' }\n    timeout_ms: 500\n    retries: 1\n    tables:\n      orders: { path: /orders, rows: data }\n      logistics: { path: /logistics, rows: data }\n`,
  );
  kefu = await createTestKefu();
  const { pack: loaded, problems } = loadPack(pack);
  expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  const { tenantId } = await importPack(kefu.database.db, loaded!, { actor: 'test' });
  key = (await createApiKey(kefu.database.db, tenantId, { name: 'test', scopes: ['chat', 'conversations:read'] })).key;
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await kefu?.dispose();
  server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function ask(text: string) {
  return askOnce(kefu, key, text);
}

describe('a pack with an HTTP connector', () => {
  it('reads orders and logistics from the business system, with the secret header from the environment', async () => {
    const { body } = await ask('我的快递怎么还没到，订单号 XM29999999999');
    expect(body.turn.tier).toBe('playbook');
    expect(body.reply.text).toContain('接口商品');
    expect(body.reply.text).toContain('超时 10 天');
    expect(
      seen.some((line) => line.startsWith('/erp/orders?order_no=XM29999999999') && line.endsWith('secret-123')),
    ).toBe(true);
  });

  it('hands over politely when the business system is down', async () => {
    up = false;
    const { body, trace } = await ask('物流太慢了，订单 XM29999999999');
    expect(body.turn.route).toBe('human');
    expect(trace.trace.reasons.join(' ')).toMatch(/connector-failed/);
    up = true;
  });
});

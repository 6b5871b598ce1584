import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContactSyncService, dueSyncOccurrence, readContactSyncSettings } from '../src/contacts/sync.js';
import { createTestKefu, type TestKefu } from './support/test-kefu.js';

/**
 * Contacts sync (docs/personal.md, "Sync"): the webhook in (a batch keyed by external id, upserted
 * through the importer, idempotent, signed when the tenant has a secret) and the scheduled pull
 * (a CSV source on 127.0.0.1 streamed through the importer, each occurrence recorded as a run).
 */

let kefu: TestKefu;
let authA: { authorization: string };
let authB: { authorization: string };
let tenantA: string;
let tenantB: string;

const tenantIdOf = async (slug: string) =>
  (await kefu.database.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;

const send = (auth: Record<string, string>, records: unknown, headers: Record<string, string> = {}) =>
  kefu.app.inject({
    method: 'POST',
    url: '/v1/contacts/sync',
    headers: { ...auth, 'content-type': 'application/json; charset=utf-8', ...headers },
    payload: JSON.stringify({ records }),
  });

const byExternalId = async (auth: Record<string, string>, tenantId: string, externalId: string) => {
  const row = await kefu.database.db
    .selectFrom('contact_external_ids')
    .select('contact_id')
    .where('tenant_id', '=', tenantId)
    .where('source', '=', 'user')
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (!row) return null;
  return (await kefu.app.inject({ url: `/v1/contacts/${row.contact_id}`, headers: auth })).json();
};

beforeAll(async () => {
  kefu = await createTestKefu({ KEFU_WEBHOOK_ALLOW_PRIVATE: 'true' });
  authA = { authorization: `Bearer ${kefu.keyOf('shop-zh')}` };
  authB = { authorization: `Bearer ${kefu.keyOf('bank-zh')}` };
  tenantA = await tenantIdOf('shop-zh');
  tenantB = await tenantIdOf('bank-zh');
}, 120_000);

afterAll(async () => {
  await kefu?.dispose();
});

const batch = [
  {
    externalId: 'CRM-001',
    name: '林晓雨',
    phones: ['+86 138-0057-2001'],
    tier: '金卡',
    tags: ['常旅客'],
    attributes: { 积分: 1280, 生日: '1990-03-08', 城市: '上海' },
    consent: { offers: true },
    locale: 'zh-CN',
  },
  {
    externalId: 'CRM-002',
    name: '陳美玲',
    emails: ['meiling@example.tw'],
    tier: '白金卡',
    attributes: { 會員點數: 560, 城市: '臺北' },
    timeZone: 'Asia/Taipei',
    locale: 'zh-TW',
  },
  {
    externalId: 'CRM-003',
    name: 'Emily Carter',
    emails: ['emily@example.com'],
    attributes: { points: 42, vip: true, city: 'London' },
    timeZone: 'Europe/London',
    locale: 'en',
  },
];

describe('contacts sync webhook', () => {
  it('upserts a batch in Chinese and English, and the same batch again changes nothing', async () => {
    const first = await send(authA, batch);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ rows: 3, created: 3, updated: 0, unchanged: 0, skipped: 0 });
    expect(first.json().results.map((result: any) => result.status)).toEqual(['created', 'created', 'created']);

    const lin = await byExternalId(authA, tenantA, 'CRM-001');
    expect(lin).toMatchObject({
      name: '林晓雨',
      phones: ['+8613800572001'],
      tier: '金卡',
      tags: ['常旅客'],
      attributes: { 积分: 1280, 生日: '1990-03-08', 城市: '上海' },
      consent: { offers: true },
    });
    expect(await byExternalId(authA, tenantA, 'CRM-002')).toMatchObject({
      name: '陳美玲',
      emails: ['meiling@example.tw'],
      attributes: { 會員點數: 560, 城市: '臺北' },
      timeZone: 'Asia/Taipei',
    });
    const emily = await byExternalId(authA, tenantA, 'CRM-003');
    expect(emily).toMatchObject({ name: 'Emily Carter', attributes: { points: 42, vip: true, city: 'London' } });

    const again = await send(authA, batch);
    expect(again.json()).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3, skipped: 0 });
    const linAgain = await byExternalId(authA, tenantA, 'CRM-001');
    expect(linAgain.updatedAt).toBe(lin.updatedAt);
    expect(linAgain.version).toBe(lin.version);

    // A changed record updates that contact only (lists are added to, attributes merged).
    const changed = await send(authA, [{ ...batch[2], attributes: { points: 50 }, tags: ['VIP'] }]);
    expect(changed.json()).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    expect(await byExternalId(authA, tenantA, 'CRM-003')).toMatchObject({
      attributes: { points: 50, vip: true, city: 'London' },
      tags: ['VIP'],
    });
  });

  it('reports a malformed record by index with a stable code while the others apply', async () => {
    const response = await send(authA, [
      { externalId: 'CRM-010', name: '王小明', attributes: { 积分: 10 } },
      { externalId: 'CRM-011', name: '張大同', phones: ['不是电话'] },
      { name: 'No id at all', emails: ['noid@example.com'] },
      'not an object',
      { externalId: 'CRM-012', name: 'Grace', attributes: { nested: { no: 1 } } },
      { externalId: 'CRM-013', name: 'Zoe', colour: 'blue' },
      { externalId: 'CRM-014', name: '赵敏', timeZone: 'Mars/Olympus' },
      { externalId: 'CRM-015', name: '李雷', emails: ['lilei@example.cn'] },
      // A new id with the phone of an existing contact (林晓雨): merging them is a person's call.
      { externalId: 'CRM-016', name: 'Someone else', phones: ['+8613800572001'] },
    ]);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ rows: 9, created: 2, skipped: 7 });
    const codes = Object.fromEntries(
      body.results.filter((r: any) => r.status === 'skipped').map((r: any) => [r.index, r.code]),
    );
    expect(codes).toEqual({
      1: 'bad_phone',
      2: 'no_identifier',
      3: 'malformed',
      4: 'bad_value',
      5: 'bad_value',
      6: 'bad_value',
      8: 'conflicting_merge',
    });
    expect(body.results[0]).toMatchObject({ index: 0, externalId: 'CRM-010', status: 'created' });
    expect(body.results[7]).toMatchObject({ index: 7, externalId: 'CRM-015', status: 'created' });
    // A refused record never half-applies: none of its fields landed anywhere.
    for (const id of ['CRM-011', 'CRM-012', 'CRM-013', 'CRM-014', 'CRM-016'])
      expect(await byExternalId(authA, tenantA, id)).toBeNull();
  });

  it('keeps the first of two records with the same external id in one batch', async () => {
    const response = await send(authA, [
      { externalId: 'CRM-020', name: '第一条', attributes: { 来源: '批次' } },
      { externalId: 'CRM-020', name: 'second', attributes: { 来源: 'overwrite' } },
    ]);
    expect(response.json()).toMatchObject({ created: 1, skipped: 1 });
    expect(response.json().results[1]).toMatchObject({ index: 1, status: 'skipped', code: 'duplicate_external_id' });
    expect(await byExternalId(authA, tenantA, 'CRM-020')).toMatchObject({
      name: '第一条',
      attributes: { 来源: '批次' },
    });
  });

  it('refuses a batch over 1,000 records and a body that is not a batch', async () => {
    const big = Array.from({ length: 1001 }, (_, index) => ({ externalId: `BIG-${index}` }));
    const tooLarge = await send(authA, big);
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().code).toBe('CS_SYNC_BATCH_TOO_LARGE');
    const notJson = await kefu.app.inject({
      method: 'POST',
      url: '/v1/contacts/sync',
      headers: { ...authA, 'content-type': 'application/json' },
      payload: '{"records": [',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.headers['content-type']).toContain('application/problem+json');
    expect(await byExternalId(authA, tenantA, 'BIG-0')).toBeNull();
  });

  it('keeps tenants apart: tenant B neither sees nor overwrites tenant A’s contact by external id', async () => {
    const a = await byExternalId(authA, tenantA, 'CRM-001');
    const response = await send(authB, [{ externalId: 'CRM-001', name: '冒名顶替', tier: '黑卡' }]);
    // For tenant B it is a new contact of its own.
    expect(response.json()).toMatchObject({ created: 1, updated: 0 });
    const b = await byExternalId(authB, tenantB, 'CRM-001');
    expect(b.id).not.toBe(a.id);
    expect(b).toMatchObject({ name: '冒名顶替', tier: '黑卡' });
    expect(await byExternalId(authA, tenantA, 'CRM-001')).toMatchObject({ name: '林晓雨', tier: '金卡' });
    // B cannot read A's contact by id either, and sees only its own sync runs.
    expect((await kefu.app.inject({ url: `/v1/contacts/${a.id}`, headers: authB })).statusCode).toBe(404);
    const runsB = (await kefu.app.inject({ url: '/v1/contacts/syncs', headers: authB })).json();
    expect(runsB.runs).toHaveLength(1);
    expect(runsB.runs[0]).toMatchObject({ trigger: 'webhook', status: 'succeeded', created: 1 });
  });

  it('with a sync secret: accepts a signed batch, refuses a forged, unsigned, stale or replayed one', async () => {
    const { secret } = (
      await kefu.app.inject({ method: 'POST', url: '/v1/contacts/sync-secret', headers: authB })
    ).json();
    expect(secret).toMatch(/^whsec_/);
    const payload = JSON.stringify({ records: [{ externalId: 'SIGNED-1', name: '簽名客戶', tier: '金卡' }] });
    const signed = (id: string, at: Date, key = secret, body = payload) => ({
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(key).sign(id, at, body),
    });
    const post = (headers: Record<string, string>, body = payload) =>
      kefu.app.inject({
        method: 'POST',
        url: '/v1/contacts/sync',
        headers: { ...authB, 'content-type': 'application/json', ...headers },
        payload: body,
      });

    const unsigned = await post({});
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().code).toBe('CS_SYNC_SIGNATURE_INVALID');
    const forged = await post(
      signed('msg_forged', new Date(), `whsec_${Buffer.from('not the secret at all!!').toString('base64')}`),
    );
    expect(forged.statusCode).toBe(401);
    expect(forged.json().code).toBe('CS_SYNC_SIGNATURE_INVALID');
    // Signed for another body: the signature covers the exact bytes.
    const tampered = await post(
      signed('msg_tampered', new Date()),
      JSON.stringify({ records: [{ externalId: 'SIGNED-1', name: '篡改', tier: '黑卡' }] }),
    );
    expect(tampered.statusCode).toBe(401);
    const stale = await post(signed('msg_stale', new Date(Date.now() - 10 * 60_000)));
    expect(stale.statusCode).toBe(401);
    expect(await byExternalId(authB, tenantB, 'SIGNED-1')).toBeNull();

    const headers = signed('msg_good_1', new Date());
    const good = await post(headers);
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ created: 1 });
    const replayed = await post(headers);
    expect(replayed.statusCode).toBe(409);
    expect(replayed.headers['content-type']).toContain('application/problem+json');
    expect(replayed.json().code).toBe('CS_SYNC_REPLAYED');
    expect(await byExternalId(authB, tenantB, 'SIGNED-1')).toMatchObject({ name: '簽名客戶', tier: '金卡' });

    // Tenant A has no secret: its batches stay unsigned.
    expect((await send(authA, [{ externalId: 'CRM-030', name: 'Unsigned OK' }])).statusCode).toBe(200);
    expect(
      (await kefu.app.inject({ method: 'DELETE', url: '/v1/contacts/sync-secret', headers: authB })).json(),
    ).toEqual({ removed: true });
  });
});

describe('contacts sync settings', () => {
  it('read pull settings and refuse bad ones with their path', () => {
    expect(readContactSyncSettings({ sync: { url: 'https://crm.example.com/c.csv', every: 15 } })).toMatchObject({
      sync: { format: 'csv', every: 15, mapping: {}, enabled: true },
      problem: null,
    });
    expect(readContactSyncSettings({ sync: { url: 'ftp://x/y', every: 15 } }).problem).toMatch(/contacts\.sync\.url/);
    expect(readContactSyncSettings({ sync: { url: 'https://x/y', every: 'hourly' } }).problem).toMatch(
      /contacts\.sync\.every/,
    );
    expect(readContactSyncSettings({}).sync).toBeNull();
  });

  it('find the due occurrence of minutes (clock-aligned) and of cron (tenant time zone)', () => {
    expect(dueSyncOccurrence(15, 'Asia/Shanghai', new Date('2027-01-01T00:16:00Z'), 600_000)?.toISOString()).toBe(
      '2027-01-01T00:15:00.000Z',
    );
    expect(dueSyncOccurrence(60, 'Asia/Shanghai', new Date('2027-01-01T00:16:00Z'), 600_000)).toBeNull();
    expect(
      dueSyncOccurrence('0 3 * * *', 'Asia/Shanghai', new Date('2026-12-31T19:05:00Z'), 600_000)?.toISOString(),
    ).toBe('2026-12-31T19:00:00.000Z');
  });
});

describe('scheduled contacts pull', () => {
  let server: Server;
  let url: string;
  let csv = '';
  let down = false;
  let hits = 0;
  let service: ContactSyncService;

  beforeAll(async () => {
    server = createServer((request, response) => {
      hits += 1;
      if (down) {
        response.writeHead(503).end('maintenance');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end(csv);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/crm/contacts.csv`;
    // A yearly cron, so the app's own once-a-minute job is never due while this test runs.
    const contacts = { sync: { url, format: 'csv', every: '0 3 1 1 *', mapping: { 积分: 'attr.points:number' } } };
    await sql`update tenants set settings = settings || ${JSON.stringify({ contacts })}::jsonb where id = ${tenantA}`.execute(
      kefu.database.db,
    );
    service = new ContactSyncService({ db: kefu.database.db, allowPrivateNetwork: true });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  // 03:00 on 1 January in Shanghai.
  const occurrence2027 = new Date('2026-12-31T19:00:00Z');
  const occurrence2028 = new Date('2027-12-31T19:00:00Z');
  const occurrence2029 = new Date('2028-12-31T19:00:00Z');

  it('imports a CSV source once per occurrence, and the next occurrence updates', async () => {
    csv = [
      '会员号,姓名,手机,积分,会员等级',
      'PULL-1,周杰,13900001111,100,银卡',
      'PULL-2,黃小琥,13900002222,200,金卡',
      'PULL-3,Olivia Brown,13900003333,300,Gold',
      'PULL-4,坏数据,不是电话,400,银卡',
    ].join('\n');
    const runs = await service.runDuePulls(new Date(occurrence2027.getTime() + 60_000));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      trigger: 'pull',
      status: 'succeeded',
      rows: 4,
      created: 3,
      skipped: 1,
      error: null,
    });
    expect(runs[0]!.errors[0]).toMatchObject({ line: 5, code: 'bad_phone' });
    // The same occurrence asked again (another node, the next minute) does not run twice.
    const hitsBefore = hits;
    expect(await service.runDuePulls(new Date(occurrence2027.getTime() + 120_000))).toEqual([]);
    expect(hits).toBe(hitsBefore);
    expect(await byExternalId(authA, tenantA, 'PULL-2')).toMatchObject({
      name: '黃小琥',
      tier: '金卡',
      attributes: { points: 200 },
    });

    csv = csv.replace('PULL-3,Olivia Brown,13900003333,300,Gold', 'PULL-3,Olivia Brown,13900003333,350,Platinum');
    const second = await service.runDuePulls(new Date(occurrence2028.getTime() + 60_000));
    expect(second[0]).toMatchObject({ status: 'succeeded', created: 0, updated: 1, unchanged: 2, skipped: 1 });
    expect(await byExternalId(authA, tenantA, 'PULL-3')).toMatchObject({
      name: 'Olivia Brown',
      tier: 'Platinum',
      attributes: { points: 350 },
    });
  });

  it('records a failed run when the source is down, leaves profiles untouched, and retries next time', async () => {
    const before = await byExternalId(authA, tenantA, 'PULL-1');
    down = true;
    csv = csv.replace('PULL-1,周杰,13900001111,100,银卡', 'PULL-1,不该写入,13900001111,999,黑卡');
    const failed = await service.runDuePulls(new Date(occurrence2029.getTime() + 60_000));
    expect(failed[0]).toMatchObject({ status: 'failed', rows: 0, created: 0, updated: 0 });
    expect(failed[0]!.error).toMatch(/HTTP 503/);
    expect(failed[0]!.finishedAt).not.toBeNull();
    const after = await byExternalId(authA, tenantA, 'PULL-1');
    expect(after).toEqual(before);

    const listed = (await kefu.app.inject({ url: '/v1/contacts/syncs', headers: authA })).json();
    expect(listed.pull).toMatchObject({ url, format: 'csv', every: '0 3 1 1 *' });
    const pulls = listed.runs.filter((run: any) => run.trigger === 'pull');
    expect(pulls.map((run: any) => run.status)).toEqual(['failed', 'succeeded', 'succeeded']);
    // Tenant B sees none of A's pulls.
    const runsB = (await kefu.app.inject({ url: '/v1/contacts/syncs', headers: authB })).json();
    expect(runsB.runs.some((run: any) => run.trigger === 'pull')).toBe(false);
    expect(runsB.pull).toBeNull();

    // The source is back: the next occurrence applies the change.
    down = false;
    const retried = await service.runDuePulls(new Date(new Date('2029-12-31T19:00:00Z').getTime() + 60_000));
    expect(retried[0]).toMatchObject({ status: 'succeeded', updated: 1 });
    expect(await byExternalId(authA, tenantA, 'PULL-1')).toMatchObject({ name: '不该写入', tier: '黑卡' });
  });

  it('refuses a private-network source unless the operator allows it', async () => {
    const strict = new ContactSyncService({ db: kefu.database.db });
    const run = await strict.pull(
      tenantA,
      { url, format: 'csv', every: 60, mapping: {}, enabled: true },
      'pull:ssrf-check',
    );
    expect(run).toMatchObject({ status: 'failed', rows: 0 });
    expect(run!.error).toMatch(/127\.0\.0\.1|private|not public|blocked/i);
  });
});

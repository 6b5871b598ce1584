import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKefu, type TestKefu } from '../../../test/support/test-kefu.js';
import { createApiKey, findTenantBySlug } from '../../tenancy/index.js';

let kefu: TestKefu;
let shopKey: string;
let bankKey: string;
let chatOnlyKey: string;

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../knowledge/__fixtures__/${name}`, import.meta.url));
const auth = (key: string) => ({ authorization: `Bearer ${key}` });
const upload = (key: string, name: string, body: Buffer | string, contentType = 'application/octet-stream') =>
  kefu.app.inject({
    method: 'POST',
    url: `/v1/knowledge/files?name=${encodeURIComponent(name)}`,
    headers: { ...auth(key), 'content-type': contentType },
    payload: body,
  });

beforeAll(async () => {
  kefu = await createTestKefu();
  shopKey = kefu.keyOf('shop-zh');
  bankKey = kefu.keyOf('bank-zh');
  const shop = await findTenantBySlug(kefu.database.db, 'shop-zh');
  chatOnlyKey = (await createApiKey(kefu.database.db, shop!.id, { name: 'widget backend', scopes: ['chat'] })).key;
});
afterAll(async () => kefu?.dispose());

describe('POST /v1/knowledge/files', () => {
  it('adds an uploaded Markdown policy as a new versioned document, then re-uploading it changes nothing', async () => {
    const first = await upload(shopKey, '退换货政策.md', fixture('policy.md'), 'text/markdown; charset=utf-8');
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ path: '退换货政策.md', outcome: 'added', version: 1 });
    expect(first.json().chunksIndexed).toBeGreaterThan(2);

    const again = await upload(shopKey, '退换货政策.md', fixture('policy.md'), 'text/plain');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ outcome: 'unchanged', version: 1, chunksIndexed: 0 });

    const edited = fixture('policy.md').toString('utf8').replace('**7 天内**', '**15 天内**');
    const changed = await upload(shopKey, '退换货政策.md', edited, 'text/markdown');
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ outcome: 'changed', version: 2 });
    // Only the edited section is new; the others reuse their chunks.
    expect(changed.json().chunksIndexed).toBeLessThan(first.json().chunksIndexed);
  });

  it('keeps other uploads when a second file arrives, and loads an XLSX FAQ (Traditional headers included) and a DOCX', async () => {
    expect((await upload(shopKey, 'faq.xlsx', fixture('faq.xlsx'))).statusCode).toBe(201);
    expect((await upload(shopKey, 'handbook.docx', fixture('handbook.docx'))).statusCode).toBe(201);
    const list = await kefu.app.inject({ url: '/v1/knowledge/files', headers: auth(shopKey) });
    expect(list.statusCode).toBe(200);
    expect(list.json().files.map((file: { path: string }) => file.path)).toEqual([
      'faq.xlsx',
      'handbook.docx',
      '退换货政策.md',
    ]);
    expect(list.json().files.find((file: { path: string }) => file.path === '退换货政策.md')).toMatchObject({
      status: 'ready',
      version: 2,
    });
  });

  it('enters the tenant runtime retrieval after the reload, cited with the new version', async () => {
    const shop = await findTenantBySlug(kefu.database.db, 'shop-zh');
    // The runtime this refresh builds (the server's own poller may start another one meanwhile).
    const runtime = await kefu.runtimes.refresh(shop!.id);
    for (const question of ['Can unused items be returned within 7 days of delivery?', '生鮮商品多久內要反饋？']) {
      const passages = runtime.knowledge.search(question, { k: 5 }).map((hit) => runtime.passages.get(hit.id));
      const uploaded = passages.find((passage) => passage?.reference === 'uploads/退换货政策.md');
      expect(uploaded, question).toMatchObject({ source: 'kb', version: 2 });
    }
    // Only the active (edited) version is indexed.
    const texts = [...runtime.passages.values()]
      .filter((passage) => passage.reference === 'uploads/退换货政策.md')
      .map((passage) => passage.text);
    expect(texts.some((text) => text.includes('15 天内'))).toBe(true);
    expect(texts.some((text) => text.includes('7 天内'))).toBe(false);
  });

  it('rejects a corrupt PDF, an encrypted PDF and an empty file with problem+json 422 and keeps the previous version active', async () => {
    const corrupt = await upload(shopKey, '退换货政策.md', Buffer.alloc(0));
    expect(corrupt.statusCode).toBe(422);
    expect(corrupt.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(corrupt.json()).toMatchObject({ code: 'CS_KNOWLEDGE_FILE_REJECTED', reason: 'empty_file' });
    const list = await kefu.app.inject({ url: '/v1/knowledge/files', headers: auth(shopKey) });
    expect(list.json().files.find((file: { path: string }) => file.path === '退换货政策.md')).toMatchObject({
      version: 2,
      status: 'failed',
      failureCode: 'empty_file',
    });

    for (const [name, reason] of [
      ['corrupt.pdf', 'unreadable_pdf'],
      ['encrypted.pdf', 'encrypted'],
    ] as const) {
      const response = await upload(shopKey, name, fixture(name), 'application/pdf');
      expect(response.statusCode, name).toBe(422);
      expect(response.json()).toMatchObject({ code: 'CS_KNOWLEDGE_FILE_REJECTED', reason });
    }
    const image = await upload(shopKey, 'scan.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'image/png');
    expect(image.json()).toMatchObject({ status: 422, reason: 'unsupported_format' });
  });

  it('refuses files over the size limit (413), a missing name (400), and keys without kb:write (403) or none (401)', async () => {
    const big = await upload(shopKey, 'big.txt', Buffer.alloc(20 * 1024 * 1024 + 1, 0x61), 'text/plain');
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ code: 'CS_PAYLOAD_TOO_LARGE' });
    const nameless = await kefu.app.inject({
      method: 'POST',
      url: '/v1/knowledge/files',
      headers: auth(shopKey),
      payload: 'x',
    });
    expect(nameless.statusCode).toBe(400);
    expect((await upload(shopKey, '../', 'x')).statusCode).toBe(400);
    expect((await upload(chatOnlyKey, 'notes.txt', '内部资料')).json()).toMatchObject({
      status: 403,
      code: 'CS_FORBIDDEN_SCOPE',
    });
    expect(
      (await kefu.app.inject({ method: 'POST', url: '/v1/knowledge/files?name=a.txt', payload: 'x' })).statusCode,
    ).toBe(401);
  });

  it('keeps tenants apart: the same file name in another tenant is a different document, invisible to the first', async () => {
    const bankFile = await upload(
      bankKey,
      '退换货政策.md',
      '# 银行卡挂失\n\n挂失后 24 小时内可补办新卡。',
      'text/markdown',
    );
    expect(bankFile.statusCode).toBe(201);
    expect(bankFile.json()).toMatchObject({ outcome: 'added', version: 1 });
    const bankList = (await kefu.app.inject({ url: '/v1/knowledge/files', headers: auth(bankKey) })).json();
    expect(bankList.files.map((file: { path: string }) => file.path)).toEqual(['退换货政策.md']);
    const shopList = (await kefu.app.inject({ url: '/v1/knowledge/files', headers: auth(shopKey) })).json();
    expect(shopList.files.find((file: { path: string }) => file.path === '退换货政策.md')).toMatchObject({
      version: 2,
    });
    // A path-like name cannot reach another tenant's or another source's document.
    const sneaky = await upload(bankKey, '../shop-zh/uploads/退换货政策.md', '# x\n\n覆盖', 'text/markdown');
    expect(sneaky.json()).toMatchObject({ path: '退换货政策.md', version: 2 });
    expect(
      (await kefu.app.inject({ url: '/v1/knowledge/files', headers: auth(shopKey) }))
        .json()
        .files.find((file: { path: string }) => file.path === '退换货政策.md'),
    ).toMatchObject({ version: 2 });
  });

  it('is described in the OpenAPI document', async () => {
    const openapi = (await kefu.app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/knowledge/files']));
    expect(
      openapi.paths['/v1/knowledge/files'].post.parameters.some(
        (parameter: { name: string }) => parameter.name === 'name',
      ),
    ).toBe(true);
  });
});

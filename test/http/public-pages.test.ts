import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '../../src/tenancy/index.js';
import { createTestKefu, type TestKefu } from '../support/test-kefu.js';

/**
 * Threat: the public pages of a production server (no demo tenants) tell strangers who its
 * tenants are, or what traffic they have.
 */
let kefu: TestKefu;

beforeAll(async () => {
  kefu = await createTestKefu({ KEFU_DEMO: 'false' });
}, 180_000);
afterAll(async () => kefu?.dispose());

describe('public pages without demo tenants', () => {
  it('/ lists no tenant, in any language', async () => {
    await createTenant(kefu.database.db, { slug: 'acme-private', name: '顶好私密商行', locale: 'zh-CN' });
    for (const lang of ['zh-CN', 'zh-TW', 'en']) {
      const page = await kefu.app.inject({ url: `/?lang=${lang}&tenant=acme-private` });
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('acme-private');
      expect(page.body).not.toContain('顶好私密商行');
      expect(page.body).toContain('/console');
    }
  });

  it('/metrics is not served unless enabled', async () => {
    const response = await kefu.app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('kefu_http_request_duration_seconds');
  });
});

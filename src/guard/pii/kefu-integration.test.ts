import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askOnce, createTestKefu, type TestKefu } from '../../../test/support/test-kefu.js';
import { setAgentPiiRead } from './agent-access.js';

// The one full-kefu test of the personal-data guard: a real turn stores a masked trace, and the
// agent console shows personal data only to an agent with pii:read.
let kefu: TestKefu;
beforeAll(async () => {
  kefu = await createTestKefu();
}, 180_000);
afterAll(async () => kefu?.dispose());

const MESSAGE = '我叫王小明，手机13800138000，身份证11010519491231002X，我的快递到哪了';
const SECRETS = /13800138000|11010519491231002X|王小明/;

describe('personal data in a live turn', () => {
  it('the stored trace is masked; the customer message itself is kept as written', async () => {
    const key = kefu.keyOf('shop-zh');
    const { body, trace } = await askOnce(kefu, key, MESSAGE);
    expect(JSON.stringify(trace)).not.toMatch(SECRETS);
    const stored = await kefu.database.db
      .selectFrom('turn_traces')
      .select('trace')
      .where('id', '=', body.turn.traceId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored.trace)).not.toMatch(SECRETS);
    expect(JSON.stringify(stored.trace)).toContain('〔手机号1〕');
    // The conversation record keeps what the customer wrote: masking is for copies, not the source.
    const inbound = await kefu.database.db
      .selectFrom('messages')
      .select('text')
      .where('direction', '=', 'incoming')
      .where('text', '=', MESSAGE)
      .execute();
    expect(inbound.length).toBeGreaterThan(0);
  });

  it('an agent without pii:read sees it masked; with the scope, as written', async () => {
    const key = kefu.keyOf('shop-zh');
    const inject = async (method: string, url: string, auth: string | null, payload?: object) => {
      const response = await kefu.app.inject({
        method: method as 'GET',
        url,
        headers: auth ? { authorization: `Bearer ${auth}` } : {},
        ...(payload ? { payload } : {}),
      });
      return { status: response.statusCode, body: response.body ? response.json() : null };
    };
    const conversation = await inject('POST', '/v1/conversations', key, {});
    await inject('POST', `/v1/conversations/${conversation.body.id}/messages`, key, { text: MESSAGE });
    const email = `pii-${Date.now().toString(36)}@example.com`;
    const created = await inject('POST', '/v1/agents', key, {
      email,
      name: '李娜',
      password: 'pass-word-123',
      skills: [],
    });
    expect(created.status).toBe(201);
    const login = await inject('POST', '/v1/agent/sessions', null, {
      tenant: 'shop-zh',
      email,
      password: 'pass-word-123',
    });
    expect(login.status).toBe(201);
    const view = async () =>
      JSON.stringify(
        (await inject('GET', `/v1/agent/conversations/${conversation.body.id}`, login.body.token)).body.messages,
      );

    const masked = await view();
    expect(masked).not.toMatch(SECRETS);
    expect(masked).toContain('〔手机号1〕');

    const tenantId = (
      await kefu.database.db.selectFrom('tenants').select('id').where('slug', '=', 'shop-zh').executeTakeFirstOrThrow()
    ).id;
    await setAgentPiiRead(kefu.database.db, tenantId, created.body.id as string, true);
    expect(await view()).toContain('13800138000');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { createAgent } from '../../handoff/index.js';
import { createTenant } from '../../tenancy/index.js';
import { agentCanReadPii, messagesForAgent, setAgentPiiRead } from './agent-access.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

describe('agents see personal data only with the pii:read scope', () => {
  it('a new agent has no pii:read; it can be granted and withdrawn, per tenant', async () => {
    const tenant = await createTenant(database.db, { slug: 'pii-scope', name: '个人信息 PII' });
    const other = await createTenant(database.db, { slug: 'pii-scope-other', name: 'Other' });
    const agent = await createAgent(database.db, tenant.id, {
      email: 'li@example.com',
      name: '李娜',
      password: 'password-123',
    });
    expect(await agentCanReadPii(database.db, tenant.id, agent.id)).toBe(false);
    expect(await setAgentPiiRead(database.db, tenant.id, agent.id, true)).toBe(true);
    expect(await agentCanReadPii(database.db, tenant.id, agent.id)).toBe(true);
    // Another tenant cannot reach this agent.
    expect(await setAgentPiiRead(database.db, other.id, agent.id, true)).toBe(false);
    expect(await agentCanReadPii(database.db, other.id, agent.id)).toBe(false);
    await setAgentPiiRead(database.db, tenant.id, agent.id, false);
    expect(await agentCanReadPii(database.db, tenant.id, agent.id)).toBe(false);
  });

  it('messages are masked in text and parts without the scope, as stored with it', () => {
    const messages = [
      { id: '1', text: '我的手机13800138000', parts: [{ type: 'text', text: '我的手机13800138000' }] },
      {
        id: '2',
        text: '还是13800138000',
        parts: [
          { type: 'text', text: '还是13800138000' },
          { type: 'handoff', reason: 'r' },
        ],
      },
    ];
    const masked = messagesForAgent(messages, false);
    expect(masked.map((message) => message.text)).toEqual(['我的手机〔手机号1〕', '还是〔手机号1〕']);
    expect(masked[1].parts).toEqual([
      { type: 'text', text: '还是〔手机号1〕' },
      { type: 'handoff', reason: 'r' },
    ]);
    expect(messagesForAgent(messages, true)).toBe(messages);
    expect(messages[0].text).toBe('我的手机13800138000'); // the stored message is untouched
  });
});

import { loadConfig } from '../../src/config/index.js';
import { createKefu, type Kefu } from '../../src/server/kefu.js';
import { createTestDatabase } from './test-database.js';

export interface TestKefu extends Kefu {
  dispose(): Promise<void>;
  keyOf(slug: string): string;
}

/** kefu with the demo tenants loaded, on a fresh test database, nothing listening. */
export async function createTestKefu(env: Record<string, string> = {}): Promise<TestKefu> {
  const database = await createTestDatabase();
  const config = loadConfig({
    env: { KEFU_DEMO: 'true', LOG_LEVEL: 'silent', KEFU_TODAY: '2026-11-25', ...env },
    cwd: process.cwd(),
  });
  const kefu = await createKefu(config, { database, logger: false });
  await kefu.app.ready();
  // Train (or load) the demo tenants' models now, so no test's first turn waits for it.
  for (const tenant of kefu.demo) {
    const row = await kefu.database.db
      .selectFrom('tenants')
      .select('id')
      .where('slug', '=', tenant.slug)
      .executeTakeFirstOrThrow();
    await kefu.runtimes.get(row.id);
  }
  return {
    ...kefu,
    keyOf(slug) {
      const tenant = kefu.demo.find((entry) => entry.slug === slug);
      if (!tenant) throw new Error(`no demo tenant ${slug}`);
      return tenant.apiKey;
    },
    async dispose() {
      await kefu.close();
      await database.dispose();
    },
  };
}

/** Starts a conversation with `key`, posts `text`, and returns the reply body and the turn's trace. */
export async function askOnce(kefu: Kefu, key: string, text: string): Promise<{ body: any; trace: any }> {
  const auth = { authorization: `Bearer ${key}` };
  const conversation = (
    await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth, payload: {} })
  ).json();
  const body = (
    await kefu.app.inject({
      method: 'POST',
      url: `/v1/conversations/${conversation.id}/messages`,
      headers: auth,
      payload: { text },
    })
  ).json();
  const trace = (await kefu.app.inject({ url: `/v1/traces/${body.turn.traceId}`, headers: auth })).json();
  return { body, trace };
}

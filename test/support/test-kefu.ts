import path from 'node:path';
import { loadConfig, type KefuConfig } from '../../src/config/index.js';
import { createKefu, type Kefu } from '../../src/server/kefu.js';
import { openTestDatabase } from './test-database.js';
import { loadDemoRuntimes, TEMPLATE_TODAY, type TemplateVariant } from './test-template.js';

/** The demo tenants whose runtimes createTestKefu builds before returning. */
const WARM_DEMO_TENANTS = ['shop-zh', 'bank-zh'];

export interface TestKefu extends Kefu {
  dispose(): Promise<void>;
  keyOf(slug: string): string;
}

/**
 * kefu with the demo tenants loaded, on a fresh test database of its own, nothing listening.
 *
 * With the demo packs on their default day the database is a copy of the run's demo template
 * (test/support/test-template.ts: imported and trained once per run), and createKefu starts on
 * it as a restart would (the import finds everything in place, the models load without
 * training). Any other demo setting (KEFU_TODAY, KEFU_DEMO_PACKS) and KEFU_DEMO=false start on
 * a copy of the migrated template, so the demo is imported here, from scratch.
 */
export async function createTestKefu(env: Record<string, string> = {}): Promise<TestKefu> {
  const config = loadConfig({
    env: { KEFU_DEMO: 'true', LOG_LEVEL: 'silent', KEFU_TODAY: TEMPLATE_TODAY, ...env },
    cwd: process.cwd(),
  });
  const database = await openTestDatabase(demoTemplateFor(config) ?? 'migrated');
  let kefu: Kefu | undefined;
  try {
    kefu = await createKefu(config, { database, logger: false });
    await kefu.app.ready();
    // Load the models of the demo tenants most tests talk to now, so no test's first turn waits
    // for it; the others (travel-zh) are built on their first turn, from the template's models.
    await loadDemoRuntimes(kefu, WARM_DEMO_TENANTS);
  } catch (error) {
    await kefu?.close().catch(() => undefined);
    await database.dispose().catch(() => undefined);
    throw error;
  }
  const started = kefu;
  return {
    ...started,
    keyOf(slug) {
      const tenant = started.demo.find((entry) => entry.slug === slug);
      if (!tenant) throw new Error(`no demo tenant ${slug}`);
      return tenant.apiKey;
    },
    async dispose() {
      await started.close();
      await database.dispose();
    },
  };
}

/** The demo template this config starts from, or null when the demo must be imported for real. */
function demoTemplateFor(config: KefuConfig): TemplateVariant | null {
  if (!config.demo.load || config.demo.today !== TEMPLATE_TODAY) return null;
  if (path.resolve(config.demo.packsDir) !== path.resolve('examples/packs')) return null;
  return config.nlu.mode === 'lexical' ? 'demo-lexical' : 'demo-classifier';
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

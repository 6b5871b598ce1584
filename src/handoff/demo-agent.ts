import type { Db } from '../store/database.js';
import { parseTenantSettings } from '../tenancy/tenant-settings.js';
import { createAgent, updateAgent } from './agents.js';
import { resolveHandoffSettings } from './handoff-settings.js';
import { generatePassword } from './password.js';

/**
 * Makes sure a demo tenant has a demo agent with every skill its queues need. The password is
 * kept in plaintext in system_settings (like the demo API keys) so the console can print it on
 * every start; it exists only when demo loading is on.
 */
export async function ensureDemoAgent(
  db: Db,
  tenantId: string,
  slug: string,
): Promise<{ email: string; password: string }> {
  const email = `agent@${slug}.demo`;
  const settingKey = `demo_agent_password:${slug}`;
  const stored = await db
    .selectFrom('system_settings')
    .select('value')
    .where('key', '=', settingKey)
    .executeTakeFirst();
  const existing = await db
    .selectFrom('agents')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('email', '=', email)
    .executeTakeFirst();
  if (stored && existing) return { email, password: stored.value };
  const tenant = await db
    .selectFrom('tenants')
    .select(['settings'])
    .where('id', '=', tenantId)
    .executeTakeFirstOrThrow();
  const { handoff } = parseTenantSettings(tenant.settings, slug);
  const skills = [...new Set(resolveHandoffSettings(handoff).queues.flatMap((queue) => queue.skills))];
  const password = stored?.value ?? generatePassword();
  if (!existing)
    await createAgent(db, tenantId, { email, name: '演示客服 Demo Agent', password, skills, maxConcurrent: 5 });
  else await updateAgent(db, tenantId, existing.id, { password, skills });
  if (!stored)
    await db
      .insertInto('system_settings')
      .values({ key: settingKey, value: password })
      .onConflict((c) => c.column('key').doNothing())
      .execute();
  return { email, password };
}

import { userInfo } from 'node:os';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { setAgentPiiRead } from '../../guard/pii/index.js';
import { listAgents } from '../../handoff/index.js';
import { recordAudit, requireTenantBySlug } from '../../tenancy/index.js';
import { print, withDatabase } from '../context.js';

/**
 * `kefu agent pii-read <tenant> <email> [--revoke]`: grants (or withdraws) the `pii:read` scope, with
 * which the console shows customers' personal data unmasked. Audited.
 */
export async function runAgentPiiRead(slug: string, email: string, options: { revoke?: boolean }): Promise<void> {
  await withDatabase(async (database) => {
    const tenant = await requireTenantBySlug(database.db, slug);
    const wanted = email.trim().toLowerCase();
    const agent = (await listAgents(database.db, tenant.id)).find((candidate) => candidate.email === wanted);
    if (!agent) throw new KefuError(ErrorCodes.validation, `no agent <${email}> in ${tenant.slug}`);
    const allowed = !options.revoke;
    await setAgentPiiRead(database.db, tenant.id, agent.id, allowed);
    await recordAudit(database.db, {
      tenantId: tenant.id,
      actor: `cli:${userInfo().username}`,
      action: allowed ? 'agent.pii_read.grant' : 'agent.pii_read.revoke',
      target: agent.id,
      details: { email: agent.email },
    });
    print(
      allowed
        ? `${agent.name} <${agent.email}> now sees personal data unmasked (pii:read)`
        : `${agent.name} <${agent.email}> now sees personal data masked`,
    );
  });
}

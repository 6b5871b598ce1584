import { userInfo } from 'node:os';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { createAgent, generatePassword } from '../../handoff/index.js';
import { recordAudit, requireTenantBySlug } from '../../tenancy/index.js';
import { print, withDatabase } from '../context.js';

/** `kefu agent create <tenant> --email --name --skills`: an agent console account. */
export async function runAgentCreate(
  slug: string,
  options: { email: string; name: string; skills?: string; password?: string; maxConcurrent?: string; json?: boolean },
): Promise<void> {
  if (!/^[^\s@]+@[^\s@]+$/.test(options.email))
    throw new KefuError(ErrorCodes.validation, `--email must be an email address, not "${options.email}"`);
  if (options.password !== undefined && options.password.length < 8)
    throw new KefuError(ErrorCodes.validation, '--password must be at least 8 characters');
  const maxConcurrent = options.maxConcurrent === undefined ? undefined : Number(options.maxConcurrent);
  if (maxConcurrent !== undefined && (!Number.isInteger(maxConcurrent) || maxConcurrent < 1 || maxConcurrent > 100)) {
    throw new KefuError(
      ErrorCodes.validation,
      `--max-concurrent must be a whole number from 1 to 100, not "${options.maxConcurrent}"`,
    );
  }
  // Skills may be separated by ASCII or full-width commas: 售后，投诉
  const skills = (options.skills ?? '')
    .split(/[,，、]/)
    .map((skill) => skill.trim())
    .filter(Boolean);
  const password = options.password ?? generatePassword();
  await withDatabase(async (database) => {
    const tenant = await requireTenantBySlug(database.db, slug);
    const agent = await createAgent(database.db, tenant.id, {
      email: options.email,
      name: options.name,
      password,
      skills,
      ...(maxConcurrent ? { maxConcurrent } : {}),
    });
    await recordAudit(database.db, {
      tenantId: tenant.id,
      actor: `cli:${userInfo().username}`,
      action: 'agent.create',
      target: agent.id,
      details: { email: agent.email, skills },
    });
    if (options.json)
      return print(
        JSON.stringify({
          id: agent.id,
          email: agent.email,
          skills: agent.skills,
          ...(options.password ? {} : { password }),
        }),
      );
    print(
      `Agent ${agent.name} <${agent.email}> for ${tenant.slug} (skills: ${agent.skills.join(', ') || 'none'}, up to ${agent.maxConcurrent} chats)`,
    );
    if (!options.password) print(`  password: ${password}   (shown once; log in with POST /v1/agent/sessions)`);
  });
}

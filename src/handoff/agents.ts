import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';
import type { AgentRow, Presence } from './handoff-tables.js';
import { hashPassword, verifyPassword } from './password.js';

export interface Agent {
  id: string;
  email: string;
  name: string;
  skills: string[];
  maxConcurrent: number;
  presence: Presence;
  disabled: boolean;
  activeCount: number;
  lastSeenAt: string | null;
}

export interface NewAgent {
  email: string;
  name: string;
  password: string;
  skills?: string[];
  maxConcurrent?: number;
}

export interface AgentPrincipal {
  tenantId: string;
  agentId: string;
  sessionId: string;
  name: string;
}

const TOKEN_PREFIX = 'kefu_at_';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function toAgent(row: AgentRow, activeCount = 0): Agent {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    skills: row.skills,
    maxConcurrent: row.max_concurrent,
    presence: row.presence,
    disabled: row.disabled_at !== null,
    activeCount,
    lastSeenAt: row.last_seen_at ? row.last_seen_at.toISOString() : null,
  };
}

/** Open (assigned) conversations per agent of a tenant. */
export async function activeCounts(db: Db, tenantId: string, agentIds?: string[]): Promise<Map<string, number>> {
  if (agentIds && agentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('handoffs')
    .select(['agent_id', sql<string>`count(*)`.as('count')])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'assigned')
    .$if(agentIds !== undefined, (query) => query.where('agent_id', 'in', agentIds!))
    .groupBy('agent_id')
    .execute();
  return new Map(rows.filter((row) => row.agent_id !== null).map((row) => [row.agent_id!, Number(row.count)]));
}

export async function createAgent(db: Db, tenantId: string, input: NewAgent): Promise<Agent> {
  const email = normalizeEmail(input.email);
  const inserted = await db
    .insertInto('agents')
    .values({
      id: randomUUID(),
      tenant_id: tenantId,
      email,
      name: input.name.trim(),
      password_hash: await hashPassword(input.password),
      skills: JSON.stringify([...new Set(input.skills ?? [])]),
      max_concurrent: input.maxConcurrent ?? 5,
    })
    .onConflict((conflict) => conflict.columns(['tenant_id', 'email']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted)
    throw new KefuError(ErrorCodes.agentExists, 'an agent with this email exists in the tenant', { status: 409 });
  return toAgent(inserted);
}

export async function listAgents(db: Db, tenantId: string): Promise<Agent[]> {
  const rows = await db
    .selectFrom('agents')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('name')
    .orderBy('email')
    .execute();
  const counts = await activeCounts(db, tenantId);
  return rows.map((row) => toAgent(row, counts.get(row.id) ?? 0));
}

export async function getAgent(db: Db, tenantId: string, agentId: string): Promise<Agent> {
  const row = await db
    .selectFrom('agents')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', agentId)
    .executeTakeFirst();
  if (!row) throw new KefuError(ErrorCodes.agentNotFound, 'agent not found', { status: 404 });
  const counts = await activeCounts(db, tenantId, [agentId]);
  return toAgent(row, counts.get(agentId) ?? 0);
}

export async function updateAgent(
  db: Db,
  tenantId: string,
  agentId: string,
  patch: { name?: string; skills?: string[]; maxConcurrent?: number; password?: string; disabled?: boolean },
): Promise<Agent> {
  // An empty patch changes nothing (an UPDATE with no SET would be invalid SQL).
  if (Object.values(patch).every((value) => value === undefined)) return getAgent(db, tenantId, agentId);
  const row = await db
    .updateTable('agents')
    .set({
      ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
      ...(patch.skills !== undefined ? { skills: JSON.stringify([...new Set(patch.skills)]) } : {}),
      ...(patch.maxConcurrent !== undefined ? { max_concurrent: patch.maxConcurrent } : {}),
      ...(patch.password !== undefined ? { password_hash: await hashPassword(patch.password) } : {}),
      ...(patch.disabled !== undefined ? { disabled_at: patch.disabled ? new Date() : null } : {}),
      ...(patch.disabled ? { presence: 'offline' as const, presence_changed_at: new Date() } : {}),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', agentId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new KefuError(ErrorCodes.agentNotFound, 'agent not found', { status: 404 });
  if (patch.disabled || patch.password !== undefined) {
    await db
      .updateTable('agent_sessions')
      .set({ revoked_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .where('revoked_at', 'is', null)
      .execute();
  }
  return getAgent(db, tenantId, row.id);
}

/**
 * Checks an agent's email and password and opens a session. Every failure (no such tenant or
 * email, wrong password, disabled) is the same 401, so nobody can probe which emails exist.
 */
export async function loginAgent(
  db: Db,
  input: { tenantSlug: string; email: string; password: string },
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: Date; agent: Agent }> {
  const row = await db
    .selectFrom('agents')
    .innerJoin('tenants', 'tenants.id', 'agents.tenant_id')
    .selectAll('agents')
    .where('tenants.slug', '=', input.tenantSlug)
    .where('tenants.status', '=', 'active')
    .where('agents.email', '=', normalizeEmail(input.email))
    .executeTakeFirst();
  // Hash even when there is no such agent, so the answer takes as long either way.
  const valid = await verifyPassword(input.password, row?.password_hash ?? DUMMY_HASH);
  if (!row || !valid || row.disabled_at !== null) {
    throw new KefuError(ErrorCodes.agentLoginFailed, 'wrong tenant, email or password', { status: 401 });
  }
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  await db
    .insertInto('agent_sessions')
    .values({
      id: randomUUID(),
      tenant_id: row.tenant_id,
      agent_id: row.id,
      token_hash: hashToken(token),
      expires_at: expiresAt,
    })
    .execute();
  await db.updateTable('agents').set({ last_seen_at: new Date() }).where('id', '=', row.id).execute();
  return { token, expiresAt, agent: await getAgent(db, row.tenant_id, row.id) };
}

// A valid hash of a random password: makes a login for an unknown email cost the same scrypt.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** The agent behind a bearer token, or null when it is unknown, expired, revoked or disabled. */
export type AgentTokenCheck =
  { ok: true; principal: AgentPrincipal } | { ok: false; reason: 'invalid' | 'tenant_suspended' };

/**
 * Checks an agent session token. A valid, unexpired, unrevoked token of an enabled agent whose
 * tenant is suspended learns that (403), like a tenant API key; anything else is just invalid (401).
 */
export async function checkAgentToken(db: Db, token: string): Promise<AgentTokenCheck> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return { ok: false, reason: 'invalid' };
  const row = await db
    .selectFrom('agent_sessions')
    .innerJoin('agents', 'agents.id', 'agent_sessions.agent_id')
    .innerJoin('tenants', 'tenants.id', 'agents.tenant_id')
    .select([
      'agent_sessions.id as session_id',
      'agent_sessions.expires_at',
      'agent_sessions.revoked_at',
      'agents.id as agent_id',
      'agents.tenant_id',
      'agents.name',
      'agents.disabled_at',
      'tenants.status',
    ])
    .where('agent_sessions.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || row.expires_at.getTime() <= Date.now() || row.disabled_at !== null)
    return { ok: false, reason: 'invalid' };
  if (row.status !== 'active') return { ok: false, reason: 'tenant_suspended' };
  return {
    ok: true,
    principal: { tenantId: row.tenant_id, agentId: row.agent_id, sessionId: row.session_id, name: row.name },
  };
}

/** The principal of a usable agent session token, or null (invalid, expired, revoked, or the tenant is suspended). */
export async function verifyAgentToken(db: Db, token: string): Promise<AgentPrincipal | null> {
  const check = await checkAgentToken(db, token);
  return check.ok ? check.principal : null;
}

export async function revokeAgentSession(db: Db, principal: AgentPrincipal): Promise<void> {
  await db
    .updateTable('agent_sessions')
    .set({ revoked_at: new Date() })
    .where('tenant_id', '=', principal.tenantId)
    .where('id', '=', principal.sessionId)
    .execute();
}

/** Marks the agent's console as present now (at most one write per `minIntervalMs`). */
export async function touchAgent(db: Db, tenantId: string, agentId: string, minIntervalMs = 5000): Promise<void> {
  await db
    .updateTable('agents')
    .set({ last_seen_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', agentId)
    .where((eb) =>
      eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', new Date(Date.now() - minIntervalMs))]),
    )
    .execute();
}

/**
 * Enabled agents who are online and whose console was seen after `seenAfter`, ordered by id:
 * the ones assignment may give a conversation to.
 */
export async function availableAgents(db: Db, tenantId: string, seenAfter: Date) {
  return db
    .selectFrom('agents')
    .select(['id', 'name', 'skills', 'max_concurrent'])
    .where('tenant_id', '=', tenantId)
    .where('disabled_at', 'is', null)
    .where('presence', '=', 'online')
    .where('last_seen_at', '>', seenAfter)
    .orderBy('id')
    .execute();
}

/**
 * Locks the agent's row inside `trx` and returns its capacity and how many conversations it holds.
 * Two nodes assigning to one agent at once then never push it over capacity.
 */
export async function lockAgentLoad(
  trx: Db,
  tenantId: string,
  agentId: string,
): Promise<{ maxConcurrent: number; active: number; disabled: boolean } | undefined> {
  const agent = await trx
    .selectFrom('agents')
    .select(['max_concurrent', 'disabled_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', agentId)
    .forUpdate()
    .executeTakeFirst();
  if (!agent) return undefined;
  const active = (await activeCounts(trx, tenantId, [agentId])).get(agentId) ?? 0;
  return { maxConcurrent: agent.max_concurrent, active, disabled: agent.disabled_at !== null };
}

import { sql } from 'kysely';
import type { Db } from '../../store/database.js';
import { PiiMasker, maskDeep } from './mask.js';

/** The agent scope that shows customers' personal data unmasked in the console. */
export const PII_READ_SCOPE = 'pii:read';

function scopesOf(value: unknown): string[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? parsed.filter((scope): scope is string => typeof scope === 'string') : [];
}

/** The agent's scopes (agents.scopes, migration 20261211-0200); none for an unknown agent. */
export async function agentScopes(db: Db, tenantId: string, agentId: string): Promise<string[]> {
  const result = await sql<{ scopes: unknown }>`
    select scopes from agents where tenant_id = ${tenantId} and id = ${agentId}`.execute(db);
  return result.rows.length === 0 ? [] : scopesOf(result.rows[0].scopes);
}

export async function agentCanReadPii(db: Db, tenantId: string, agentId: string): Promise<boolean> {
  return (await agentScopes(db, tenantId, agentId)).includes(PII_READ_SCOPE);
}

/** Grants or withdraws `pii:read`; returns false when no such agent exists in the tenant. */
export async function setAgentPiiRead(db: Db, tenantId: string, agentId: string, allowed: boolean): Promise<boolean> {
  const scopes = new Set(await agentScopes(db, tenantId, agentId));
  if (allowed) scopes.add(PII_READ_SCOPE);
  else scopes.delete(PII_READ_SCOPE);
  const result = await sql`
    update agents set scopes = ${JSON.stringify([...scopes])}::jsonb
    where tenant_id = ${tenantId} and id = ${agentId}`.execute(db);
  return (result.numAffectedRows ?? 0n) > 0n;
}

/**
 * What an agent sees of messages: as stored with `pii:read`, otherwise with personal data masked
 * in the text and every part (one masker per call, so a phone keeps its placeholder throughout).
 */
export function messagesForAgent<T extends { text: string; parts: unknown[] }>(messages: T[], piiRead: boolean): T[] {
  if (piiRead) return messages;
  const masker = new PiiMasker();
  return messages.map((message) => ({
    ...message,
    text: masker.mask(message.text),
    parts: maskDeep(message.parts, masker),
  }));
}

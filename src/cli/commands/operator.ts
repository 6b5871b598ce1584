import { writeFileSync } from 'node:fs';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { createOperatorKey, listOperatorKeys, revokeOperatorKey } from '../../operator/index.js';
import { auditCsv, queryAudit, recordAudit, type AuditRecord } from '../../tenancy/index.js';
import { print, withDatabase } from '../context.js';
import { cliIo } from '../io.js';

const actor = () => `cli:${process.env.USER ?? 'unknown'}`;

/** `kefu operator key create --name …`: the bootstrap path; the key is printed once. */
export async function runOperatorKeyCreate(options: { name: string; json?: boolean }): Promise<void> {
  const name = options.name.trim();
  if (name.length === 0 || name.length > 100)
    throw new KefuError(ErrorCodes.validation, '--name must be 1-100 characters');
  await withDatabase(async (database) => {
    const created = await database.db.transaction().execute(async (trx) => {
      const key = await createOperatorKey(trx, name);
      await recordAudit(trx, {
        tenantId: null,
        actor: actor(),
        action: 'operator_key.create',
        target: key.id,
        details: { name: key.name, prefix: key.prefix },
      });
      return key;
    });
    if (options.json) return print(JSON.stringify(created));
    print(`operator key "${created.name}" (${created.id}):`);
    print(`  ${created.key}`);
    print('It is shown only this once; kefu keeps only its hash. Use it as "authorization: Bearer …" on /operator/v1.');
  });
}

export async function runOperatorKeyList(options: { json?: boolean }): Promise<void> {
  await withDatabase(async (database) => {
    const keys = await listOperatorKeys(database.db);
    if (options.json) return print(JSON.stringify(keys));
    if (keys.length === 0) return print('no operator keys (create one with: kefu operator key create --name <name>)');
    for (const key of keys) {
      const state = key.revokedAt
        ? `revoked ${key.revokedAt.toISOString()}`
        : `last used ${key.lastUsedAt?.toISOString() ?? 'never'}`;
      print(`${key.id}  ${key.prefix}…  ${key.name}  created ${key.createdAt.toISOString()}  ${state}`);
    }
  });
}

export async function runOperatorKeyRevoke(id: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(id))
    throw new KefuError(ErrorCodes.validation, `"${id}" is not an operator key id (see kefu operator key list)`);
  await withDatabase(async (database) => {
    const changed = await database.db.transaction().execute(async (trx) => {
      const revoked = await revokeOperatorKey(trx, id);
      if (revoked)
        await recordAudit(trx, { tenantId: null, actor: actor(), action: 'operator_key.revoke', target: id });
      return revoked;
    });
    if (!changed) throw new KefuError(ErrorCodes.notFound, `no active operator key ${id}`);
    print(`revoked operator key ${id}`);
  });
}

/** `kefu operator audit --format csv|json [--out file]`: the whole (filtered) audit log, newest first. */
export async function runOperatorAudit(options: {
  tenant?: string;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  format?: string;
  out?: string;
}): Promise<void> {
  const format = options.format ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new KefuError(ErrorCodes.validation, '--format must be json or csv');
  const date = (value: string | undefined, flag: string) => {
    if (value === undefined) return undefined;
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime()))
      throw new KefuError(ErrorCodes.validation, `${flag} must be an ISO date or time, not "${value}"`);
    return parsed;
  };
  const from = date(options.from, '--from');
  const to = date(options.to, '--to');
  await withDatabase(async (database) => {
    let tenantId: string | undefined;
    if (options.tenant) {
      const row = await database.db
        .selectFrom('tenants')
        .select('id')
        .where(/^[0-9a-f-]{36}$/i.test(options.tenant) ? 'id' : 'slug', '=', options.tenant)
        .executeTakeFirst();
      tenantId = row?.id ?? (/^[0-9a-f-]{36}$/i.test(options.tenant) ? options.tenant : undefined);
      if (!tenantId) throw new KefuError(ErrorCodes.tenantNotFound, `no tenant "${options.tenant}"`);
    }
    const entries: AuditRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await queryAudit(database.db, {
        ...(tenantId ? { tenantId } : {}),
        ...(options.actor ? { actor: options.actor } : {}),
        ...(options.action ? { action: options.action } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      entries.push(...page.entries);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const text = format === 'csv' ? auditCsv(entries) : `${JSON.stringify({ entries }, null, 2)}\n`;
    if (options.out) {
      writeFileSync(options.out, text);
      print(`wrote ${entries.length} audit entries to ${options.out}`);
    } else {
      cliIo().stdout(text);
    }
  });
}

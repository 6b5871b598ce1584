import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../store/database.js';
import { recordAudit } from '../tenancy/audit.js';
import { toStoredTenantSettings } from '../tenancy/tenant-settings.js';
import type { TenantPack } from './load-pack.js';
import { settingsFromPack } from './pack-settings.js';

export interface ChangeCount {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
}

export interface ImportResult {
  tenantId: string;
  slug: string;
  created: boolean;
  faq: ChangeCount;
  documents: ChangeCount;
  intents: number;
  playbooks: number;
  tables: Record<string, number>;
}

function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

const emptyCount = (): ChangeCount => ({ added: 0, changed: 0, removed: 0, unchanged: 0 });

/**
 * Loads a validated pack into the database in one transaction. Importing the same pack twice
 * changes nothing (FAQ entries and documents keep their version unless their content changed);
 * conversations and channels in use are never deleted by an import.
 */
export async function importPack(db: Db, pack: TenantPack, options: { actor: string }): Promise<ImportResult> {
  return db.transaction().execute(async (trx) => {
    const { slug, name, locale, domain, channels } = pack.tenant;
    // loadPack checked these already; checking again here keeps a hand-built pack from storing
    // settings that would fail when the tenant's runtime loads.
    const settings = toStoredTenantSettings(settingsFromPack(pack), slug);
    const existing = await trx
      .selectFrom('tenants')
      .select(['id'])
      .where('slug', '=', slug)
      .forUpdate()
      .executeTakeFirst();
    const tenantId = existing?.id ?? randomUUID();
    if (existing) {
      await trx
        .updateTable('tenants')
        .set({ name, locale, domain, settings: JSON.stringify(settings), updated_at: new Date() })
        .where('id', '=', tenantId)
        .execute();
    } else {
      await trx
        .insertInto('tenants')
        .values({ id: tenantId, slug, name, locale, domain, status: 'active', settings: JSON.stringify(settings) })
        .execute();
    }

    const wantedChannels =
      channels.length > 0
        ? channels
        : [
            { kind: 'widget' as const, name: 'widget' },
            { kind: 'api' as const, name: 'api' },
          ];
    for (const channel of wantedChannels) {
      await trx
        .insertInto('channels')
        .values({ id: randomUUID(), tenant_id: tenantId, kind: channel.kind, name: channel.name, config: '{}' })
        .onConflict((conflict) => conflict.columns(['tenant_id', 'kind', 'name']).doNothing())
        .execute();
    }

    await trx.deleteFrom('intents').where('tenant_id', '=', tenantId).execute();
    for (const [position, intent] of pack.intents.entries()) {
      await trx
        .insertInto('intents')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          name: intent.name,
          description: intent.description ?? null,
          route: intent.route,
          threshold: intent.threshold ?? null,
          examples: JSON.stringify(intent.examples),
          answer: intent.answer ?? null,
          playbook: intent.playbook ?? null,
          position,
        })
        .execute();
    }

    const faq = emptyCount();
    const currentFaq = new Map(
      (
        await trx
          .selectFrom('faq_entries')
          .select(['id', 'external_id', 'content_hash', 'version'])
          .where('tenant_id', '=', tenantId)
          .execute()
      ).map((row) => [row.external_id, row]),
    );
    for (const [position, entry] of pack.faq.entries()) {
      const content = {
        question: entry.question,
        answer: entry.answer,
        alternatives: entry.alternatives,
        category: entry.category,
        sensitive: entry.sensitive,
        // Only when given, so the hashes (and versions) of entries without them stay as they were.
        ...(entry.answers ? { answers: entry.answers } : {}),
      };
      const hash = contentHash(content);
      const current = currentFaq.get(entry.id);
      currentFaq.delete(entry.id);
      const values = {
        question: entry.question,
        answer: entry.answer,
        alternatives: JSON.stringify(entry.alternatives),
        category: entry.category,
        sensitive: entry.sensitive,
        answers: entry.answers ? JSON.stringify(entry.answers) : null,
        content_hash: hash,
        position,
      };
      if (!current) {
        faq.added += 1;
        await trx
          .insertInto('faq_entries')
          .values({ id: randomUUID(), tenant_id: tenantId, external_id: entry.id, version: 1, ...values })
          .execute();
      } else if (current.content_hash !== hash) {
        faq.changed += 1;
        await trx
          .updateTable('faq_entries')
          .set({ ...values, version: current.version + 1, updated_at: new Date() })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', current.id)
          .execute();
      } else {
        faq.unchanged += 1;
        await trx
          .updateTable('faq_entries')
          .set({ position })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', current.id)
          .execute();
      }
    }
    for (const removed of currentFaq.values()) {
      faq.removed += 1;
      await trx.deleteFrom('faq_entries').where('tenant_id', '=', tenantId).where('id', '=', removed.id).execute();
    }

    const documents = emptyCount();
    const currentDocuments = new Map(
      (
        await trx
          .selectFrom('documents')
          .select(['id', 'path', 'content_hash', 'version'])
          .where('tenant_id', '=', tenantId)
          .execute()
      ).map((row) => [row.path, row]),
    );
    for (const document of pack.documents) {
      const hash = contentHash(document.content);
      const current = currentDocuments.get(document.path);
      currentDocuments.delete(document.path);
      if (!current) {
        documents.added += 1;
        await trx
          .insertInto('documents')
          .values({
            id: randomUUID(),
            tenant_id: tenantId,
            path: document.path,
            title: document.title,
            content: document.content,
            content_hash: hash,
            version: 1,
          })
          .execute();
      } else if (current.content_hash !== hash) {
        documents.changed += 1;
        await trx
          .updateTable('documents')
          .set({
            title: document.title,
            content: document.content,
            content_hash: hash,
            version: current.version + 1,
            updated_at: new Date(),
          })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', current.id)
          .execute();
      } else documents.unchanged += 1;
    }
    for (const removed of currentDocuments.values()) {
      documents.removed += 1;
      await trx.deleteFrom('documents').where('tenant_id', '=', tenantId).where('id', '=', removed.id).execute();
    }

    await trx.deleteFrom('playbooks').where('tenant_id', '=', tenantId).execute();
    for (const playbook of pack.playbooks) {
      await trx
        .insertInto('playbooks')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          name: playbook.name,
          source: playbook.source,
          definition: JSON.stringify(playbook.definition),
        })
        .execute();
    }

    await trx.deleteFrom('connector_records').where('tenant_id', '=', tenantId).execute();
    const tables: Record<string, number> = {};
    for (const table of pack.tables) {
      tables[table.name] = table.rows.length;
      const rows = table.rows.map((data, position) => ({
        id: randomUUID(),
        tenant_id: tenantId,
        table_name: table.name,
        position,
        data: JSON.stringify(data),
      }));
      for (let start = 0; start < rows.length; start += 500) {
        await trx
          .insertInto('connector_records')
          .values(rows.slice(start, start + 500))
          .execute();
      }
    }

    await recordAudit(trx, {
      tenantId,
      actor: options.actor,
      action: existing ? 'pack.reimport' : 'pack.import',
      target: slug,
      details: { faq, documents, intents: pack.intents.length },
    });

    return {
      tenantId,
      slug,
      created: !existing,
      faq,
      documents,
      intents: pack.intents.length,
      playbooks: pack.playbooks.length,
      tables,
    };
  });
}

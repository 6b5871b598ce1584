import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { readFaqLocaleAnswers } from '../knowledge/faq-sheet.js';
import { stringify as stringifyYaml } from 'yaml';
import { KefuError, ErrorCodes } from '../errors/index.js';
import type { Db } from '../store/database.js';
import { parseTenantSettings } from '../tenancy/tenant-settings.js';
import { requireTenantBySlug } from '../tenancy/tenants.js';

export interface ExportResult {
  directory: string;
  files: string[];
}

/** Writes a tenant back out as a pack folder that re-imports to the same state. */
export async function exportPack(db: Db, slug: string, directory: string): Promise<ExportResult> {
  const tenant = await requireTenantBySlug(db, slug);
  // Settings that do not parse are reported, not exported: a pack written from them would not load.
  const settings = parseTenantSettings(tenant.settings, tenant.slug);
  const files: string[] = [];
  const write = (relative: string, content: string) => {
    const safe = path.posix.normalize(relative);
    if (safe.startsWith('..') || path.isAbsolute(safe)) {
      throw new KefuError(ErrorCodes.packInvalid, `refusing to write outside the pack folder: ${relative}`);
    }
    const file = path.join(directory, safe);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    files.push(safe);
  };

  const channels = await db
    .selectFrom('channels')
    .select(['kind', 'name'])
    .where('tenant_id', '=', tenant.id)
    .orderBy('created_at')
    .orderBy('name')
    .execute();
  const {
    version: _version,
    style,
    dictionary,
    connectorTables,
    timezone,
    gate,
    messages,
    connectors,
    ...extra
  } = settings;
  write(
    'tenant.yaml',
    stringifyYaml({
      slug: tenant.slug,
      name: tenant.name,
      locale: tenant.locale,
      domain: tenant.domain,
      timezone,
      ...(gate === undefined ? {} : { gate }),
      messages,
      channels,
      ...extra,
      ...(connectors.length > 0 ? { connectors } : {}),
    }),
  );

  const intents = await db
    .selectFrom('intents')
    .selectAll()
    .where('tenant_id', '=', tenant.id)
    .orderBy('position')
    .execute();
  if (intents.length > 0) {
    write(
      'intents.yaml',
      stringifyYaml({
        intents: intents.map((intent) => ({
          name: intent.name,
          ...(intent.description === null ? {} : { description: intent.description }),
          route: intent.route,
          ...(intent.threshold === null ? {} : { threshold: intent.threshold }),
          examples: intent.examples,
          ...(intent.answer === null ? {} : { answer: intent.answer }),
          ...(intent.playbook === null ? {} : { playbook: intent.playbook }),
        })),
      }),
    );
  }

  const faq = await db
    .selectFrom('faq_entries')
    .selectAll()
    .where('tenant_id', '=', tenant.id)
    .orderBy('position')
    .execute();
  if (faq.length > 0) {
    // Answers per locale (答案_en, 答案_zh-TW) only as columns that some entry uses.
    const localeAnswers = faq.map((entry) => readFaqLocaleAnswers(entry.answers).answers ?? {});
    const locales = (['en', 'zh-TW'] as const).filter((locale) => localeAnswers.some((answers) => answers[locale]));
    write(
      'faq.csv',
      stringifyCsv([
        ['id', '问题', '答案', '相似问法', '类别', '敏感', ...locales.map((locale) => `答案_${locale}`)],
        ...faq.map((entry, index) => [
          entry.external_id,
          entry.question,
          entry.answer,
          entry.alternatives.join('|'),
          entry.category ?? '',
          entry.sensitive ? 'yes' : 'no',
          ...locales.map((locale) => localeAnswers[index]![locale] ?? ''),
        ]),
      ]),
    );
  }

  const documents = await db
    .selectFrom('documents')
    .select(['path', 'content'])
    .where('tenant_id', '=', tenant.id)
    .orderBy('path')
    .execute();
  for (const document of documents) write(document.path, document.content);

  const playbooks = await db
    .selectFrom('playbooks')
    .select(['name', 'source'])
    .where('tenant_id', '=', tenant.id)
    .orderBy('name')
    .execute();
  for (const playbook of playbooks) write(`playbooks/${playbook.name}.yaml`, playbook.source);

  for (const [name, columns] of Object.entries(connectorTables)) {
    const records = await db
      .selectFrom('connector_records')
      .select(['data'])
      .where('tenant_id', '=', tenant.id)
      .where('table_name', '=', name)
      .orderBy('position')
      .execute();
    write(
      `data/${name}.csv`,
      stringifyCsv([columns, ...records.map((record) => columns.map((column) => record.data[column] ?? ''))]),
    );
  }

  if (dictionary.length > 0) write('dictionary.txt', `${dictionary.join('\n')}\n`);
  if (style) write('style.yaml', stringifyYaml(style));
  return { directory, files };
}

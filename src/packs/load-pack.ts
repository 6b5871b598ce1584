import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { parseFaqSheet, type FaqEntry } from '../knowledge/faq-sheet.js';
import { validatePlaybook } from '../playbooks/playbook-schema.js';
import { builtinTools } from '../tools/index.js';
import { checkTenantSettings, TENANT_SETTINGS_VERSION } from '../tenancy/tenant-settings.js';
import {
  intentSchema,
  intentsFileSchema,
  styleFileSchema,
  TENANT_FILE_FIELDS,
  tenantFileSchema,
  type IntentDefinition,
  type StyleGuide,
  type TenantFile,
} from './pack-schema.js';
import { settingsFromPack } from './pack-settings.js';

/** A problem found in a pack, located by file and (where known) line. */
export interface PackProblem {
  severity: 'error' | 'warning';
  file: string;
  line: number | null;
  message: string;
}

export interface PackDocument {
  path: string;
  title: string | null;
  content: string;
}

export interface PackPlaybook {
  name: string;
  source: string;
  definition: Record<string, unknown>;
}

export interface PackTable {
  name: string;
  columns: string[];
  rows: Record<string, string>[];
}

/** Everything a tenant pack folder says, parsed. */
export interface TenantPack {
  tenant: TenantFile;
  intents: IntentDefinition[];
  faq: FaqEntry[];
  documents: PackDocument[];
  playbooks: PackPlaybook[];
  tables: PackTable[];
  dictionary: string[];
  style: StyleGuide | null;
}

export interface LoadedPack {
  pack: TenantPack | null;
  problems: PackProblem[];
}

const MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * Reads and validates a pack folder. Every problem is reported with its file and line; the pack
 * is null when any problem is an error (warnings, such as one bad FAQ row, still load the rest).
 */
export function loadPack(directory: string): LoadedPack {
  const problems: PackProblem[] = [];
  const error = (file: string, line: number | null, message: string) =>
    problems.push({ severity: 'error', file, line, message });
  const warning = (file: string, line: number | null, message: string) =>
    problems.push({ severity: 'warning', file, line, message });

  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    return { pack: null, problems: [{ severity: 'error', file: directory, line: null, message: 'not a folder' }] };
  }
  // A pack is a folder of its own: a symbolic link that leads out of it (to /etc/passwd, another
  // tenant's pack, a key file) is refused, so importing a pack reads nothing beside it.
  const root = realpathSync(directory);
  const inside = (relative: string): string | null => {
    const file = path.join(directory, relative);
    if (!existsSync(file)) return null;
    const real = realpathSync(file);
    if (real !== root && !real.startsWith(root + path.sep)) {
      error(relative, null, 'a symbolic link that leads outside the pack folder; copy the file into the pack');
      return null;
    }
    return file;
  };
  const read = (relative: string): string | null => {
    const file = inside(relative);
    if (file === null) return null;
    if (statSync(file).size > MAX_FILE_BYTES) {
      error(relative, null, `larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
      return null;
    }
    const bytes = readFileSync(file);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (text.includes('\uFFFD')) warning(relative, null, 'not valid UTF-8; undecodable bytes were replaced');
    return text.replace(/^\uFEFF/, '');
  };

  const tenantText = read('tenant.yaml') ?? read('tenant.yml');
  let tenant: TenantFile | null = null;
  let tenantLine: Locate = () => null;
  if (tenantText === null)
    error('tenant.yaml', null, 'missing: every pack needs tenant.yaml with at least slug and name');
  else {
    tenant = parseYamlFile('tenant.yaml', tenantText, tenantFileSchema, error, undefined, (raw, locate, locateKey) => {
      tenantLine = locate;
      // A misspelt section (`handof:`) would otherwise leave its defaults in force without a word.
      for (const key of Object.keys(raw as Record<string, unknown>)) {
        if (TENANT_FILE_FIELDS.has(key)) continue;
        warning('tenant.yaml', locateKey(key), `unknown field "${key}": kefu does not read it`);
      }
    });
  }

  const intentsText = read('intents.yaml') ?? read('intents.yml');
  let intents: IntentDefinition[] = [];
  if (intentsText !== null) {
    const parsed = parseYamlFile('intents.yaml', intentsText, intentsFileSchema, error, (raw) => {
      // Keep the intents that are valid so cross-references are still checked and reported.
      const items = (raw as { intents?: unknown })?.intents;
      intents = Array.isArray(items)
        ? items.flatMap((item) => {
            const result = intentSchema.safeParse(item);
            return result.success ? [result.data] : [];
          })
        : [];
    });
    if (parsed) intents = parsed.intents;
    {
      const seen = new Set<string>();
      for (const intent of intents) {
        if (seen.has(intent.name)) error('intents.yaml', null, `intent "${intent.name}" is defined twice`);
        seen.add(intent.name);
      }
    }
  }

  let faq: FaqEntry[] = [];
  for (const name of ['faq.csv', 'faq.xlsx']) {
    const file = inside(name);
    if (file === null) continue;
    const result = parseFaqSheet(readFileSync(file), name);
    faq = result.entries;
    for (const problem of result.problems) {
      // A sheet that cannot be read at all is an error; a bad row is a warning (the rest loads).
      (problem.row === null && result.entries.length === 0 ? error : warning)(name, problem.row, problem.message);
    }
    break;
  }

  const documents: PackDocument[] = [];
  for (const relative of listFiles(directory, 'docs', ['.md', '.markdown', '.txt'])) {
    const content = read(relative);
    if (content === null) continue;
    if (content.trim().length === 0) {
      warning(relative, null, 'empty document skipped');
      continue;
    }
    const heading = /^#\s+(.+)$/m.exec(content);
    documents.push({ path: relative, title: heading ? heading[1].trim() : null, content });
  }

  const playbooks: PackPlaybook[] = [];
  for (const relative of listFiles(directory, 'playbooks', ['.yaml', '.yml', '.json'])) {
    const source = read(relative);
    if (source === null) continue;
    const lineCounter = new LineCounter();
    const document = parseDocument(source, { lineCounter });
    if (document.errors.length > 0) {
      for (const problem of document.errors)
        error(relative, problem.linePos?.[0]?.line ?? null, problem.message.split('\n')[0]);
      continue;
    }
    const definition = document.toJS() as unknown;
    if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
      error(relative, 1, 'a playbook must be a mapping with at least `name` and `steps`');
      continue;
    }
    const { problems: playbookProblems } = validatePlaybook(definition, new Set(builtinTools.keys()));
    for (const problem of playbookProblems) {
      const keyPath = problem.path
        .split('.')
        .filter(Boolean)
        .map((key) => (/^\d+$/.test(key) ? Number(key) : key));
      error(
        relative,
        lineOf(document, lineCounter, keyPath),
        `${problem.path ? `${problem.path}: ` : ''}${problem.message}`,
      );
    }
    if (playbookProblems.length > 0) continue;
    const name = (definition as Record<string, unknown>).name;
    playbooks.push({
      name: typeof name === 'string' && name.length > 0 ? name : path.basename(relative).replace(/\.(ya?ml|json)$/, ''),
      source,
      definition: definition as Record<string, unknown>,
    });
  }

  const tables: PackTable[] = [];
  for (const relative of listFiles(directory, 'data', ['.csv'])) {
    const text = read(relative);
    if (text === null) continue;
    try {
      const records = parseCsv(text, {
        columns: false,
        skip_empty_lines: true,
        relax_column_count: false,
        trim: true,
      }) as string[][];
      const [header, ...rows] = records;
      if (!header || header.length === 0) {
        error(relative, 1, 'empty table: the first row must name the columns');
        continue;
      }
      tables.push({
        name: path.basename(relative, '.csv'),
        columns: header,
        rows: rows.map((cells) => Object.fromEntries(header.map((column, index) => [column, cells[index] ?? '']))),
      });
    } catch (problem) {
      const line = (problem as { lines?: number }).lines ?? null;
      error(relative, line, (problem as Error).message);
    }
  }

  const dictionaryText = read('dictionary.txt');
  const dictionary =
    dictionaryText === null
      ? []
      : dictionaryText
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter((line) => line.length > 0 && !line.startsWith('#'));

  const styleText = read('style.yaml') ?? read('style.yml');
  const style = styleText === null ? null : parseYamlFile('style.yaml', styleText, styleFileSchema, error);

  // Cross-references: an intent's playbook must exist; FAQ ids and intent names must not collide.
  const playbookNames = new Set(playbooks.map((playbook) => playbook.name));
  for (const intent of intents) {
    if (intent.playbook && !playbookNames.has(intent.playbook)) {
      error(
        'intents.yaml',
        null,
        `intent "${intent.name}" names playbook "${intent.playbook}", which is not in playbooks/`,
      );
    }
  }
  const intentNames = new Set(intents.map((intent) => intent.name));
  for (const entry of faq)
    if (intentNames.has(entry.id)) error('faq.csv', entry.row, `FAQ id "${entry.id}" is also an intent name`);

  // The settings as they will be stored must read back; the tenant file schema shares their
  // parts, so this only speaks when the two drift apart, and then it names the field.
  if (tenant !== null) {
    const stored = { ...settingsFromPack({ tenant, style, dictionary, tables }), version: TENANT_SETTINGS_VERSION };
    const checked = checkTenantSettings(stored);
    for (const problem of checked.problems) {
      const [head, ...rest] = problem.path.split('.');
      const inStyle = head === 'style';
      const keyPath = (inStyle ? rest : [head, ...rest]).map((key) => (/^\d+$/.test(key) ? Number(key) : key));
      error(
        inStyle ? 'style.yaml' : 'tenant.yaml',
        inStyle ? null : tenantLine(keyPath),
        `${problem.path}: ${problem.message}`,
      );
    }
  }

  const hasErrors = problems.some((problem) => problem.severity === 'error');
  if (hasErrors || tenant === null) return { pack: null, problems };
  return { pack: { tenant, intents, faq, documents, playbooks, tables, dictionary, style }, problems };
}

function listFiles(directory: string, folder: string, extensions: readonly string[]): string[] {
  const root = path.join(directory, folder);
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(directory, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (extensions.some((extension) => entry.name.toLowerCase().endsWith(extension))) found.push(child);
    }
  };
  walk(folder);
  return found.sort();
}

/** The line of a key path in a parsed YAML file, or null. */
type Locate = (keyPath: (string | number)[]) => number | null;

function parseYamlFile<T extends z.ZodTypeAny>(
  file: string,
  text: string,
  schema: T,
  error: (file: string, line: number | null, message: string) => void,
  onInvalid?: (raw: unknown) => void,
  onParsed?: (raw: unknown, locate: Locate, locateKey: (key: string) => number | null) => void,
): z.infer<T> | null {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    for (const problem of document.errors)
      error(file, problem.linePos?.[0]?.line ?? null, problem.message.split('\n')[0]);
    return null;
  }
  const raw: unknown = document.toJS() ?? {};
  if (onParsed && typeof raw === 'object' && !Array.isArray(raw)) {
    onParsed(
      raw,
      (keyPath) => lineOf(document, lineCounter, keyPath),
      (key) => lineOfKey(document, lineCounter, key),
    );
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  onInvalid?.(raw);
  for (const issue of result.error.issues) {
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    error(file, lineOf(document, lineCounter, issue.path as (string | number)[]), `${where}${issue.message}`);
  }
  return null;
}

/** Line of a top-level key (not of its value, which may start on the next line). */
function lineOfKey(document: Document, lineCounter: LineCounter, key: string): number | null {
  const contents = document.contents;
  if (!isMap(contents)) return null;
  const pair = contents.items.find((item) => isScalar(item.key) && item.key.value === key);
  const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
  return range ? lineCounter.linePos(range[0]).line : null;
}

/** Line of the deepest node of `keyPath` that exists in the YAML document. */
function lineOf(document: Document, lineCounter: LineCounter, keyPath: (string | number)[]): number | null {
  for (let length = keyPath.length; length >= 0; length -= 1) {
    const node = length === 0 ? document.contents : document.getIn(keyPath.slice(0, length), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lineCounter.linePos(range[0]).line;
  }
  return null;
}

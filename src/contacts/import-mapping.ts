import {
  CONSENT_KEYS,
  isTimeZone,
  normalizeEmail,
  normalizePhone,
  type AttributeValue,
  type ContactInput,
} from './profile.js';

/**
 * The column mapping of a contacts import (docs/personal.md): which column feeds which profile
 * field. Headers in Chinese (Simplified or Traditional) or English map themselves; `--map
 * 列名=field` adds to or overrides that. Pure: parsing one row never touches the database.
 */

export type AttributeType = 'string' | 'number' | 'boolean' | 'date';

export type FieldTarget =
  | { kind: 'name' }
  | { kind: 'phone' }
  | { kind: 'email' }
  | { kind: 'external_id'; source: string }
  | { kind: 'tier' }
  | { kind: 'tags' }
  | { kind: 'time_zone' }
  | { kind: 'locale' }
  | { kind: 'consent'; key: (typeof CONSENT_KEYS)[number] }
  | { kind: 'attribute'; name: string; type: AttributeType }
  | { kind: 'ignore' };

/** Header aliases, compared after lower-casing and removing spaces, `_` and `-`. */
const ALIASES: Record<string, string[]> = {
  name: [
    'name',
    'fullname',
    'customername',
    'contactname',
    '姓名',
    '名字',
    '客户姓名',
    '客户名称',
    '客戶姓名',
    '聯絡人',
  ],
  phone: [
    'phone',
    'mobile',
    'phonenumber',
    'tel',
    'telephone',
    'cell',
    '手机',
    '手机号',
    '手机号码',
    '电话',
    '联系电话',
    '手機',
    '手機號碼',
    '電話',
    '聯絡電話',
  ],
  email: ['email', 'e-mail', 'mail', 'emailaddress', '邮箱', '电子邮箱', '邮件', '郵箱', '電子郵件', '電郵'],
  external_id: [
    'externalid',
    'userid',
    'customerid',
    'memberid',
    'crmid',
    'id',
    '会员号',
    '会员id',
    '会员编号',
    '用户id',
    '客户编号',
    '客户id',
    '會員號',
    '會員編號',
    '用戶id',
    '客戶編號',
  ],
  tier: ['tier', 'level', 'membership', 'memberlevel', 'vip', '会员等级', '等级', '会员级别', '會員等級', '等級'],
  tags: ['tags', 'tag', 'labels', '标签', '標籤'],
  time_zone: ['timezone', 'tz', '时区', '時區'],
  locale: ['locale', 'language', 'lang', '语言', '語言'],
};

const canonical = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');

/** `attr.points:number`, `ext.taobao`, `consent.offers`, `name`, `ignore` → a target, or an error message. */
export function parseTarget(spec: string): FieldTarget | string {
  const value = spec.trim();
  const simple = ['name', 'phone', 'email', 'tier', 'tags', 'time_zone', 'locale', 'ignore'] as const;
  if ((simple as readonly string[]).includes(value)) return { kind: value as (typeof simple)[number] } as FieldTarget;
  if (value === 'external_id') return { kind: 'external_id', source: 'user' };
  const ext = /^ext\.([a-z][a-z0-9_-]{0,31})$/.exec(value);
  if (ext) return { kind: 'external_id', source: ext[1]! };
  const consent = /^consent\.(\w+)$/.exec(value);
  if (consent) {
    const key = consent[1]!;
    if (!(CONSENT_KEYS as readonly string[]).includes(key))
      return `unknown consent "${key}" (use ${CONSENT_KEYS.map((k) => `consent.${k}`).join(', ')})`;
    return { kind: 'consent', key: key as (typeof CONSENT_KEYS)[number] };
  }
  const attribute = /^attr\.([\p{L}\p{N}_][\p{L}\p{N}_.-]{0,63}?)(?::(string|number|boolean|date))?$/u.exec(value);
  if (attribute) return { kind: 'attribute', name: attribute[1]!, type: (attribute[2] ?? 'string') as AttributeType };
  return `unknown field "${value}" (use name, phone, email, external_id, ext.<source>, tier, tags, time_zone, locale, consent.<key>, attr.<name>[:string|number|boolean|date] or ignore)`;
}

export interface ColumnMapping {
  /** One target per column, by index; `ignore` for columns nothing reads. */
  targets: FieldTarget[];
  /** Headers that mapped to nothing (reported, not an error). */
  ignored: string[];
}

/** Maps a header row: explicit `--map` entries first, then the aliases. Errors name the column. */
export function buildMapping(
  headers: readonly string[],
  explicit: Readonly<Record<string, string>> = {},
): { mapping: ColumnMapping; errors: string[] } {
  const errors: string[] = [];
  const byHeader = new Map<string, string>();
  for (const [column, target] of Object.entries(explicit)) {
    if (!headers.some((header) => header.trim() === column.trim() || canonical(header) === canonical(column)))
      errors.push(`--map ${column}=${target}: the file has no column "${column}" (columns: ${headers.join(', ')})`);
    byHeader.set(canonical(column), target);
  }
  const targets: FieldTarget[] = [];
  const ignored: string[] = [];
  const singletons = new Set<string>();
  headers.forEach((header) => {
    const spec = byHeader.get(canonical(header)) ?? aliasOf(header);
    if (!spec) {
      targets.push({ kind: 'ignore' });
      if (header.trim()) ignored.push(header);
      return;
    }
    const target = parseTarget(spec);
    if (typeof target === 'string') {
      errors.push(`column "${header}": ${target}`);
      targets.push({ kind: 'ignore' });
      return;
    }
    const key =
      target.kind === 'attribute'
        ? `attr.${target.name}`
        : target.kind === 'external_id'
          ? `ext.${target.source}`
          : target.kind === 'consent'
            ? `consent.${target.key}`
            : target.kind;
    if (
      ['name', 'tier', 'time_zone', 'locale'].includes(target.kind) ||
      key.startsWith('ext.') ||
      key.startsWith('attr.') ||
      key.startsWith('consent.')
    ) {
      if (singletons.has(key)) errors.push(`column "${header}": another column already feeds ${key}`);
      singletons.add(key);
    }
    targets.push(target);
  });
  if (!targets.some((target) => target.kind === 'external_id' || target.kind === 'phone' || target.kind === 'email'))
    errors.push('no column identifies a contact: map one to external_id (or ext.<source>), phone or email');
  return { mapping: { targets, ignored }, errors };
}

function aliasOf(header: string): string | null {
  const key = canonical(header);
  for (const [field, aliases] of Object.entries(ALIASES)) if (aliases.includes(key)) return field;
  return null;
}

export interface RowProblem {
  field: string;
  code: 'bad_phone' | 'bad_email' | 'bad_value' | 'no_identifier' | 'too_long';
  message: string;
}

const TRUE = new Set(['true', 'yes', 'y', '1', '是', '对', '對', '同意', 'on']);
const FALSE = new Set(['false', 'no', 'n', '0', '否', '不', '不同意', 'off']);

export function parseTyped(raw: string, type: AttributeType): AttributeValue | undefined {
  const value = raw.trim();
  if (type === 'string') return value;
  if (type === 'number') {
    const cleaned = value.replace(/[,，\s]/g, '').replace(/^[¥￥$]/, '');
    return /^-?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : undefined;
  }
  if (type === 'boolean') {
    const lower = value.toLowerCase();
    return TRUE.has(lower) ? true : FALSE.has(lower) ? false : undefined;
  }
  const normalized = value.replace(/[年月/.]/g, '-').replace(/日$/, '');
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(normalized);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
    return date.toISOString().slice(0, 10);
  }
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

const splitList = (raw: string) =>
  raw
    .split(/[,;，；、|]/)
    .map((item) => item.trim())
    .filter(Boolean);

/** One row → a contact input, or the problems that keep it out (a bad row never half-applies). */
export function parseRow(
  cells: readonly string[],
  mapping: ColumnMapping,
): { input: ContactInput; problems: [] } | { input: null; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const input: ContactInput = {};
  const phones: string[] = [];
  const emails: string[] = [];
  const externalIds: Array<{ source: string; id: string }> = [];
  mapping.targets.forEach((target, index) => {
    const raw = (cells[index] ?? '').trim();
    if (target.kind === 'ignore' || raw === '') return;
    if (raw.length > 2000) {
      problems.push({ field: target.kind, code: 'too_long', message: `value longer than 2,000 characters` });
      return;
    }
    switch (target.kind) {
      case 'name':
        input.name = raw.slice(0, 200);
        break;
      case 'phone':
        for (const item of splitList(raw)) {
          const phone = normalizePhone(item);
          if (phone) phones.push(phone);
          else problems.push({ field: 'phone', code: 'bad_phone', message: `"${item}" is not a phone number` });
        }
        break;
      case 'email':
        for (const item of splitList(raw)) {
          const email = normalizeEmail(item);
          if (email) emails.push(email);
          else problems.push({ field: 'email', code: 'bad_email', message: `"${item}" is not an email address` });
        }
        break;
      case 'external_id':
        if (raw.length > 200)
          problems.push({ field: `ext.${target.source}`, code: 'too_long', message: 'id longer than 200 characters' });
        else externalIds.push({ source: target.source, id: raw });
        break;
      case 'tier':
        input.tier = raw.slice(0, 40);
        break;
      case 'tags':
        input.tags = splitList(raw).map((tag) => tag.slice(0, 60));
        break;
      case 'time_zone':
        if (isTimeZone(raw)) input.timeZone = raw;
        else problems.push({ field: 'time_zone', code: 'bad_value', message: `"${raw}" is not an IANA time zone` });
        break;
      case 'locale':
        input.locale = raw.slice(0, 20);
        break;
      case 'consent': {
        const value = parseTyped(raw, 'boolean');
        if (value === undefined)
          problems.push({ field: `consent.${target.key}`, code: 'bad_value', message: `"${raw}" is not yes/no` });
        else input.consent = { ...input.consent, [target.key]: value as boolean };
        break;
      }
      case 'attribute': {
        const value = parseTyped(raw, target.type);
        if (value === undefined)
          problems.push({
            field: `attr.${target.name}`,
            code: 'bad_value',
            message: `"${raw}" is not a ${target.type}`,
          });
        else input.attributes = { ...input.attributes, [target.name]: value };
        break;
      }
    }
  });
  if (phones.length > 0) input.phones = phones;
  if (emails.length > 0) input.emails = emails;
  if (externalIds.length > 0) input.externalIds = externalIds;
  if (problems.length === 0 && externalIds.length === 0 && phones.length === 0 && emails.length === 0)
    problems.push({
      field: 'external_id',
      code: 'no_identifier',
      message: 'the row has no external id, phone or email',
    });
  return problems.length > 0 ? { input: null, problems } : { input, problems: [] };
}

/** `["会员号=external_id", "积分=attr.points:number"]` → a record; errors for entries without `=`. */
export function parseMapOptions(entries: readonly string[]): { map: Record<string, string>; errors: string[] } {
  const map: Record<string, string> = {};
  const errors: string[] = [];
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at <= 0 || at === entry.length - 1) errors.push(`--map "${entry}": expected column=field`);
    else map[entry.slice(0, at).trim()] = entry.slice(at + 1).trim();
  }
  return { map, errors };
}

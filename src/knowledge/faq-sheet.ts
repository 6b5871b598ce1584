import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { normalizeText } from '../text/index.js';
import { decodeText } from './decode-text.js';
import { readXlsxFirstSheet, type SheetRow } from './read-xlsx.js';

/** One FAQ row of a tenant's sheet. */
export interface FaqEntry {
  id: string;
  question: string;
  answer: string;
  alternatives: string[];
  category: string | null;
  sensitive: boolean;
  /**
   * The answer in other locales, written by people (`答案_en` / `answer_en`, `答案_zh-TW` /
   * `answer_zh-TW` columns): keys `en` and `zh-TW`. Absent when the sheet has none.
   */
  answers?: FaqLocaleAnswers;
  /** 1-based row of the sheet (the line where the record starts, for CSV). */
  row: number;
}

/** Answers per locale: `en` (English) and `zh-TW` (Traditional Chinese, written by people). */
export type FaqLocaleAnswers = Partial<Record<FaqAnswerLocale, string>>;
export type FaqAnswerLocale = 'en' | 'zh-TW';

/**
 * Answers per locale as stored (a JSON column or a synced sheet's entries), checked: only `en` and
 * `zh-TW` strings are kept. Returns `{ answers }` when there is one, `{}` otherwise (to spread).
 */
export function readFaqLocaleAnswers(value: unknown): { answers?: FaqLocaleAnswers } {
  const parsed: unknown = typeof value === 'string' ? safeJson(value) : value;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const answers: FaqLocaleAnswers = {};
  for (const locale of ['en', 'zh-TW'] as const) {
    const text = (parsed as Record<string, unknown>)[locale];
    if (typeof text === 'string' && text.trim().length > 0) answers[locale] = text;
  }
  return Object.keys(answers).length > 0 ? { answers } : {};
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Something wrong with a sheet, a row or a cell; `row` is null for file-level problems. */
export interface SheetProblem {
  row: number | null;
  column?: string;
  code: string;
  message: string;
}

type Field = 'id' | 'question' | 'answer' | 'alternatives' | 'category' | 'sensitive';

/** Header spellings, compared after normalizeText (Traditional → Simplified, lower case) and with spaces, _ and - removed. */
const HEADER_NAMES: Record<Field, readonly string[]> = {
  id: ['id', '编号', '编码', '序号', 'faqid', '问题编号', '问题id', 'no', 'key'],
  question: ['问题', 'question', '标准问题', '标准问', '标准问法', '问句', 'q', 'faq', '常见问题'],
  answer: ['答案', 'answer', '回答', '答复', '标准答案', '回复', 'a', 'reply', 'response'],
  alternatives: [
    '相似问法',
    '相似问题',
    '相似问',
    '扩展问',
    '扩展问法',
    '扩展问题',
    '同义问法',
    '其他问法',
    '问法',
    'alternatives',
    'alternative',
    'alternativequestions',
    'similar',
    'similarquestions',
    'paraphrases',
    'variants',
    'synonyms',
  ],
  category: ['类别', '分类', '类目', '类型', '栏目', 'category', 'categories', 'topic', 'group'],
  sensitive: ['敏感', '是否敏感', '敏感问题', 'sensitive', 'issensitive'],
};

const TRUE_VALUES = new Set(['yes', 'y', 'true', 't', '1', '是', '对', '敏感', 'x', '✓', '√']);
const FALSE_VALUES = new Set(['no', 'n', 'false', 'f', '0', '否', '不', '不敏感', '']);

function headerKey(cell: string): string {
  return normalizeText(cell).text.replace(/[\s_\-.:：()（）*]/g, '');
}

/** Suffixes of a per-locale answer column (`答案_en`, `answer_zh-TW`, `答案(英文)`), after headerKey. */
const LOCALE_SUFFIXES: Record<string, FaqAnswerLocale> = {
  en: 'en',
  english: 'en',
  英文: 'en',
  英语: 'en',
  zhtw: 'zh-TW',
  zhhant: 'zh-TW',
  zhhk: 'zh-TW',
  繁体: 'zh-TW',
  繁体中文: 'zh-TW',
  繁中: 'zh-TW',
};

/** The locale of a per-locale answer column (`答案_en` → en, `answer_zh-TW` → zh-TW), if the header is one. */
export function localeOfAnswerHeader(cell: string): FaqAnswerLocale | undefined {
  const key = headerKey(cell);
  for (const base of HEADER_NAMES.answer) {
    if (base.length < 2 || !key.startsWith(base)) continue;
    const locale = LOCALE_SUFFIXES[key.slice(base.length)];
    if (locale) return locale;
  }
  return undefined;
}

function fieldOfHeader(cell: string): Field | undefined {
  const key = headerKey(cell);
  if (key.length === 0) return undefined;
  for (const [field, names] of Object.entries(HEADER_NAMES) as [Field, readonly string[]][]) {
    if (names.includes(key)) return field;
  }
  return undefined;
}

/** Key under which two phrasings count as the same: normalised, punctuation and spaces removed. */
export function phrasingKey(text: string): string {
  return normalizeText(text).text.replace(/[^\p{L}\p{N}]/gu, '');
}

/** Stable id for an entry without one: derived from its normalised question only. */
export function faqIdFromQuestion(question: string): string {
  return `faq-${createHash('sha256').update(phrasingKey(question)).digest('hex').slice(0, 12)}`;
}

function cleanCell(value: string | undefined): string {
  return (value ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .trim();
}

function splitAlternatives(value: string): string[] {
  return value
    .split(/[|｜\n]/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

interface RawRows {
  rows: SheetRow[];
  /** CSV rows are delimited records, so a field-count mismatch is meaningful; XLSX rows drop trailing blanks. */
  strictFieldCount: boolean;
  problems: SheetProblem[];
}

function looksLikeXlsx(data: Uint8Array, fileName: string): boolean {
  const zipMagic = data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04;
  return zipMagic || /\.(xlsx|xlsm)$/i.test(fileName);
}

function isLegacyOffice(data: Uint8Array): boolean {
  const magic = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
  return data.length >= 8 && magic.every((byte, index) => data[index] === byte);
}

function detectDelimiter(text: string, fileName: string): string {
  if (/\.tsv$/i.test(fileName)) return '\t';
  const firstLine = text.split('\n', 1)[0] ?? '';
  const counts = [',', '\t', ';', '，'].map((delimiter) => [delimiter, firstLine.split(delimiter).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ',';
}

function readCsvRows(data: Uint8Array, fileName: string): RawRows {
  const problems: SheetProblem[] = [];
  const decoded = decodeText(data);
  if (decoded.encoding === 'mixed') {
    problems.push({
      row: decoded.gbLines[0] ?? null,
      code: 'mixed_encoding',
      message: `the file mixes UTF-8 and GBK text; lines ${decoded.gbLines.slice(0, 10).join(', ')}${decoded.gbLines.length > 10 ? ', …' : ''} were read as GBK. Save the sheet again as UTF-8`,
    });
  }
  const text = decoded.text;
  const rows: SheetRow[] = [];
  try {
    const records = parseCsv(text, {
      delimiter: detectDelimiter(text, fileName),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      skip_records_with_error: true,
      info: true,
      raw: true,
      bom: true,
      on_skip: (error: (Error & { lines?: number }) | undefined) => {
        if (error === undefined) return;
        problems.push({
          row: error.lines ?? null,
          code: 'malformed_csv',
          message: `malformed CSV record: ${error.message}`,
        });
      },
    }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
    for (const { record, info, raw } of records) {
      const innerNewlines = (raw.replace(/\r?\n$/, '').match(/\n/g) ?? []).length;
      rows.push({ row: info.lines - innerNewlines, cells: record });
    }
  } catch (error) {
    const detail = error as Error & { lines?: number };
    problems.push({
      row: detail.lines ?? null,
      code: 'malformed_csv',
      message: `the CSV could not be parsed: ${detail.message}`,
    });
  }
  return { rows, strictFieldCount: true, problems };
}

function readRows(data: Uint8Array, fileName: string): RawRows {
  if (isLegacyOffice(data) || /\.xls$/i.test(fileName)) {
    return {
      rows: [],
      strictFieldCount: false,
      problems: [
        {
          row: null,
          code: 'unsupported_format',
          message: `${fileName} is a legacy .xls or an encrypted workbook; save it as .xlsx or UTF-8 .csv`,
        },
      ],
    };
  }
  if (looksLikeXlsx(data, fileName)) {
    const result = readXlsxFirstSheet(data);
    if (!result.ok)
      return {
        rows: [],
        strictFieldCount: false,
        problems: [{ row: null, code: 'unreadable_xlsx', message: `${fileName}: ${result.message}` }],
      };
    return { rows: result.rows, strictFieldCount: false, problems: [] };
  }
  return readCsvRows(data, fileName);
}

function isBlankRow(cells: readonly string[]): boolean {
  return cells.every((cell) => cleanCell(cell).length === 0);
}

/**
 * Parses a tenant's FAQ sheet (CSV in UTF-8, UTF-8 with BOM, UTF-16 or GBK; or the first sheet of
 * an XLSX) into entries plus problems with row numbers. Chinese (Simplified or Traditional) and
 * English headers are recognised; columns are 编号/id, 问题/question, 答案/answer,
 * 相似问法/alternatives (split on `|` or new lines), 类别/category and 敏感/sensitive, plus
 * optional answers per locale (答案_en/answer_en, 答案_zh-TW/answer_zh-TW). Never throws.
 * @example
 * const { entries, problems } = parseFaqSheet(await readFile('faq.csv'), 'faq.csv');
 */
export function parseFaqSheet(data: Uint8Array, fileName: string): { entries: FaqEntry[]; problems: SheetProblem[] } {
  try {
    return parseFaqSheetUnsafe(data, fileName);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      entries: [],
      problems: [{ row: null, code: 'unreadable_sheet', message: `${fileName} could not be read: ${reason}` }],
    };
  }
}

function parseFaqSheetUnsafe(data: Uint8Array, fileName: string): { entries: FaqEntry[]; problems: SheetProblem[] } {
  if (data.length === 0)
    return { entries: [], problems: [{ row: null, code: 'empty_file', message: `${fileName} is empty` }] };
  const { rows, strictFieldCount, problems } = readRows(data, fileName);
  const nonBlank = rows.filter((row) => !isBlankRow(row.cells));
  if (nonBlank.length === 0) {
    if (problems.length === 0) problems.push({ row: null, code: 'empty_file', message: `${fileName} has no rows` });
    return { entries: [], problems };
  }

  // The header is the first of the first five non-blank rows that names both a question and an
  // answer column (sheets often start with a title row).
  let headerIndex = -1;
  let columns: (Field | undefined)[] = [];
  for (let index = 0; index < Math.min(5, nonBlank.length); index += 1) {
    const candidate = nonBlank[index]!.cells.map(fieldOfHeader);
    if (candidate.includes('question') && candidate.includes('answer')) {
      headerIndex = index;
      columns = candidate;
      break;
    }
  }
  if (headerIndex === -1) {
    const first = nonBlank[0]!;
    const found = first.cells.map(fieldOfHeader);
    const missing = (['question', 'answer'] as const).filter((field) => !found.includes(field));
    const names = missing.map((field) => (field === 'question' ? '问题/question' : '答案/answer'));
    problems.push({
      row: first.row,
      code: 'missing_columns',
      message: `no header row with the required columns ${names.join(' and ')}; found ${first.cells.map((cell) => JSON.stringify(cleanCell(cell))).join(', ')}`,
    });
    return { entries: [], problems };
  }

  const header = nonBlank[headerIndex]!;
  const columnOf: Partial<Record<Field, number>> = {};
  const localeColumns = new Map<FaqAnswerLocale, number>();
  header.cells.forEach((cell, index) => {
    const field = columns[index];
    const name = cleanCell(cell);
    const locale = field === undefined ? localeOfAnswerHeader(cell) : undefined;
    if (locale !== undefined) {
      if (localeColumns.has(locale))
        problems.push({
          row: header.row,
          column: name,
          code: 'duplicate_column',
          message: `column "${name}" repeats the ${locale} answer column and is ignored`,
        });
      else localeColumns.set(locale, index);
      return;
    }
    if (field === undefined) {
      if (name.length > 0)
        problems.push({
          row: header.row,
          column: name,
          code: 'unknown_column',
          message: `column "${name}" is not recognised and is ignored`,
        });
      return;
    }
    if (columnOf[field] !== undefined) {
      problems.push({
        row: header.row,
        column: name,
        code: 'duplicate_column',
        message: `column "${name}" repeats the ${field} column and is ignored`,
      });
      return;
    }
    columnOf[field] = index;
  });
  let headerWidth = header.cells.length;
  while (headerWidth > 0 && cleanCell(header.cells[headerWidth - 1]).length === 0) headerWidth -= 1;

  const entries: FaqEntry[] = [];
  const rowOfId = new Map<string, number>();
  const idOfPhrasing = new Map<string, string>();
  const columnName = (field: Field): string => cleanCell(header.cells[columnOf[field]!]);
  const cell = (cells: readonly string[], field: Field): string => {
    const index = columnOf[field];
    return index === undefined ? '' : cleanCell(cells[index]);
  };

  for (const { row, cells } of nonBlank.slice(headerIndex + 1)) {
    let width = cells.length;
    while (width > 0 && cleanCell(cells[width - 1]).length === 0) width -= 1;
    if (width > headerWidth) {
      problems.push({
        row,
        code: 'too_many_fields',
        message: `row has ${width} fields but the header has ${headerWidth}; the extra fields are ignored (an unquoted comma?)`,
      });
    } else if (strictFieldCount && cells.length < headerWidth) {
      problems.push({
        row,
        code: 'too_few_fields',
        message: `row has ${cells.length} fields but the header has ${headerWidth}; the missing fields are read as empty`,
      });
    }

    const question = cell(cells, 'question');
    const answer = cell(cells, 'answer');
    if (question.length === 0) {
      problems.push({
        row,
        column: columnName('question'),
        code: 'empty_question',
        message: 'the question is empty; row skipped',
      });
      continue;
    }
    if (answer.length === 0) {
      problems.push({
        row,
        column: columnName('answer'),
        code: 'empty_answer',
        message: `the answer to "${question}" is empty; row skipped`,
      });
      continue;
    }
    const id = cell(cells, 'id') || faqIdFromQuestion(question);
    const firstRow = rowOfId.get(id);
    if (firstRow !== undefined) {
      problems.push({
        row,
        column: columnOf.id === undefined ? undefined : columnName('id'),
        code: 'duplicate_id',
        message: `id "${id}" was already used on row ${firstRow}; this row is skipped`,
      });
      continue;
    }
    rowOfId.set(id, row);

    let sensitive = false;
    if (columnOf.sensitive !== undefined) {
      const value = cell(cells, 'sensitive');
      const key = normalizeText(value).text;
      if (TRUE_VALUES.has(key)) sensitive = true;
      else if (!FALSE_VALUES.has(key)) {
        problems.push({
          row,
          column: columnName('sensitive'),
          code: 'invalid_sensitive',
          message: `"${value}" is not yes/no/是/否/true/false/1/0; read as not sensitive`,
        });
      }
    }

    const ownKeys = new Set<string>();
    const questionKey = phrasingKey(question);
    const alternatives: string[] = [];
    const claim = (phrasing: string, key: string): boolean => {
      const owner = idOfPhrasing.get(key);
      if (owner !== undefined && owner !== id) {
        problems.push({
          row,
          code: 'duplicate_phrasing',
          message: `"${phrasing}" is also a phrasing of "${owner}"; customers asking it cannot be told apart`,
        });
        return false;
      }
      idOfPhrasing.set(key, id);
      return true;
    };
    if (questionKey.length > 0) claim(question, questionKey);
    ownKeys.add(questionKey);
    for (const alternative of splitAlternatives(cell(cells, 'alternatives'))) {
      const key = phrasingKey(alternative);
      if (key.length === 0 || ownKeys.has(key)) continue;
      ownKeys.add(key);
      // A phrasing already owned by another entry is dropped here, so retrieval is not left with a tie.
      if (claim(alternative, key)) alternatives.push(alternative);
    }

    const category = cell(cells, 'category');
    const answers: FaqLocaleAnswers = {};
    for (const [locale, index] of localeColumns) {
      const text = cleanCell(cells[index]);
      if (text.length > 0) answers[locale] = text;
    }
    entries.push({
      id,
      question,
      answer,
      alternatives,
      category: category.length > 0 ? category : null,
      sensitive,
      ...(Object.keys(answers).length > 0 ? { answers } : {}),
      row,
    });
  }
  return { entries, problems };
}

import { unzipSync } from 'fflate';
import { XMLParser } from 'fast-xml-parser';

/** One spreadsheet row: its 1-based row number and cell texts by 0-based column. */
export interface SheetRow {
  row: number;
  cells: string[];
}

export type XlsxResult = { ok: true; sheetName: string; rows: SheetRow[] } | { ok: false; message: string };

const MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => ['sheet', 'Relationship', 'si', 'r', 'row', 'c'].includes(name),
});

type XmlNode = Record<string, unknown>;

function textOf(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  const object = node as XmlNode;
  if ('#text' in object) return textOf(object['#text']);
  return '';
}

/** Rich text (`<r><t>`) runs or a plain `<t>`, skipping phonetic (`<rPh>`) annotations. */
function stringItemText(item: XmlNode): string {
  if (item.t !== undefined) return textOf(item.t);
  if (Array.isArray(item.r)) return (item.r as XmlNode[]).map((run) => textOf(run.t)).join('');
  return '';
}

function columnIndex(reference: string | undefined): number | undefined {
  if (reference === undefined) return undefined;
  const letters = /^([A-Z]+)/i.exec(reference)?.[1];
  if (letters === undefined) return undefined;
  let index = 0;
  for (const letter of letters.toUpperCase()) index = index * 26 + (letter.charCodeAt(0) - 64);
  return index - 1;
}

function resolveTarget(target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = `xl/${target}`.split('/');
  const resolved: string[] = [];
  for (const part of parts) {
    if (part === '..') resolved.pop();
    else if (part !== '.' && part !== '') resolved.push(part);
  }
  return resolved.join('/');
}

/**
 * Reads the first worksheet of an XLSX (Office Open XML) workbook synchronously: fflate unzips,
 * fast-xml-parser parses, and this function only maps SpreadsheetML cells (shared strings, inline
 * strings, booleans, numbers) to text. Never throws; a corrupt or encrypted file is `ok: false`.
 */
export function readXlsxFirstSheet(data: Uint8Array): XlsxResult {
  let files: Record<string, Uint8Array>;
  try {
    let total = 0;
    files = unzipSync(data, {
      filter: (file) => {
        total += file.originalSize;
        if (total > MAX_UNCOMPRESSED_BYTES) throw new Error('workbook expands beyond 64 MB');
        return (file.name.startsWith('xl/') && file.name.endsWith('.xml')) || file.name.endsWith('.rels');
      },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `not a readable XLSX workbook (${reason})` };
  }
  const decoder = new TextDecoder('utf-8');
  const xml = (name: string): XmlNode | undefined => {
    const bytes = files[name];
    if (bytes === undefined) return undefined;
    try {
      return parser.parse(decoder.decode(bytes)) as XmlNode;
    } catch {
      return undefined;
    }
  };
  try {
    const workbook = xml('xl/workbook.xml');
    if (workbook === undefined)
      return { ok: false, message: 'not an XLSX workbook (xl/workbook.xml missing; encrypted or legacy .xls?)' };
    const sheets = ((workbook.workbook as XmlNode | undefined)?.sheets as XmlNode | undefined)?.sheet as
      XmlNode[] | undefined;
    const first = sheets?.[0];
    // Attribute values stay strings (parseAttributeValue: false).
    const declaredName = first?.['@_name'];
    const sheetName = typeof declaredName === 'string' ? declaredName : 'Sheet1';
    let sheetPath = 'xl/worksheets/sheet1.xml';
    const relationshipId = first?.['@_id'] as string | undefined;
    const relationships = (xml('xl/_rels/workbook.xml.rels')?.Relationships as XmlNode | undefined)?.Relationship as
      XmlNode[] | undefined;
    const target = relationships?.find((relationship) => relationship['@_Id'] === relationshipId)?.['@_Target'];
    if (typeof target === 'string') sheetPath = resolveTarget(target);

    const sharedStrings = (
      ((xml('xl/sharedStrings.xml')?.sst as XmlNode | undefined)?.si as XmlNode[] | undefined) ?? []
    ).map(stringItemText);
    const sheet = xml(sheetPath);
    if (sheet === undefined) return { ok: false, message: `worksheet ${sheetPath} is missing or not XML` };
    const rowNodes = ((sheet.worksheet as XmlNode | undefined)?.sheetData as XmlNode | undefined)?.row as
      XmlNode[] | undefined;
    const rows: SheetRow[] = [];
    let previousRow = 0;
    for (const rowNode of rowNodes ?? []) {
      const declared = Number(rowNode['@_r']);
      const rowNumber = Number.isInteger(declared) && declared > 0 ? declared : previousRow + 1;
      previousRow = rowNumber;
      const cells: string[] = [];
      let nextColumn = 0;
      for (const cell of (rowNode.c as XmlNode[] | undefined) ?? []) {
        const column = columnIndex(cell['@_r'] as string | undefined) ?? nextColumn;
        nextColumn = column + 1;
        const type = cell['@_t'] as string | undefined;
        let value: string;
        if (type === 's') value = sharedStrings[Number(textOf(cell.v))] ?? '';
        else if (type === 'inlineStr') value = stringItemText((cell.is as XmlNode | undefined) ?? {});
        else if (type === 'b') value = textOf(cell.v) === '1' ? 'TRUE' : 'FALSE';
        else value = textOf(cell.v);
        while (cells.length < column) cells.push('');
        cells[column] = value;
      }
      rows.push({ row: rowNumber, cells });
    }
    return { ok: true, sheetName, rows };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `XLSX workbook could not be read (${reason})` };
  }
}

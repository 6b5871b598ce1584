import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { Lexer, type Token, type Tokens } from 'marked';
import { decodeText } from './decode-text.js';
import {
  hashDocumentContent,
  type DocumentFormat,
  type DocumentSection,
  type LoadProblem,
  type LoadResult,
} from './document.js';
import { parseFaqSheet } from './faq-sheet.js';
import { htmlToSections } from './html-sections.js';

const MAX_FILE_BYTES = 50 * 1024 * 1024;

/** Which loader a file goes to, from its name and its first bytes. */
export function detectFormat(data: Uint8Array, fileName: string): DocumentFormat | 'unsupported' {
  const name = fileName.toLowerCase().replace(/[?#].*$/, '');
  const startsWith = (...bytes: number[]): boolean => bytes.every((byte, index) => data[index] === byte);
  if (/\.(md|markdown|mdx)$/.test(name)) return 'markdown';
  if (/\.(html?|xhtml)$/.test(name)) return 'html';
  if (name.endsWith('.pdf') || startsWith(0x25, 0x50, 0x44, 0x46)) return 'pdf';
  if (name.endsWith('.docx')) return 'docx';
  if (/\.(csv|tsv|xlsx|xlsm)$/.test(name)) return 'faq-sheet';
  if (/\.(txt|text)$/.test(name)) return 'text';
  if (/\.(doc|xls|ppt|pptx|rtf|odt|pages|numbers|key|zip|rar|7z|png|jpe?g|gif|webp|mp[34]|exe)$/.test(name))
    return 'unsupported';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(0, 512)).trimStart().toLowerCase();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<(!doctype html|html|head|body|meta|title)[\s>]/.test(head))
    return 'html';
  if (startsWith(0x50, 0x4b, 0x03, 0x04) || startsWith(0xd0, 0xcf, 0x11, 0xe0)) return 'unsupported';
  return 'text';
}

/**
 * Loads one file: Markdown, HTML (main content via Readability), PDF (pdf.js), DOCX (mammoth),
 * CSV/XLSX FAQ sheets and plain text, into sections under their heading trails. Pure (bytes in,
 * document out) and never throws: a broken, encrypted or empty file becomes one problem.
 * @example
 * const result = await loadDocument(await readFile('policy.md'), 'policies/policy.md');
 * if (!result.ok) report(result.problem);
 */
export async function loadDocument(data: Uint8Array, path: string): Promise<LoadResult> {
  const fail = (code: string, message: string): LoadResult => ({
    ok: false,
    problem: { path, code, message },
    problems: [],
  });
  try {
    if (data.length === 0) return fail('empty_file', `${path} is empty`);
    if (data.length > MAX_FILE_BYTES)
      return fail('file_too_large', `${path} is ${(data.length / 1048576).toFixed(0)} MB; the limit is 50 MB`);
    const format = detectFormat(data, path);
    switch (format) {
      case 'markdown':
        return finish(path, format, markdownSections(decodeText(data).text));
      case 'html':
        return finish(path, format, htmlDocumentSections(decodeText(data).text));
      case 'pdf':
        return finish(path, format, await pdfSections(data));
      case 'docx':
        return finish(path, format, await docxSections(data));
      case 'text':
        return finish(path, format, textSections(decodeText(data).text));
      case 'faq-sheet':
        return faqSheetResult(data, path);
      case 'unsupported':
        return fail(
          'unsupported_format',
          `${path}: this file type is not supported (use Markdown, HTML, PDF, DOCX, TXT, CSV or XLSX)`,
        );
    }
  } catch (error) {
    if (error instanceof LoaderError) return fail(error.code, `${path}: ${error.message}`);
    return fail(
      'unreadable_file',
      `${path} could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

class LoaderError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Extracted {
  title: string | null;
  sections: DocumentSection[];
}

function finish(path: string, format: DocumentFormat, extracted: Extracted): LoadResult {
  const sections = extracted.sections.filter((section) => section.text.trim().length > 0);
  if (sections.length === 0) {
    const hint = format === 'pdf' ? ' (a scanned PDF needs OCR first)' : '';
    return { ok: false, problem: { path, code: 'no_text', message: `${path} contains no text${hint}` }, problems: [] };
  }
  return {
    ok: true,
    document: { path, format, title: extracted.title, sections, contentHash: hashDocumentContent(sections) },
    problems: [],
  };
}

function faqSheetResult(data: Uint8Array, path: string): LoadResult {
  const { entries, problems } = parseFaqSheet(data, path.split('/').pop() ?? path);
  const loadProblems: LoadProblem[] = problems.map((problem) => ({
    path,
    code: problem.code,
    message: problem.column ? `${problem.message} (column ${problem.column})` : problem.message,
    row: problem.row,
  }));
  if (entries.length === 0) {
    const first = loadProblems[0] ?? { path, code: 'no_entries', message: `${path} has no FAQ entries`, row: null };
    return { ok: false, problem: first, problems: loadProblems };
  }
  const sections: DocumentSection[] = entries.map((entry) => ({
    kind: 'paragraph',
    headingTrail: entry.category ? [entry.category, entry.question] : [entry.question],
    text: entry.answer,
  }));
  return {
    ok: true,
    document: {
      path,
      format: 'faq-sheet',
      title: null,
      sections,
      faqEntries: entries,
      contentHash: hashDocumentContent([], entries),
    },
    problems: loadProblems,
  };
}

// ---------------------------------------------------------------- Markdown (marked's lexer)

function inlinePlain(tokens: readonly Token[] | undefined, fallback: string): string {
  if (tokens === undefined) return fallback;
  return tokens
    .map((token) => {
      if (token.type === 'br') return '\n';
      if (token.type === 'image') return (token as Tokens.Image).text;
      if ('tokens' in token && Array.isArray(token.tokens))
        return inlinePlain(token.tokens, 'text' in token ? String(token.text) : '');
      if (token.type === 'html') return '';
      return 'text' in token ? String(token.text) : '';
    })
    .join('');
}

function markdownListItems(list: Tokens.List, depth: number): string[] {
  const items: string[] = [];
  list.items.forEach((item, index) => {
    const marker = list.ordered ? `${Number(list.start || 1) + index}.` : '-';
    const own = item.tokens
      .filter((token) => token.type !== 'list')
      .map((token) =>
        inlinePlain('tokens' in token ? token.tokens : undefined, 'text' in token ? String(token.text) : ''),
      )
      .join(' ');
    const check = item.task ? (item.checked ? '[x] ' : '[ ] ') : '';
    if (own.trim().length > 0)
      items.push(`${'  '.repeat(depth)}${marker} ${check}${own.replace(/\s*\n\s*/g, ' ').trim()}`);
    for (const nested of item.tokens.filter((token): token is Tokens.List => token.type === 'list'))
      items.push(...markdownListItems(nested, depth + 1));
  });
  return items;
}

export function markdownSections(source: string): Extracted {
  let text = source.replace(/\r\n?/g, '\n');
  let title: string | null = null;
  const frontMatter = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (frontMatter !== null) {
    title = /^title:\s*["']?(.+?)["']?\s*$/m.exec(frontMatter[1]!)?.[1] ?? null;
    text = text.slice(frontMatter[0].length);
  }
  const sections: DocumentSection[] = [];
  const trail: { level: number; text: string }[] = [];
  const headingTrail = (): string[] => trail.map((heading) => heading.text);
  const visit = (tokens: readonly Token[]): void => {
    for (const token of tokens) {
      switch (token.type) {
        case 'heading': {
          const heading = token as Tokens.Heading;
          const headingText = inlinePlain(heading.tokens, heading.text).trim();
          while (trail.length > 0 && trail[trail.length - 1]!.level >= heading.depth) trail.pop();
          trail.push({ level: heading.depth, text: headingText });
          if (heading.depth === 1) title ??= headingText;
          break;
        }
        case 'paragraph':
        case 'text':
          sections.push({
            kind: 'paragraph',
            headingTrail: headingTrail(),
            text: inlinePlain((token as Tokens.Paragraph).tokens, (token as Tokens.Paragraph).text).trim(),
          });
          break;
        case 'list': {
          const items = markdownListItems(token as Tokens.List, 0);
          sections.push({ kind: 'list', headingTrail: headingTrail(), text: items.join('\n'), items });
          break;
        }
        case 'table': {
          const table = token as Tokens.Table;
          const cell = (value: Tokens.TableCell): string =>
            inlinePlain(value.tokens, value.text).replace(/\|/g, '\\|').trim();
          const rows = [table.header.map(cell).join(' | '), ...table.rows.map((row) => row.map(cell).join(' | '))];
          sections.push({ kind: 'table', headingTrail: headingTrail(), text: rows.join('\n'), items: rows });
          break;
        }
        case 'code':
          sections.push({ kind: 'code', headingTrail: headingTrail(), text: (token as Tokens.Code).text });
          break;
        case 'blockquote':
          sections.push({
            kind: 'quote',
            headingTrail: headingTrail(),
            text: inlinePlain((token as Tokens.Blockquote).tokens, (token as Tokens.Blockquote).text).trim(),
          });
          break;
        case 'html': {
          for (const section of htmlFragmentSections((token as Tokens.HTML).text).sections)
            sections.push({ ...section, headingTrail: [...headingTrail(), ...section.headingTrail] });
          break;
        }
        default:
          break;
      }
    }
  };
  visit(new Lexer({ gfm: true }).lex(text));
  return { title, sections };
}

// ---------------------------------------------------------------- HTML (linkedom + Readability)

/**
 * The part of a linkedom document read here. linkedom types `parseHTML` as returning the DOM's
 * `Window`, which this project (no DOM lib) cannot resolve, so the result is typed here, once:
 * `title` is '' when there is no <title>, and linkedom creates the <body> when the markup has none.
 */
interface HtmlDocument {
  title: string;
  body: Parameters<typeof htmlToSections>[0];
}

function parseHtmlDocument(html: string): HtmlDocument {
  return (parseHTML(html) as unknown as { document: HtmlDocument }).document;
}

/** Sections of an HTML fragment (inline HTML in Markdown, Readability's article, mammoth's output). */
function htmlFragmentSections(fragment: string): ReturnType<typeof htmlToSections> {
  return htmlToSections(parseHtmlDocument(`<!doctype html><html><body>${fragment}</body></html>`).body);
}

export function htmlDocumentSections(html: string): Extracted {
  const pageTitle = parseHtmlDocument(html).title.trim() || null;
  let article: { title?: string | null; content?: string | null } | null;
  try {
    const document = parseHtmlDocument(html);
    article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], {
      charThreshold: 100,
    }).parse();
  } catch {
    article = null;
  }
  if (article?.content) {
    const extracted = htmlFragmentSections(article.content);
    if (extracted.sections.length > 0)
      return { title: article.title?.trim() || pageTitle || extracted.firstHeading, sections: extracted.sections };
  }
  // Readability gives up on short pages (an FAQ with three entries): fall back to the whole body.
  const extracted = htmlToSections(parseHtmlDocument(html).body);
  return { title: pageTitle ?? extracted.firstHeading, sections: extracted.sections };
}

// ---------------------------------------------------------------- PDF (pdf.js)

interface PdfTextItem {
  str?: string;
  hasEOL?: boolean;
  transform?: number[];
  height?: number;
}

/** Text lines of a page with their baseline and font size, from pdf.js text items. */
function pdfLines(items: readonly PdfTextItem[]): { text: string; y: number; size: number }[] {
  const lines: { text: string; y: number; size: number }[] = [];
  let current: { text: string; y: number; size: number } | undefined;
  for (const item of items) {
    const y = item.transform?.[5] ?? current?.y ?? 0;
    const size = Math.abs(item.transform?.[3] ?? item.height ?? 0);
    if (current === undefined) current = { text: '', y, size };
    if ((item.str ?? '').length > 0) {
      current.text += item.str;
      current.size = Math.max(current.size, size);
    }
    if (item.hasEOL) {
      lines.push(current);
      current = undefined;
    }
  }
  if (current !== undefined) lines.push(current);
  return lines.map((line) => ({ ...line, text: line.text.trim() })).filter((line) => line.text.length > 0);
}

const HAN_AT_END = /\p{Script=Han}$/u;
const HAN_AT_START = /^\p{Script=Han}/u;

function joinLines(lines: readonly string[]): string {
  let text = '';
  for (const line of lines) {
    if (text.length === 0) text = line;
    else text += HAN_AT_END.test(text) || HAN_AT_START.test(line) ? line : ` ${line}`;
  }
  return text;
}

async function pdfSections(data: Uint8Array): Promise<Extracted> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdf.js transfers the buffer it is given, so it gets a copy.
  // Chinese PDFs often use Adobe's predefined CMaps (UniGB-UCS2-H …) and standard fonts, which
  // pdf.js reads from its package folder.
  const packageFolder = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  const task = pdfjs.getDocument({
    data: new Uint8Array(data),
    cMapUrl: `${packageFolder}/cmaps/`,
    cMapPacked: true,
    standardFontDataUrl: `${packageFolder}/standard_fonts/`,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
    stopAtErrors: false,
  });
  let pdf: Awaited<typeof task.promise>;
  try {
    pdf = await task.promise;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'PasswordException') throw new LoaderError('encrypted', 'the PDF is password-protected');
    throw new LoaderError('unreadable_pdf', `not a readable PDF (${(error as Error).message})`);
  }
  try {
    const metadata = await pdf.getMetadata().catch(() => undefined);
    const info = metadata?.info as { Title?: unknown } | undefined;
    const sections: DocumentSection[] = [];
    const trail: string[] = [];
    for (let pageNumber = 1; pageNumber <= pdf.numPages; pageNumber += 1) {
      const page = await pdf.getPage(pageNumber);
      const content = await page.getTextContent();
      const lines = pdfLines(content.items as PdfTextItem[]);
      const spacings = lines
        .slice(1)
        .map((line, index) => lines[index]!.y - line.y)
        .filter((gap) => gap > 0)
        .sort((x, y) => x - y);
      const spacing = spacings[Math.floor(spacings.length / 2)] ?? 0;
      const bodySize = [...lines].map((line) => line.size).sort((x, y) => x - y)[Math.floor(lines.length / 2)] ?? 0;
      // A line set larger than the body text opens a heading; a wide vertical gap or a line ending
      // a sentence closes a paragraph.
      let paragraph: string[] = [];
      const flush = (): void => {
        const text = joinLines(paragraph).trim();
        if (text.length > 0) sections.push({ kind: 'paragraph', headingTrail: trail.slice(), text, page: pageNumber });
        paragraph = [];
      };
      lines.forEach((line, index) => {
        const gap = index === 0 ? 0 : lines[index - 1]!.y - line.y;
        if (spacing > 0 && gap > spacing * 1.4) flush();
        if (bodySize > 0 && line.size > bodySize * 1.15 && line.text.length <= 60) {
          flush();
          trail.splice(0, trail.length, line.text);
          return;
        }
        paragraph.push(line.text);
        if (/[。！？!?]$/.test(line.text)) flush();
      });
      flush();
      page.cleanup();
    }
    const title = typeof info?.Title === 'string' && info.Title.trim().length > 0 ? info.Title.trim() : null;
    return { title, sections };
  } finally {
    await pdf.destroy();
  }
}

// ---------------------------------------------------------------- DOCX (mammoth)

async function docxSections(data: Uint8Array): Promise<Extracted> {
  if (data[0] === 0xd0 && data[1] === 0xcf && data[2] === 0x11 && data[3] === 0xe0) {
    throw new LoaderError(
      'encrypted',
      'the DOCX is password-protected (or a legacy .doc renamed); save it unprotected as .docx',
    );
  }
  const mammoth = await import('mammoth');
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(data.buffer, data.byteOffset, data.byteLength) })).value;
  } catch (error) {
    throw new LoaderError('unreadable_docx', `not a readable DOCX (${(error as Error).message})`);
  }
  const extracted = htmlFragmentSections(html);
  return { title: extracted.firstHeading, sections: extracted.sections };
}

// ---------------------------------------------------------------- plain text

export function textSections(text: string): Extracted {
  const sections: DocumentSection[] = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter((block) => block.length > 0)
    .map((block) => ({
      kind: 'paragraph',
      headingTrail: [],
      text: joinLines(block.split('\n').map((line) => line.trim())),
    }));
  return { title: null, sections };
}

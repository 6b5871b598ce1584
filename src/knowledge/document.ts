import { createHash } from 'node:crypto';
import type { FaqEntry } from './faq-sheet.js';

export type DocumentFormat = 'markdown' | 'html' | 'pdf' | 'docx' | 'faq-sheet' | 'text';

/** A block of a document under its heading trail (the headings above it, outermost first). */
export interface DocumentSection {
  kind: 'paragraph' | 'list' | 'table' | 'code' | 'quote';
  headingTrail: string[];
  text: string;
  /** List items or table rows (the first table row is the header), kept apart so chunking can split between them. */
  items?: string[];
  /** 1-based page, for PDFs. */
  page?: number;
}

/** What a loader makes of one file. */
export interface LoadedDocument {
  /** Source path (or URL) as given to the loader. */
  path: string;
  format: DocumentFormat;
  title: string | null;
  sections: DocumentSection[];
  /** FAQ entries, for FAQ sheets. */
  faqEntries?: FaqEntry[];
  /** sha256 of the extracted content (format-independent: re-saving a file unchanged keeps it). */
  contentHash: string;
}

/** A problem with one file, or one row of a sheet. */
export interface LoadProblem {
  path: string;
  code: string;
  message: string;
  row?: number | null;
}

/** Loaders never throw: a file either loads (possibly with row problems) or becomes one problem. */
export type LoadResult =
  | { ok: true; document: LoadedDocument; problems: LoadProblem[] }
  | { ok: false; problem: LoadProblem; problems: LoadProblem[] };

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Whitespace-insensitive content hash of sections (and FAQ entries), so a re-export with other line breaks is "unchanged". */
export function hashDocumentContent(sections: readonly DocumentSection[], faqEntries?: readonly FaqEntry[]): string {
  const parts = sections.map(
    (section) => `${section.headingTrail.join('\u0001')}\u0002${section.text.replace(/\s+/g, ' ').trim()}`,
  );
  if (faqEntries !== undefined) parts.push(...faqEntries.map(hashFaqEntry));
  return sha256(parts.join('\u0003'));
}

/** Content hash of an FAQ entry: what a customer would see or be matched on (not its row number). */
export function hashFaqEntry(
  entry: Pick<FaqEntry, 'id' | 'question' | 'answer' | 'alternatives' | 'category' | 'sensitive'>,
): string {
  return sha256(
    JSON.stringify([
      entry.id,
      entry.question.trim(),
      entry.answer.trim(),
      entry.alternatives.map((text) => text.trim()),
      entry.category,
      entry.sensitive,
    ]),
  );
}

import { sha256, type DocumentSection, type LoadedDocument } from './document.js';

/** A retrievable piece of a document, citing where it came from. */
export interface Chunk {
  /** 0-based position in the document. */
  index: number;
  sourcePath: string;
  /** Headings above the chunk, outermost first. */
  headingTrail: string[];
  text: string;
  /** 1-based page of the chunk's start, for PDFs. */
  page?: number;
  /** sha256 of heading trail + text: a re-sync re-indexes only chunks whose hash changed. */
  contentHash: string;
}

export interface ChunkOptions {
  /** Upper bound on a chunk's length in characters (default 600: about 300–400 Chinese words). */
  maxCharacters?: number;
}

/** Sentence ends: Chinese 。！？； (with closing quotes/brackets) and Latin . ! ? followed by a space. */
const SENTENCE_END = /(?<=[。！？；!?;][”’"」』）)]*)(?![”’"」』）)])|(?<=[.!?]["')]?)\s+(?=\S)/u;

export function splitSentences(text: string): string[] {
  return text
    .split(SENTENCE_END)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

/** A sentence longer than the limit is cut at a comma if one is near the limit, else at the limit. */
function hardSplit(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const comma = Math.max(
      window.lastIndexOf('，'),
      window.lastIndexOf(', '),
      window.lastIndexOf('、'),
      window.lastIndexOf(' '),
    );
    const cut = comma > limit / 2 ? comma + 1 : limit;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

interface Piece {
  text: string;
  /** Joined to the previous piece without a line break (sentences of one paragraph). */
  continues: boolean;
  /** A table header to repeat when the table continues in another chunk. */
  tableHeader?: string;
  page?: number;
}

function pieces(section: DocumentSection, limit: number): Piece[] {
  if (section.text.length <= limit) return [{ text: section.text, continues: false, page: section.page }];
  if (section.kind === 'table' && section.items && section.items.length > 1) {
    const [header, ...rows] = section.items;
    return rows.flatMap((row) =>
      hardSplit(row, limit).map((text) => ({ text, continues: false, tableHeader: header!, page: section.page })),
    );
  }
  if (section.kind === 'list' && section.items && section.items.length > 1) {
    return section.items.flatMap((item) =>
      hardSplit(item, limit).map((text) => ({ text, continues: false, page: section.page })),
    );
  }
  if (section.kind === 'code') {
    return hardSplit(section.text, limit).map((text) => ({ text, continues: false, page: section.page }));
  }
  return splitSentences(section.text).flatMap((sentence, index) =>
    hardSplit(sentence, limit).map((text, part) => ({ text, continues: index > 0 || part > 0, page: section.page })),
  );
}

const joinerFor = (previous: string, piece: Piece): string => {
  if (!piece.continues) return '\n';
  return /[\p{Script=Han}。！？；，]$/u.test(previous) ? '' : ' ';
};

/**
 * Splits a loaded document into chunks that never cross a heading, never split a list item or a
 * table row (a table that continues repeats its header row), and split long paragraphs only at
 * sentence ends (。！？； and . ! ?). Each chunk carries the source path and heading trail.
 */
export function chunkDocument(
  document: Pick<LoadedDocument, 'path' | 'sections'>,
  options: ChunkOptions = {},
): Chunk[] {
  const limit = Math.max(50, options.maxCharacters ?? 600);
  const chunks: Chunk[] = [];
  let trailKey: string | undefined;
  let trail: string[] = [];
  let text = '';
  let page: number | undefined;
  let lastHeader: string | undefined;

  const close = (): void => {
    const trimmed = text.trim();
    if (trimmed.length > 0) {
      chunks.push({
        index: chunks.length,
        sourcePath: document.path,
        headingTrail: trail,
        text: trimmed,
        ...(page === undefined ? {} : { page }),
        contentHash: sha256(`${trail.join('\u0001')}\u0002${trimmed}`),
      });
    }
    text = '';
    page = undefined;
    lastHeader = undefined;
  };

  for (const section of document.sections) {
    const key = section.headingTrail.join('\u0001');
    if (key !== trailKey) {
      close();
      trailKey = key;
      trail = section.headingTrail.slice();
    }
    for (const piece of pieces(section, limit)) {
      let addition = piece.text;
      let joiner = text.length === 0 ? '' : joinerFor(text, piece);
      if (text.length + joiner.length + addition.length > limit) {
        close();
        joiner = '';
        if (piece.tableHeader !== undefined) addition = `${piece.tableHeader}\n${addition}`;
      } else if (piece.tableHeader !== undefined && lastHeader !== piece.tableHeader) {
        // The first rows of a split table: the header goes with them.
        const withHeader = `${piece.tableHeader}\n${addition}`;
        if (text.length + joiner.length + withHeader.length > limit) {
          close();
          joiner = '';
        }
        addition = withHeader;
      }
      if (piece.tableHeader !== undefined) lastHeader = piece.tableHeader;
      page ??= piece.page;
      text += joiner + addition;
    }
  }
  close();
  return chunks;
}

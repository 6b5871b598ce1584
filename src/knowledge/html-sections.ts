import type { DocumentSection } from './document.js';

/** The few DOM members the walker reads (linkedom's nodes satisfy it). */
interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}

const SKIP = new Set([
  'SCRIPT',
  'STYLE',
  'NOSCRIPT',
  'TEMPLATE',
  'SVG',
  'CANVAS',
  'IFRAME',
  'NAV',
  'FOOTER',
  'ASIDE',
  'FORM',
  'BUTTON',
  'SELECT',
  'HEAD',
  'TITLE',
  'META',
  'LINK',
]);
const INLINE = new Set([
  'A',
  'SPAN',
  'STRONG',
  'EM',
  'B',
  'I',
  'U',
  'S',
  'CODE',
  'SUP',
  'SUB',
  'SMALL',
  'MARK',
  'FONT',
  'LABEL',
  'ABBR',
  'TIME',
  'Q',
  'CITE',
  'KBD',
  'DEL',
  'INS',
  'IMG',
  'BR',
  'WBR',
]);
const HEADING = /^H([1-6])$/;

const clean = (text: string): string =>
  text
    .replace(/[ \t\u00a0\u3000]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();

const collapse = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ');

function inlineText(node: DomNode): string {
  if (node.nodeType === 3) return collapse(node.textContent);
  if (node.nodeType !== 1 || SKIP.has(node.nodeName)) return '';
  if (node.nodeName === 'BR') return '\n';
  let text = '';
  for (const child of Array.from(node.childNodes)) text += inlineText(child);
  return text;
}

function blockText(node: DomNode): string {
  if (node.nodeType === 3) return collapse(node.textContent);
  if (node.nodeType !== 1 || SKIP.has(node.nodeName)) return '';
  if (node.nodeName === 'BR') return '\n';
  let text = '';
  for (const child of Array.from(node.childNodes)) {
    const part = blockText(child);
    text += child.nodeType === 1 && !INLINE.has(child.nodeName) ? `\n${part}\n` : part;
  }
  return text;
}

function elements(node: DomNode, name: string): DomNode[] {
  const found: DomNode[] = [];
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType !== 1) continue;
    if (child.nodeName === name) found.push(child);
    else if (!['TABLE', 'UL', 'OL'].includes(child.nodeName)) found.push(...elements(child, name));
  }
  return found;
}

function listItems(list: DomNode, depth: number): string[] {
  const items: string[] = [];
  let number = 1;
  for (const item of Array.from(list.childNodes)) {
    if (item.nodeType !== 1 || item.nodeName !== 'LI') continue;
    let own = '';
    const nested: string[] = [];
    for (const child of Array.from(item.childNodes)) {
      if (child.nodeType === 1 && (child.nodeName === 'UL' || child.nodeName === 'OL'))
        nested.push(...listItems(child, depth + 1));
      else own += blockText(child);
    }
    const marker = list.nodeName === 'OL' ? `${number}.` : '-';
    number += 1;
    const text = clean(own).replace(/\n/g, ' ');
    if (text.length > 0) items.push(`${'  '.repeat(depth)}${marker} ${text}`);
    items.push(...nested);
  }
  return items;
}

function tableRows(table: DomNode): string[] {
  return elements(table, 'TR')
    .map((row) =>
      Array.from(row.childNodes)
        .filter((cell) => cell.nodeType === 1 && (cell.nodeName === 'TD' || cell.nodeName === 'TH'))
        .map((cell) => clean(blockText(cell)).replace(/\n/g, ' ').replace(/\|/g, '\\|'))
        .join(' | '),
    )
    .filter((row) => row.replace(/[|\s]/g, '').length > 0);
}

/**
 * Turns an HTML tree (a page's main content, or mammoth's rendering of a DOCX) into sections under
 * their heading trail: headings open a trail, lists and tables keep their items and rows apart.
 */
export function htmlToSections(root: DomNode): { sections: DocumentSection[]; firstHeading: string | null } {
  const sections: DocumentSection[] = [];
  const trail: { level: number; text: string }[] = [];
  let firstHeading: string | null = null;
  let pending = '';
  const currentTrail = (): string[] => trail.map((heading) => heading.text);
  const push = (section: Omit<DocumentSection, 'headingTrail'>): void => {
    if (section.text.length > 0) sections.push({ ...section, headingTrail: currentTrail() });
  };
  const flush = (): void => {
    for (const paragraph of clean(pending).split(/\n{2,}/)) push({ kind: 'paragraph', text: clean(paragraph) });
    pending = '';
  };
  const walk = (node: DomNode): void => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === 3) {
        pending += collapse(child.textContent);
        continue;
      }
      if (child.nodeType !== 1 || SKIP.has(child.nodeName)) continue;
      const name = child.nodeName;
      if (INLINE.has(name)) {
        pending += inlineText(child);
        continue;
      }
      flush();
      const heading = HEADING.exec(name);
      if (heading !== null) {
        const level = Number(heading[1]);
        const text = clean(inlineText(child)).replace(/\n/g, ' ');
        if (text.length === 0) continue;
        while (trail.length > 0 && trail[trail.length - 1]!.level >= level) trail.pop();
        trail.push({ level, text });
        firstHeading ??= text;
      } else if (name === 'P') {
        push({ kind: 'paragraph', text: clean(inlineText(child)) });
      } else if (name === 'UL' || name === 'OL') {
        const items = listItems(child, 0);
        push({ kind: 'list', text: items.join('\n'), items });
      } else if (name === 'TABLE') {
        const rows = tableRows(child);
        push({ kind: 'table', text: rows.join('\n'), items: rows });
      } else if (name === 'PRE') {
        push({ kind: 'code', text: (child.textContent ?? '').replace(/\s+$/, '') });
      } else if (name === 'BLOCKQUOTE') {
        push({ kind: 'quote', text: clean(blockText(child)) });
      } else {
        walk(child);
        flush();
      }
    }
  };
  walk(root);
  flush();
  return { sections, firstHeading };
}

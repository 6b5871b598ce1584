import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

/** One item a source offers: a path (relative, or a URL) and a cheap change fingerprint if it has one. */
export interface SourceItem {
  path: string;
  /** e.g. size + mtime for files, ETag for URLs: equal fingerprint means "not even read again". */
  fingerprint?: string;
}

/** What a knowledge source must offer to be synced: a listing and a reader. */
export interface SourceReader {
  list(): Promise<SourceItem[]>;
  read(path: string): Promise<Uint8Array>;
}

const SUPPORTED = /\.(md|markdown|mdx|html?|xhtml|pdf|docx|csv|tsv|xlsx|xlsm|txt)$/i;
// Office lock files (~$报价.docx, .~lock.x#), editor swap files and hidden files are never knowledge.
const IGNORED = /(^|\/)(~\$|\.~lock|\.)[^/]*$|~$/;

/**
 * A watched folder: every supported file below `root` (recursively, symbolic links not followed),
 * fingerprinted by size and modification time so an unchanged file is not even read on re-sync.
 * @example
 * await syncSource(db, tenantId, sourceId, folderSource('/srv/kefu/tenants/acme/kb'));
 */
export function folderSource(root: string): SourceReader {
  const base = resolve(root);
  return {
    async list() {
      const entries = await readdir(base, { recursive: true, withFileTypes: true });
      const items: SourceItem[] = [];
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const absolute = join(entry.parentPath ?? entry.path, entry.name);
        const path = relative(base, absolute).split(sep).join('/');
        if (!SUPPORTED.test(path) || IGNORED.test(path)) continue;
        try {
          const info = await stat(absolute);
          items.push({ path, fingerprint: `${info.size}:${Math.trunc(info.mtimeMs)}` });
        } catch {
          // Vanished between listing and stat: the next step reports it if it is still listed.
        }
      }
      return items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    async read(path) {
      const absolute = resolve(base, path);
      if (absolute !== base && !absolute.startsWith(base + sep))
        throw new Error(`${path} is outside the source folder`);
      return new Uint8Array(await readFile(absolute));
    },
  };
}

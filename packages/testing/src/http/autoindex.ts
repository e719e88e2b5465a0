import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** One entry of nginx's `autoindex_format json` listing. */
export interface AutoindexEntry {
  /** File or directory name, without a trailing `/`. */
  name: string;
  /** Entry kind. */
  type: 'file' | 'directory';
  /** Modification time as an HTTP date (second resolution). */
  mtime: string;
  /** Size in bytes; files only. */
  size?: number;
}

/** A directory as nginx's `autoindex_format json` renders it (hidden names skipped, as nginx does). */
export async function autoindexJson(dir: string): Promise<AutoindexEntry[]> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
  const entries: AutoindexEntry[] = [];
  for (const name of names) {
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (!info) continue;
    const mtime = new Date(Math.floor(info.mtimeMs / 1000) * 1000).toUTCString();
    entries.push(
      info.isDirectory()
        ? { name, type: 'directory', mtime }
        : { name, type: 'file', mtime, size: info.size },
    );
  }
  return entries;
}

/** The same listing as an HTML page, as servers without a JSON index show it. */
export function autoindexHtml(path: string, entries: AutoindexEntry[]): string {
  const rows = entries
    .map((e) => {
      const href = encodeURIComponent(e.name) + (e.type === 'directory' ? '/' : '');
      return `<a href="${href}">${e.name}${e.type === 'directory' ? '/' : ''}</a>`;
    })
    .join('\n');
  return `<html><head><title>Index of ${path}</title></head><body><pre>\n${rows}\n</pre></body></html>\n`;
}

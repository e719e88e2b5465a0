import type { Dirent, Stats } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ListedObject } from '../../listing/delimit.js';
import { compareKeys } from '../../listing/key-order.js';
import { isTempName } from '../../local/temp-path.js';

/**
 * Files stat'ed ahead of the one being yielded. One at a time, each stat waited for a thread-pool
 * round trip: `ls` of a 1,000-file directory spent half its run idle. Order is unchanged.
 */
const STAT_AHEAD = 16;

/** A stat's result or its error, so a stat started ahead never becomes an unhandled rejection. */
type StatOutcome = { info: Stats; error?: undefined } | { info?: undefined; error: unknown };

/**
 * Walk a directory tree yielding regular files in S3 key order. Stowage's own temp files (names
 * that parse as such, see `parseTempName`) are never listed; every other name is, however it starts. A directory `d` sorts as `d/`, so
 * `a-b` (0x2d) comes before `a/x` (0x2f) exactly as S3 orders the keys. Memory: one directory
 * listing per level of depth.
 */
export async function* walkFiles(
  dir: string,
  keyPrefix: string,
  namePrefix: string,
  recursive: boolean,
  signal?: AbortSignal,
  onUnreadable?: UnreadableHandler,
  nested = false,
): AsyncIterable<ListedObject> {
  let entries: Dirent[];
  try {
    const handle = await opendir(dir);
    entries = [];
    for await (const entry of handle) {
      if (entry.name.startsWith(namePrefix) && !isTempName(entry.name)) entries.push(entry);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    // A sub-directory that cannot be read is that sub-directory's failure, not the whole walk's,
    // when the caller takes such reports; the directory asked for itself always fails the walk.
    if (nested && onUnreadable && !isOutOfDescriptors(code))
      return void (await onUnreadable(keyPrefix, error));
    throw error;
  }
  const sortNames = new Map(entries.map((e) => [e, e.isDirectory() ? `${e.name}/` : e.name]));
  entries.sort((a, b) => compareKeys(sortNames.get(a)!, sortNames.get(b)!));
  const ahead = new Map<number, Promise<StatOutcome>>();
  let started = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (signal?.aborted) return;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive)
        yield* walkFiles(full, `${keyPrefix}${entry.name}/`, '', true, signal, onUnreadable, true);
      // S3 has no empty "directories": show a sub-prefix only when some file lies under it.
      else if (await containsFile(full)) yield { key: `${keyPrefix}${entry.name}/`, size: -1 };
      continue;
    }
    // This file's stat and those of the files after it, so up to STAT_AHEAD are in flight.
    for (started = Math.max(started, i); started < Math.min(entries.length, i + STAT_AHEAD); started++) {
      const later = entries[started]!;
      if (!later.isDirectory()) ahead.set(started, statOutcome(join(dir, later.name)));
    }
    const outcome = await ahead.get(i)!;
    ahead.delete(i);
    const info = outcome.info;
    if (!info) {
      const error = outcome.error;
      // Deleted while listing, or a dangling or looping link: not a file. Anything else (out of
      // file descriptors, no permission) must fail the listing: a file silently left out of it
      // would be silently left out of an upload.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP') continue;
      if (onUnreadable && !isOutOfDescriptors(code)) {
        await onUnreadable(`${keyPrefix}${entry.name}`, error);
        continue;
      }
      throw error;
    }
    if (!info.isFile()) continue;
    yield {
      key: `${keyPrefix}${entry.name}`,
      size: info.size,
      lastModified: info.mtime,
      etag: fileEtag(info),
    };
  }
}

/**
 * Told about a part of the tree that cannot be read (its key, ending in `/` for a directory) and
 * why; the walk then goes on without it. Running out of file descriptors is never reported this
 * way: it fails the walk, since it says nothing about that part of the tree.
 */
export type UnreadableHandler = (key: string, error: unknown) => Promise<void>;

function statOutcome(path: string): Promise<StatOutcome> {
  return stat(path).then(
    (info) => ({ info }),
    (error: unknown) => ({ error }),
  );
}

function isOutOfDescriptors(code: string | undefined): boolean {
  return code === 'EMFILE' || code === 'ENFILE';
}

/** A validator that changes when the file changes: size, mtime in ns, inode. */
export function fileEtag(info: { size: number; mtimeMs: number; ino: number }): string {
  return `"${info.size.toString(16)}-${Math.round(info.mtimeMs * 1000).toString(16)}-${info.ino.toString(16)}"`;
}

async function containsFile(dir: string): Promise<boolean> {
  for await (const file of walkFiles(dir, '', '', true)) {
    if (file) return true;
  }
  return false;
}

import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { asPrefix, displayUri, parseUri, type StorageUri } from '@stowage/core';

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Parse a command-line location. Plain paths are resolved against the run's working directory
 * (not the process's, so `run()` works in-process); a trailing `/` is kept, it means "directory".
 */
export function resolveLocation(arg: string, cwd: string): StorageUri {
  const scheme = SCHEME.exec(arg);
  if (arg.length > 0 && (!scheme || scheme[1]!.length === 1)) {
    const absolute = isAbsolute(arg) ? arg : resolve(cwd, arg);
    const slash = (arg.endsWith('/') || arg === '.' || arg === '..') && !absolute.endsWith('/') ? '/' : '';
    return parseUri(absolute + slash);
  }
  return parseUri(arg);
}

/** A location as the prefix of a tree (`dir` → `dir/`). */
export function treeLocation(arg: string, cwd: string): StorageUri {
  return asPrefix(resolveLocation(arg, cwd));
}

/**
 * A copy destination: a local path that is an existing directory receives the source's name inside
 * it (as `cp` does), by turning it into a prefix.
 */
export async function copyDestination(arg: string, cwd: string): Promise<StorageUri> {
  const uri = resolveLocation(arg, cwd);
  if (uri.scheme === 'file' && !uri.key.endsWith('/')) {
    const info = await stat(`/${uri.key}`).catch(() => undefined);
    if (info?.isDirectory()) return asPrefix(uri);
  }
  return uri;
}

/** How a location is shown in messages (no credentials, no query secrets). */
export function show(uri: StorageUri): string {
  return displayUri(uri);
}

import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Marker in temp file names; the fs provider hides such files from listings. */
export const TEMP_MARKER = '.stowage-tmp-';

/**
 * A temp path beside `target`, in the same directory so the final rename is atomic (same file system).
 * Kept short: a long basename plus the suffix could pass NAME_MAX.
 */
export function tempPathFor(target: string): string {
  const name = basename(target).slice(0, 120);
  return join(dirname(target), `${TEMP_MARKER}${randomBytes(6).toString('hex')}-${name}`);
}

/** True for names that {@link tempPathFor} produces. */
export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_MARKER);
}

import { isStowageError } from '../errors/stowage-error.js';
import type { ObjectStat, Provider } from '../provider/provider.js';
import type { StorageUri } from '../uri/storage-uri.js';
import type { OverwritePolicy } from './copy-options.js';

/** The destination's stat, or undefined when it does not exist. */
export async function statIfExists(
  provider: Provider,
  uri: StorageUri,
  signal?: AbortSignal,
): Promise<ObjectStat | undefined> {
  try {
    return await provider.stat(uri, signal ? { signal } : {});
  } catch (error) {
    if (isStowageError(error, 'NotFound')) return undefined;
    throw error;
  }
}

/**
 * Whether two objects hold the same bytes, as far as cheap metadata can tell: sizes must match;
 * then a digest both sides know decides; then equal ETags (meaningful within one provider); last,
 * a destination at least as new as the source counts as the same (the rule of `aws s3 sync`).
 */
export function looksSame(source: ObjectStat, destination: ObjectStat, sameProvider: boolean): boolean {
  if (source.size !== destination.size) return false;
  for (const name of ['sha256', 'crc32c', 'crc32', 'sha1', 'md5Hex'] as const) {
    const a = source.checksums?.[name];
    const b = destination.checksums?.[name];
    if (a !== undefined && b !== undefined && !a.includes('-') && !b.includes('-')) return a === b;
  }
  // Equal ETags within one provider mean equal bytes; different ones prove nothing (fs ETags name a
  // file, multipart ETags depend on part sizes), so those fall through to the time rule.
  if (sameProvider && source.etag !== undefined && source.etag === destination.etag) return true;
  if (source.lastModified && destination.lastModified)
    return destination.lastModified.getTime() >= source.lastModified.getTime();
  return false;
}

/** Decide whether to skip a copy under `policy`; returns the reason to skip, or undefined to copy. */
export function skipReason(
  policy: OverwritePolicy,
  source: ObjectStat,
  existing: ObjectStat | undefined,
  sameProvider: boolean,
): 'exists' | 'same' | undefined {
  if (!existing || policy === 'always') return undefined;
  if (policy === 'never') return 'exists';
  return looksSame(source, existing, sameProvider) ? 'same' : undefined;
}

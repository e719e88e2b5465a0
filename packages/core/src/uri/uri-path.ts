import { InvalidUriError } from '../errors/error-types.js';
import { displayUri, type StorageUri } from './storage-uri.js';

/** True when the URI names a prefix ("directory"): an empty key or one ending in `/`. */
export function isPrefix(uri: StorageUri): boolean {
  return uri.key.length === 0 || uri.key.endsWith('/');
}

/** The same URI with a different key (version and query dropped: they belong to one object). */
export function withKey(uri: StorageUri, key: string): StorageUri {
  const { versionId: _v, query: _q, ...rest } = uri;
  return Object.freeze({ ...rest, key });
}

/** The URI as a prefix: its key with a trailing `/` (unless empty). */
export function asPrefix(uri: StorageUri): StorageUri {
  return isPrefix(uri) ? uri : withKey(uri, `${uri.key}/`);
}

/**
 * Append a relative key to a prefix. `..`, `.` and absolute paths are refused: a relative key
 * can never climb out of its base (the classic path-traversal hole of tree downloads).
 */
export function joinUri(base: StorageUri, relativeKey: string): StorageUri {
  if (relativeKey.startsWith('/')) {
    throw new InvalidUriError(
      `Cannot join "${relativeKey}" to ${displayUri(base)}: the relative key is absolute`,
    );
  }
  for (const segment of relativeKey.split('/')) {
    if (segment === '..' || segment === '.') {
      throw new InvalidUriError(
        `Cannot join "${relativeKey}" to ${displayUri(base)}: "${segment}" would escape the base`,
      );
    }
  }
  return withKey(base, asPrefix(base).key + relativeKey);
}

/** The key of `child` relative to the prefix `base`; throws when `child` is not inside `base`. */
export function relativeKey(base: StorageUri, child: StorageUri): string {
  const prefix = asPrefix(base).key;
  if (child.scheme !== base.scheme || child.bucket !== base.bucket || !child.key.startsWith(prefix)) {
    throw new InvalidUriError(`${displayUri(child)} is not inside ${displayUri(base)}`);
  }
  return child.key.slice(prefix.length);
}

/** True when `inner` is `outer` itself or lies inside it. */
export function isWithin(outer: StorageUri, inner: StorageUri): boolean {
  if (outer.scheme !== inner.scheme || outer.bucket !== inner.bucket) return false;
  const prefix = asPrefix(outer).key;
  return (
    inner.key === outer.key ||
    prefix.length === 0 ||
    inner.key.startsWith(prefix) ||
    `${inner.key}/` === prefix
  );
}

/** The last path segment of a key (`a/b/c.txt` → `c.txt`, `a/b/` → `b`). */
export function baseName(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

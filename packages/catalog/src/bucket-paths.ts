import { homedir as osHomedir } from 'node:os';
import { resolve } from 'node:path';
import { InvalidUriError, parseUri, type StorageUri, withKey } from '@stowage/core';

/**
 * Check a bucket URI the way quilt3's `Bucket()` does: `s3://name` or `s3://name/`, no key, no
 * version. Returns the bucket root.
 */
export function bucketRoot(input: string): StorageUri {
  const parsed = parseUri(input);
  if (parsed.scheme !== 's3') {
    throw new InvalidUriError(`A Bucket needs an s3:// URI, got "${input}"`, {
      uri: input,
      hint: 'Write it as s3://bucket-name.',
    });
  }
  if (parsed.key !== '' || parsed.versionId !== undefined) {
    throw new InvalidUriError(`A Bucket URI names only the bucket, without a key or version: "${input}"`, {
      uri: input,
      hint: `Use s3://${parsed.bucket} and pass the key to the method.`,
    });
  }
  return parsed;
}

/** quilt3's `Bucket.join`: a key under the bucket, its leading `/` dropped. */
export function keyUri(root: StorageUri, key: string): StorageUri {
  return withKey(root, key.replace(/^\/+/, ''));
}

/** A local-or-remote location as quilt3's `fix_url` sees it. */
export interface Location {
  /** The parsed URI (`file://` with an absolute path for local input). */
  uri: StorageUri;
  /** Whether the caller wrote a trailing `/` (a directory). */
  slash: boolean;
  /** The local path, for `file` locations. */
  localPath?: string;
}

/**
 * quilt3's `fix_url`: a string with a scheme is a URL kept as is (so `s3://…` sources make server-side
 * copies); anything else is a local path with `~` expanded, made absolute, its trailing `/` kept.
 */
export function location(input: string, home: string = osHomedir()): Location {
  const slash = input.endsWith('/');
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(input)) return { uri: parseUri(input), slash };
  const expanded = input === '~' || input.startsWith('~/') ? home + input.slice(1) : input;
  const absolute = resolve(expanded);
  return { uri: parseUri(slash ? `${absolute}/` : absolute), slash, localPath: absolute };
}

/** The last segment of a path or key (`a/b/c.txt` → `c.txt`). */
export function lastSegment(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

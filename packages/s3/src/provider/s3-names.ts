import { displayUri, InvalidUriError, type StorageUri, UnsupportedOperationError } from '@stowage/core';

/** The longest key S3 accepts, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

const FORBIDDEN_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const FORBIDDEN_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * Why `name` is not a valid bucket name under S3's rules, or undefined when it is. `legacy` allows
 * the old us-east-1 names (upper case, `_`, up to 255 characters).
 */
export function bucketNameProblem(name: string, rules: 'strict' | 'legacy' = 'strict'): string | undefined {
  if (rules === 'legacy') {
    return /^[A-Za-z0-9._-]{3,255}$/.test(name)
      ? undefined
      : 'legacy bucket names are 3-255 characters of letters, digits, ".", "_" and "-"';
  }
  if (name.length < 3 || name.length > 63) return 'bucket names are 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'bucket names use only lower-case letters, digits, "." and "-"';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name))
    return 'bucket names begin and end with a letter or digit';
  if (name.includes('..')) return 'bucket names have no two adjacent periods';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'bucket names are not formatted as IP addresses';
  const prefix = FORBIDDEN_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `bucket names do not start with "${prefix}"`;
  const suffix = FORBIDDEN_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `bucket names do not end with "${suffix}"`;
  return undefined;
}

/** Throw before any request when a URI cannot name an S3 object or prefix. */
export function checkS3Uri(
  uri: StorageUri,
  options: { rules?: 'strict' | 'legacy'; versioning?: boolean; provider: string },
): void {
  const where = displayUri(uri);
  const problem = bucketNameProblem(uri.bucket, options.rules);
  if (problem) {
    throw new InvalidUriError(`Invalid bucket name "${uri.bucket}" in ${where}: ${problem}`, {
      uri: where,
      provider: options.provider,
    });
  }
  const bytes = Buffer.byteLength(uri.key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw new InvalidUriError(
      `Key of ${where.slice(0, 80)}… is ${bytes} bytes long; S3 keys are at most ${MAX_KEY_BYTES} bytes (UTF-8)`,
      { uri: where.slice(0, 200), provider: options.provider },
    );
  }
  if (uri.versionId !== undefined && options.versioning === false) {
    throw new UnsupportedOperationError(
      `${where} names a version, but this S3 provider is configured without versioning`,
      {
        uri: where,
        provider: options.provider,
        hint: 'Drop "?versionId=…", or create the provider with versioning: true if the store keeps versions',
      },
    );
  }
}

/** Throw unless the URI names an object (a non-empty key), for operations on one object. */
export function checkObjectUri(uri: StorageUri, provider: string): void {
  if (uri.key.length === 0) {
    throw new InvalidUriError(`${displayUri(uri)} names a bucket, not an object`, {
      uri: displayUri(uri),
      provider,
    });
  }
}

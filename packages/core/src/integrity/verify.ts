import { ChecksumMismatchError } from '../errors/error-types.js';
import type { Checksums } from '../provider/provider.js';

const COMPARABLE: Array<keyof Checksums> = ['sha256', 'sha1', 'md5Hex', 'crc32', 'crc32c'];

/**
 * Compare expected digests with computed ones. Only algorithms present on both sides are compared;
 * returns the names compared, so a caller can tell "verified" from "nothing to verify".
 */
export function verifyChecksums(expected: Checksums | undefined, actual: Checksums, where: string): string[] {
  const compared: string[] = [];
  if (!expected) return compared;
  for (const name of COMPARABLE) {
    const want = expected[name];
    const got = actual[name];
    if (want === undefined || got === undefined) continue;
    compared.push(name);
    const same = name === 'md5Hex' ? want.toLowerCase() === got.toLowerCase() : want === got;
    if (!same) {
      throw new ChecksumMismatchError(`${name} mismatch for ${where}: expected ${want}, got ${got}`, {
        uri: where,
      });
    }
  }
  return compared;
}

/** Fail when a byte count differs from the declared length (a truncated or padded body). */
export function verifySize(expected: number | undefined, actual: number, where: string): void {
  if (expected !== undefined && expected !== actual) {
    // Retryable: a short body is nearly always a dropped connection, not bad data at the source.
    throw new ChecksumMismatchError(`Size mismatch for ${where}: expected ${expected} bytes, got ${actual}`, {
      uri: where,
      retryable: true,
    });
  }
}

import { InvalidArgumentError } from '@stowage/core';

/** The smallest part S3 accepts (except the last one). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** The largest part S3 accepts. */
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;
/** The most parts one multipart upload may have. */
export const MAX_PARTS = 10_000;
/** The largest object a multipart upload can make. */
export const MAX_OBJECT_SIZE = 5 * 1024 ** 4;

/** Throw before any request when a configured part size is outside S3's limits. */
export function checkPartSize(partSize: number, what = 'partSize'): void {
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
    throw new InvalidArgumentError(
      `${what} ${partSize} is outside S3's limits: parts are 5 MiB (5242880 bytes) to 5 GiB`,
    );
  }
}

/**
 * The part size to use for `size` bytes: the preferred one, grown (in whole MiB) until the object
 * fits in 10,000 parts. Unknown sizes keep the preferred size (a stream that outgrows it fails at
 * part 10,001 with a clear error).
 */
export function partSizeFor(size: number | undefined, preferred: number): number {
  if (size === undefined) return preferred;
  if (size > MAX_OBJECT_SIZE) {
    throw new InvalidArgumentError(`${size} bytes exceed S3's largest object (5 TiB)`);
  }
  const needed = Math.ceil(size / MAX_PARTS);
  if (needed <= preferred) return preferred;
  const mib = 1024 * 1024;
  return Math.ceil(needed / mib) * mib;
}

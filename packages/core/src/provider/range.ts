import { InvalidArgumentError } from '../errors/error-types.js';
import type { ByteRange } from './provider.js';

/**
 * Clamp a requested range to an object of `size` bytes, as S3 does: an end past the object is cut to
 * the last byte; a start at or past the end of a non-empty object is an error (HTTP 416).
 * Returns inclusive [start, end], or undefined for an empty result.
 */
export function resolveRange(range: ByteRange, size: number, where: string): [number, number] | undefined {
  const { start } = range;
  if (
    !Number.isSafeInteger(start) ||
    start < 0 ||
    (range.end !== undefined && (!Number.isSafeInteger(range.end) || range.end < start))
  ) {
    throw new InvalidArgumentError(`Invalid byte range ${start}-${range.end ?? ''} for ${where}`);
  }
  if (size === 0 && start === 0) return undefined;
  if (start >= size) {
    throw new InvalidArgumentError(`Range start ${start} is beyond the end of ${where} (${size} bytes)`, {
      uri: where,
    });
  }
  return [start, Math.min(range.end ?? size - 1, size - 1)];
}

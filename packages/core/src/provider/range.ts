import { InvalidArgumentError } from '../errors/error-types.js';
import type { ByteRange } from './provider.js';

/** Refuse a range no store could serve (negative, fractional, or ending before it starts). */
export function checkRange(range: ByteRange, where: string): void {
  const { start, end } = range;
  if (
    !Number.isSafeInteger(start) ||
    start < 0 ||
    (end !== undefined && (!Number.isSafeInteger(end) || end < start))
  ) {
    throw new InvalidArgumentError(`Invalid byte range ${start}-${end ?? ''} for ${where}`, { uri: where });
  }
}

/**
 * Clamp a requested range to an object of `size` bytes, as S3 does: an end past the object is cut to
 * the last byte; a start at or past the end of a non-empty object is an error (HTTP 416).
 * Returns inclusive [start, end], or undefined for an empty result.
 */
export function resolveRange(range: ByteRange, size: number, where: string): [number, number] | undefined {
  checkRange(range, where);
  const { start } = range;
  if (size === 0 && start === 0) return undefined;
  if (start >= size) {
    throw new InvalidArgumentError(`Range start ${start} is beyond the end of ${where} (${size} bytes)`, {
      uri: where,
    });
  }
  return [start, Math.min(range.end ?? size - 1, size - 1)];
}

/**
 * Marks a ranged read's stream whose server sent the whole object instead (it ignores `Range`): the
 * bytes are right (the provider skips to the start), but every part would carry the whole object,
 * so the engine reads such a source in one stream instead of in parts.
 */
export function markRangeIgnored<T extends object>(stream: T): T {
  (stream as { rangeIgnored?: boolean }).rangeIgnored = true;
  return stream;
}

/** Whether {@link markRangeIgnored} marked this stream. */
export function isRangeIgnored(stream: object): boolean {
  return (stream as { rangeIgnored?: boolean }).rangeIgnored === true;
}

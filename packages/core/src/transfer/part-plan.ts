/** One part of an object: inclusive byte offsets and a 1-based number. */
export interface Part {
  /** Part number, from 1. */
  number: number;
  /** Offset of the first byte. */
  start: number;
  /** Offset of the last byte (inclusive). */
  end: number;
}

/** Split `size` bytes into parts of `partSize` (the last may be shorter). */
export function planParts(size: number, partSize: number): Part[] {
  const parts: Part[] = [];
  for (let start = 0, n = 1; start < size; start += partSize, n++) {
    parts.push({ number: n, start, end: Math.min(size, start + partSize) - 1 });
  }
  return parts;
}

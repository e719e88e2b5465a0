/** One byte range of a segmented download, both ends inclusive. */
export interface Segment {
  /** Position in the plan, from 0; what the download state records. */
  index: number;
  /** Offset of the first byte. */
  start: number;
  /** Offset of the last byte (inclusive). */
  end: number;
}

/** Cut `size` bytes into segments of `segmentSize` (the last one shorter). */
export function planSegments(size: number, segmentSize: number): Segment[] {
  const segments: Segment[] = [];
  for (let start = 0, index = 0; start < size; start += segmentSize, index++) {
    segments.push({ index, start, end: Math.min(size, start + segmentSize) - 1 });
  }
  return segments;
}

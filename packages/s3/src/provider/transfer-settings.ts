import type { BufferPool } from './buffer-pool.js';

/** Bodies at least this long go in parts. */
export const DEFAULT_THRESHOLD = 16 * 1024 * 1024;
/** Part size unless the caller sets one (grown to stay within 10,000 parts). */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** CopyObject's and PutObject's size limit. */
export const FIVE_GIB = 5 * 1024 ** 3;

/** How a provider cuts writes and copies into parts, fixed when it is built. */
export interface TransferSettings {
  /** Part size of multipart writes, and the smallest part of multipart copies. */
  partSize: number;
  /** Bodies of this many bytes or more are written in parts. */
  threshold: number;
  /** Parts in flight at once. */
  concurrency: number;
  /** Objects larger than this are copied with UploadPartCopy. */
  copyThreshold: number;
  /** Part buffers reused across writes. */
  pool: BufferPool;
}

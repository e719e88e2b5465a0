import type { BufferPool } from '@stowage/core';

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

import type { RetryOptions } from '../layers/retry.js';
import type { Checksums } from '../provider/provider.js';
import type { RouteDecision } from '../router/route-decision.js';
import type { RoutePolicy } from '../router/route-policy.js';

/** What to do when the destination exists: replace it, keep it, or replace it only when it differs. */
export type OverwritePolicy = 'always' | 'never' | 'if-different';

/** Options of `storage.copy` and `storage.move`. */
export interface CopyOptions {
  /** Default `'always'`. `'if-different'` compares size, then digests or ETags, then modification times. */
  overwrite?: OverwritePolicy;
  /** Cancels the transfer; the temp file is removed and any multipart upload aborted. */
  signal?: AbortSignal;
  /** Parts in flight at once for ranged downloads and multipart uploads. Default 4. */
  concurrency?: number;
  /** Part size for ranged downloads and multipart uploads. Default 8 MiB (S3 minimum 5 MiB). */
  partSize?: number;
  /** Objects at least this big go in parallel parts. Default 16 MiB. */
  multipartThreshold?: number;
  /** Digest the data must have (e.g. a published SHA-256); a mismatch fails and keeps nothing. */
  checksum?: Checksums;
  /**
   * Check the copy against the digest the source reports (CRC32, SHA-256, a single-part ETag's
   * MD5). Default true. `false` trades that check for CPU (MD5 costs about 2 CPU-seconds per GiB)
   * where the transport already protects the bytes; the size and any `checksum` you pass are
   * still checked.
   */
  verifySourceDigest?: boolean;
  /** Resume an interrupted download/upload from its saved state. Default true. */
  resume?: boolean;
  /** Directory for resume state of multipart uploads. Default `$XDG_CACHE_HOME/stowage/uploads`. */
  stateDir?: string;
  /** Per-part retry policy (a `retry` event is emitted for each retry). */
  retry?: RetryOptions;
  /**
   * fsync downloaded files before renaming them into place (survives a power loss, costs time on
   * large files). Default false, like rsync and rclone.
   */
  durable?: boolean;
  /** Force streaming (no server-side copy, no parts). */
  forceStream?: boolean;
  contentType?: string;
  metadata?: Record<string, string>;
  /**
   * Route policy for reading `s3://` sources when the storage has a router (cross-region,
   * requester pays, download cap, prefer HTTP); `false` reads straight from S3 without routing.
   */
  route?: RoutePolicy | false;
}

/** Options of `storage.copyTree` and tree moves. */
export interface CopyTreeOptions extends CopyOptions {
  /** Glob patterns (picomatch) on keys relative to the source prefix; only matches are copied. */
  include?: string | readonly string[];
  /** Glob patterns on relative keys to leave out (wins over include). */
  exclude?: string | readonly string[];
  /** List what would be copied, emitting events, without moving a byte. */
  dryRun?: boolean;
  /** Files in flight at once. Default: the storage's `concurrency` (8). */
  fileConcurrency?: number;
}

/** What a single-object copy returns. */
export interface CopyResult {
  source: string;
  destination: string;
  bytes: number;
  strategy: string;
  /** What was verified (`size`, `sha256`, …). */
  verified: string[];
  /** Set when the overwrite policy skipped the copy. */
  skipped?: 'exists' | 'same';
  sha256?: string;
  durationMs: number;
  /** The router's decision, when the source was routed (S3 or its HTTPS mirror). */
  decision?: RouteDecision;
}

/** What a tree copy returns. */
export interface CopyTreeResult {
  files: number;
  skipped: number;
  failed: number;
  bytes: number;
  /** Up to 100 failures, for the report; the transfer rejects with the first. */
  failures: Array<{ source: string; code: string; message: string }>;
  dryRun: boolean;
  /** With dryRun: the planned copies (bounded to the first 10,000). */
  planned?: Array<{ source: string; destination: string; bytes: number }>;
  durationMs: number;
}

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_MULTIPART_THRESHOLD = 16 * 1024 * 1024;
export const MAX_PARTS = 10_000;

/** A part size no smaller than asked and big enough to keep a `size`-byte object within 10,000 parts. */
export function fitPartSize(size: number, requested: number = DEFAULT_PART_SIZE): number {
  const minimum = Math.ceil(size / MAX_PARTS);
  if (requested >= minimum) return requested;
  const MiB = 1024 * 1024;
  return Math.ceil(minimum / MiB) * MiB;
}

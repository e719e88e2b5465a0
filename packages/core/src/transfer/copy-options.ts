import type { RetryOptions } from '../layers/retry.js';
import type { Checksums } from '../provider/provider.js';
import type { ReadRoute } from '../storage/read-router.js';
import type { UriLike } from '../uri/storage-uri.js';
import type { ManifestEntry } from './manifest.js';
import type { ShardSpec } from './shard.js';

/** What to do when the destination exists: replace it, keep it, or replace it only when it differs. */
export type OverwritePolicy = 'always' | 'never' | 'if-different';

/** Options of `storage.copy` and `storage.move`. */
export interface CopyOptions {
  /** Default `'always'`. `'if-different'` compares size, then digests or ETags, then modification times. */
  overwrite?: OverwritePolicy;
  /** Cancels the transfer; the temp file is removed and any multipart upload aborted. */
  signal?: AbortSignal;
  /**
   * Parts in flight at once for multipart uploads (default 4); for downloads into files, the most
   * connections (default 8), which are opened one at a time and only while each raises throughput.
   */
  concurrency?: number;
  /**
   * Part size in bytes for ranged downloads and multipart uploads. Uploads fit it to the
   * destination's `capabilities.limits` (raised to its smallest part, grown to fit its most parts;
   * a `warning` says so); downloads use it as it is (how finely connections share the work and
   * the resume journal records it). Default: 8 MiB for uploads; downloads pick 1 to 8 MiB by size.
   */
  partSize?: number;
  /** Objects of at least this many bytes go in parallel parts. Default 16 MiB. */
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
  /**
   * On failure or cancel, keep a ranged download's partial file and journal (or a multipart
   * upload and its state) for the next run to continue, instead of removing them. A source that
   * changed is never kept. Default false: a failed copy leaves nothing.
   */
  keepPartial?: boolean;
  /**
   * When the source is replaced mid-transfer (`SourceChangedError`), start over with the new
   * version this many times, with a `warning` each time, before failing. Default 0: fail, since
   * a caller who pinned a version rarely wants another one silently.
   */
  restartOnChange?: number;
  /** Directory for multipart upload resume state. Default `$XDG_CACHE_HOME/stowage/uploads` (`~/.cache/…`). */
  stateDir?: string;
  /**
   * Retry policy: per part for ranged downloads and multipart uploads, else for the whole copy (a
   * `retry` event is emitted for each retry).
   */
  retry?: RetryOptions;
  /**
   * fsync local destination files before renaming them into place, and their directory after
   * (survives a power loss, costs time on large files). Applies to ranged downloads and streamed
   * copies into files; object stores acknowledge only stored data. Default false, like rsync and rclone.
   */
  durable?: boolean;
  /** Force streaming (no server-side copy, no parts). */
  forceStream?: boolean;
  /** MIME type for the destination. Default: the source's (where the destination stores one). */
  contentType?: string;
  /** User metadata for the destination. Default: the source's (where the destination stores it). */
  metadata?: Record<string, string>;
  /**
   * Options for the storage's read router, for sources it claims (the router defines and checks
   * them, e.g. a route policy); `false` reads the source directly, without routing.
   */
  route?: object | false;
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
  /**
   * Copy only this shard of the tree: the keys whose relative key hashes into it (SHA-256, see
   * `shardOfKey`), so N workers given shards 0..N-1 of the same tree copy every key exactly once
   * between them, without talking to each other. Unless `overwrite` says otherwise, a sharded copy
   * uses `'if-different'`, so a restarted worker skips what its earlier run already copied.
   */
  shard?: ShardSpec;
  /**
   * Take the tree's objects from a manifest instead of listing the source: a URI this storage
   * reads (JSON lines of `stowage ls -r --json`, see `ManifestEntry`), or the entries themselves.
   * Workers of a sharded copy then read one file instead of each listing millions of keys. Keys
   * must lie under the source prefix; one that does not, or that would leave the destination
   * (`..`), fails on its own like a bad listed key.
   */
  manifest?: UriLike | AsyncIterable<ManifestEntry>;
}

/** What a single-object copy returns. */
export interface CopyResult {
  /** Source URI, display form (no secrets). */
  source: string;
  /** Destination URI, display form (no secrets). */
  destination: string;
  /** Bytes copied (0 when skipped). */
  bytes: number;
  /** How the bytes moved: a {@link TransferStrategy}, or `skip`. */
  strategy: string;
  /** What was verified (`size`, `sha256`, …). */
  verified: string[];
  /** Set when the overwrite policy skipped the copy. */
  skipped?: 'exists' | 'same';
  /** SHA-256 (base64) of the bytes written, when computed. */
  sha256?: string;
  /** Wall time of the copy, in ms. */
  durationMs: number;
  /** A partial download or upload left by an earlier run was continued. */
  resumed?: boolean;
  /** Times the copy started over because the source changed (see `restartOnChange`). */
  restarts?: number;
  /** Where the read went and why, when the storage's read router routed the source. */
  decision?: ReadRoute;
}

/** What a tree copy returns. */
export interface CopyTreeResult {
  /** Files copied, directory markers included (with `dryRun`: files that would be). */
  files: number;
  /** Files the overwrite policy skipped. */
  skipped: number;
  /** Files that failed. */
  failed: number;
  /** Bytes copied (with `dryRun`: bytes that would be). */
  bytes: number;
  /** Up to 100 failures, for the report; the transfer rejects with the first. */
  failures: Array<{
    /** The failed file's source URI, display form. */
    source: string;
    /** The error's code (`Error` when it has none). */
    code: string;
    /** The error's message. */
    message: string;
  }>;
  /** Whether this was a dry run (nothing moved). */
  dryRun: boolean;
  /** With dryRun: the planned copies (bounded to the first 10,000). */
  planned?: Array<{
    /** Source URI, display form. */
    source: string;
    /** Destination URI, display form. */
    destination: string;
    /** Size of the source in bytes, as listed. */
    bytes: number;
  }>;
  /** Wall time of the tree copy, in ms. */
  durationMs: number;
  /** The shard this copy was, when it was one (see `CopyTreeOptions.shard`); fold them with `foldShardSummaries`. */
  shard?: ShardSpec;
}

/** Objects of at least this many bytes go in parallel parts unless the caller says otherwise: 16 MiB. */
export const DEFAULT_MULTIPART_THRESHOLD = 16 * 1024 * 1024;

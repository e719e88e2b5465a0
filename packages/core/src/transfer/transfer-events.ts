/** How a single-object transfer moves its bytes. */
export type TransferStrategy =
  | 'server-side-copy'
  | 'ranged-download'
  | 'multipart-upload'
  | 'stream'
  | 'dry-run';

/** Fields every event carries. */
export interface TransferEventBase {
  /** Id of the transfer (unique per Storage). */
  transferId: string;
  /** Id of the tree transfer this file belongs to, if any. */
  parentId?: string;
  /** Epoch milliseconds. */
  at: number;
}

/** The transfer was accepted and waits for a slot. */
export interface QueuedEvent extends TransferEventBase {
  type: 'queued';
  source: string;
  destination: string;
}
/** Bytes are about to move. */
export interface StartedEvent extends TransferEventBase {
  type: 'started';
  source: string;
  destination: string;
  /** Total bytes, when known (tree transfers: unknown until the listing ends). */
  totalBytes?: number;
  strategy: TransferStrategy;
  /** `s3` or `http` when the router chose the route. */
  route?: string;
}
/** Throttled progress (about 10 per second per transfer). */
export interface ProgressEvent extends TransferEventBase {
  type: 'progress';
  bytes: number;
  totalBytes?: number;
  /** Bytes per second, smoothed. */
  rate: number;
  /** Seconds left at the current rate, when the total is known. */
  etaSeconds?: number;
}
/** A part or request is being retried. */
export interface RetryEvent extends TransferEventBase {
  type: 'retry';
  attempt: number;
  /** Error code and message that caused it (secret-free). */
  reason: string;
  delayMs: number;
  operation: string;
}
/** Something the user should know that did not stop the transfer (a fallback, a skipped checksum). */
export interface WarningEvent extends TransferEventBase {
  type: 'warning';
  code: string;
  message: string;
}
/** The router's decision for this object (emitted before any byte moves, and again after a fallback). */
export interface RoutedEvent extends TransferEventBase {
  type: 'routed';
  route: 's3' | 'http';
  /** What will be read. */
  uri: string;
  /** What the caller asked for. */
  requested: string;
  /** `CODE: explanation`, deciding reason first. */
  reasons: readonly string[];
  /** The stable reason codes alone (`SAME_REGION`, `CROSS_REGION_NOT_ALLOWED`, …). */
  reasonCodes: readonly string[];
  warnings: readonly string[];
  requesterPays: boolean;
  /** Whether the bytes count against the download cap. */
  metered: boolean;
  costEstimate?: { usdPerGiB: number; basis: string; bytes?: number; usd?: number; chargedTo: string };
}
/** The transfer finished and was verified (or skipped by the overwrite policy). */
export interface CompletedEvent extends TransferEventBase {
  type: 'completed';
  bytes: number;
  durationMs: number;
  /** SHA-256 (base64) of what was written, when computed. */
  sha256?: string;
  /** What was verified: `size`, `sha256`, … */
  verified: readonly string[];
  /** Set when nothing moved because of the overwrite policy. */
  skipped?: 'exists' | 'same';
}
/** The transfer failed; nothing partial was left. */
export interface FailedEvent extends TransferEventBase {
  type: 'failed';
  error: { code: string; message: string; retryable: boolean };
}
/** Aggregate counts of a tree transfer, after each file settles. */
export interface TreeProgressEvent extends TransferEventBase {
  type: 'tree-progress';
  filesQueued: number;
  filesDone: number;
  filesSkipped: number;
  filesFailed: number;
  bytesDone: number;
  /** True once the source listing has been read to the end. */
  listingComplete: boolean;
}

/** Everything a transfer reports, as a discriminated union on `type`. */
export type TransferEvent =
  | QueuedEvent
  | StartedEvent
  | ProgressEvent
  | RetryEvent
  | WarningEvent
  | RoutedEvent
  | CompletedEvent
  | FailedEvent
  | TreeProgressEvent;

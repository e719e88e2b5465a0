import { redactSecrets } from '../errors/redact.js';
import { StowageError } from '../errors/stowage-error.js';

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
  /** Discriminant of {@link TransferEvent}. */
  type: 'queued';
  /** Source URI, display form (no secrets). */
  source: string;
  /** Destination URI, display form (no secrets). */
  destination: string;
}
/** Bytes are about to move. */
export interface StartedEvent extends TransferEventBase {
  /** Discriminant of {@link TransferEvent}. */
  type: 'started';
  /** Source URI, display form (no secrets). */
  source: string;
  /** Destination URI, display form (no secrets). */
  destination: string;
  /** Total bytes, when known (tree transfers: unknown until the listing ends). */
  totalBytes?: number;
  /** How the bytes will move. */
  strategy: TransferStrategy;
  /** The route's name when the storage's read router chose it. */
  route?: string;
}
/** Throttled progress (about 10 per second per transfer). */
export interface ProgressEvent extends TransferEventBase {
  /** Discriminant of {@link TransferEvent}. */
  type: 'progress';
  /** Bytes moved so far (drops back when a failed attempt's bytes are discounted). */
  bytes: number;
  /** Total bytes, when known. */
  totalBytes?: number;
  /** Bytes per second, smoothed. */
  rate: number;
  /** Seconds left at the current rate, when the total is known. */
  etaSeconds?: number;
}
/** A part or request is being retried. */
export interface RetryEvent extends TransferEventBase {
  /** Discriminant of {@link TransferEvent}. */
  type: 'retry';
  /** The attempt about to start (2 for the first retry). */
  attempt: number;
  /** Error code and message that caused it (secret-free). */
  reason: string;
  /** Backoff before the attempt, in ms. */
  delayMs: number;
  /** What is retried (`read-part`, `upload-part`, `copy`, `stream-copy`). */
  operation: string;
}
/** Something the user should know that did not stop the transfer (a fallback, a skipped checksum). */
export interface WarningEvent extends TransferEventBase {
  /** Discriminant of {@link TransferEvent}. */
  type: 'warning';
  /** Stable code to match on (`resume-discarded`, a read router's reason code, …). */
  code: string;
  /** What happened, in one sentence (secret-free). */
  message: string;
}
/** The read router's plan for this object (emitted before any byte moves, and again after a recovery). */
export interface RoutedEvent extends TransferEventBase {
  /** Discriminant of {@link TransferEvent}. */
  type: 'routed';
  /** The route's name, chosen by the router. */
  route: string;
  /** What will be read. */
  uri: string;
  /** What the caller asked for. */
  requested: string;
  /** `CODE: explanation`, deciding reason first. */
  reasons: readonly string[];
  /** The stable reason codes alone. */
  reasonCodes: readonly string[];
  /** What the user should know about the route. */
  warnings: readonly string[];
  /** Facts only the router's adapter knows (who pays, metering, a cost estimate…); secret-free. */
  details?: Readonly<Record<string, unknown>>;
}
/** The transfer finished and was verified (or skipped by the overwrite policy). */
export interface CompletedEvent extends TransferEventBase {
  /** Discriminant of {@link TransferEvent}. */
  type: 'completed';
  /** Bytes copied (0 when skipped). */
  bytes: number;
  /** Wall time of the transfer, in ms. */
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
  /** Discriminant of {@link TransferEvent}. */
  type: 'failed';
  /** The error the transfer rejects with, reduced to plain fields. */
  error: {
    /** The error's code (`Error` when it has none). */
    code: string;
    /** The error's message. */
    message: string;
    /** Whether running the transfer again may succeed. */
    retryable: boolean;
  };
}
/**
 * The `error` of a `failed` event: plain fields, the message scrubbed of secrets (a StowageError
 * scrubs its own; anything else, e.g. a Node system error quoting a path, is scrubbed here).
 */
export function failureOf(error: unknown): FailedEvent['error'] {
  const e = error as { code?: unknown; message?: unknown; retryable?: unknown };
  const message = error instanceof StowageError ? error.message : redactSecrets(String(e?.message ?? error));
  return {
    code: error instanceof StowageError ? error.code : 'Error',
    message,
    retryable: e?.retryable === true,
  };
}

/** Aggregate counts of a tree transfer, after each file settles. */
export interface TreeProgressEvent extends TransferEventBase {
  /** Discriminant of {@link TransferEvent}. */
  type: 'tree-progress';
  /** Files selected from the listing so far. */
  filesQueued: number;
  /** Files copied (with `dryRun`: planned). */
  filesDone: number;
  /** Files the overwrite policy skipped. */
  filesSkipped: number;
  /** Files that failed. */
  filesFailed: number;
  /** Bytes of the files done. */
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

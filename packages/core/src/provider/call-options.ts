/** What a provider call says about itself on the way, for the transfer it serves. */
export type CallNotice =
  | {
      /** The call is tried again (the retry layer's policy). */
      type: 'retry';
      /** What is retried (`read`, `stat`, `uploadPart`, …). */
      operation: string;
      /** The attempt about to start (2 for the first retry). */
      attempt: number;
      /** Backoff before it, in ms. */
      delayMs: number;
      /** Code and message of the error that caused it (secret-free). */
      reason: string;
      /** The error itself, for callers that react to its kind (never printed as is). */
      error?: unknown;
    }
  | {
      /** Something the call recovered from (a region redirect, a credential refresh, a fallback). */
      type: 'warning';
      /** Stable code (`region-redirect`, `credentials-refreshed`, `unsigned-fallback`, …). */
      code: string;
      /** What happened, in one sentence (secret-free). */
      message: string;
    };

/**
 * What every provider call takes: an abort signal, and a channel for its retries and recoveries,
 * which the engine turns into the transfer's `retry` and `warning` events. Layers and adapters
 * report there; nothing is printed.
 */
export interface CallOptions {
  /** Aborts the call. */
  signal?: AbortSignal;
  /** Told about retries and recoveries of this call. */
  notify?: (notice: CallNotice) => void;
}

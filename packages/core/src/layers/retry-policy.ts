/*
 * The retry policy's shape, apart from the layer that applies it: the provider contract names it
 * (`WriteOptions.retry`) and the layer names the contract, so the shape lives below both.
 */

/** What the retry layer reports before each new attempt. */
export interface RetryNotice {
  /** What is retried (`read`, `upload-part`, `list`, …). */
  operation: string;
  /** Display form of the URI involved, when there is one. */
  uri?: string;
  /** The attempt about to start (2 for the first retry). */
  attempt: number;
  /** Backoff before that attempt, in ms. */
  delayMs: number;
  /** Code and message of the error that caused the retry (secret-free). */
  reason: string;
  /** The error itself, for callers that react to its kind (never printed as is). */
  error?: unknown;
}

/** Options of {@link withRetry} and {@link retrying}. */
export interface RetryOptions {
  /** Total attempts including the first. Default 4. */
  maxAttempts?: number;
  /** First backoff step. Default 100 ms. */
  baseDelayMs?: number;
  /** Upper bound of one delay. Default 20 s. */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the error is given up on at once. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Which errors to retry. Default: StowageErrors with `retryable`, never aborts. */
  shouldRetry?: (error: unknown) => boolean;
  /** Called before each retry (the transfer engine turns these into `retry` events). */
  onRetry?: (notice: RetryNotice) => void;
  /** Random source in [0,1), for tests. */
  random?: () => number;
}

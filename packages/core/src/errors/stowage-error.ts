import { type InspectOptions, inspect } from 'node:util';
import { redactSecrets } from './redact.js';

/** Longest `util.inspect` output of an error (its stack and cause chain included). */
const MAX_INSPECTED_LENGTH = 64 * 1024;

/** Stable error codes; match on `error.code`, never on message text. */
export type StowageErrorCode =
  | 'NotFound'
  | 'PermissionDenied'
  | 'InvalidUri'
  | 'InvalidArgument'
  | 'Unsupported'
  | 'CredentialsNotFound'
  | 'ProfileNotFound'
  | 'InvalidConfig'
  | 'AuthenticationRequired'
  | 'PreconditionFailed'
  | 'ChecksumMismatch'
  | 'Aborted'
  | 'Timeout'
  | 'Transient'
  | 'DownloadCapExceeded';

/** Fields shared by every Stowage error. */
export interface StowageErrorOptions {
  /** The URI (or path, profile, variable) the failure is about. Secrets are stripped before storing. */
  uri?: string;
  /** Name of the provider or credential source that failed. */
  provider?: string;
  /** Whether repeating the same operation may succeed (throttling, 5xx, resets). */
  retryable?: boolean;
  /** The backend's own error, kept for debugging. */
  cause?: unknown;
  /** A short, actionable suggestion shown after the message. */
  hint?: string;
  /** Backend request id, when the backend gave one (e.g. a request id header). */
  requestId?: string;
  /** Delay the backend asked for before a retry (HTTP `Retry-After`), in milliseconds. */
  retryAfterMs?: number;
}

/**
 * Base class of every error Stowage throws. Messages are scrubbed of secrets (keys, tokens,
 * signatures, URL passwords) at construction, so an error can be logged as is.
 */
export class StowageError extends Error {
  /** Stable machine-readable code. */
  readonly code: StowageErrorCode;
  /** What the error is about (URI, file, profile), redacted. */
  readonly uri: string | undefined;
  /** Provider or credential source that raised it. */
  readonly provider: string | undefined;
  /** Whether retrying may help; the retry layer only retries when true. */
  readonly retryable: boolean;
  /** An actionable suggestion, if any. */
  readonly hint: string | undefined;
  /** Backend request id, if any. */
  readonly requestId: string | undefined;
  /** Backend-requested retry delay in ms, if any. */
  readonly retryAfterMs: number | undefined;

  constructor(code: StowageErrorCode, message: string, options: StowageErrorOptions = {}) {
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.uri = options.uri === undefined ? undefined : redactSecrets(options.uri);
    this.provider = options.provider;
    this.retryable = options.retryable ?? false;
    this.hint = options.hint === undefined ? undefined : redactSecrets(options.hint);
    this.requestId = options.requestId;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** A plain, secret-free object for logs and `--json` output. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      uri: this.uri,
      provider: this.provider,
      retryable: this.retryable,
      hint: this.hint,
      requestId: this.requestId,
    };
  }

  /**
   * What `util.inspect`, `console.log` and an uncaught-error report show: Node's own rendering (stack,
   * fields, the `cause` chain) passed through the scrubber, because a cause is a library's error and
   * may quote a key, a token or a server's answer.
   */
  [inspect.custom](_depth: number, options: InspectOptions, view: typeof inspect = inspect): string {
    const plain = view(this, { ...options, customInspect: false, colors: false });
    return redactSecrets(plain, { maxLength: MAX_INSPECTED_LENGTH });
  }
}

/** True when `value` is a StowageError, optionally with the given code. */
export function isStowageError(value: unknown, code?: StowageErrorCode): value is StowageError {
  return value instanceof StowageError && (code === undefined || value.code === code);
}

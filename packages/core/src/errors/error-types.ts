import { StowageError, type StowageErrorOptions } from './stowage-error.js';

/** The object, bucket, file or profile does not exist. */
export class NotFoundError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('NotFound', message, options);
  }
}
/** The backend refused the operation for these credentials. */
export class PermissionDeniedError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('PermissionDenied', message, options);
  }
}
/** A URI could not be parsed or breaks a rule (the message names the rule). */
export class InvalidUriError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('InvalidUri', message, options);
  }
}
/** An option or argument is out of range or malformed; raised before any request. */
export class InvalidArgumentError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('InvalidArgument', message, options);
  }
}
/** The provider lacks the capability; never a silent no-op. */
export class UnsupportedOperationError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('Unsupported', message, options);
  }
}
/** No credential source produced credentials where some were required. */
export class CredentialsNotFoundError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('CredentialsNotFound', message, options);
  }
}
/** A named profile does not exist in any config file. */
export class ProfileNotFoundError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('ProfileNotFound', message, options);
  }
}
/** A configuration file or value is malformed (the message names the file and the key). */
export class InvalidConfigError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('InvalidConfig', message, options);
  }
}
/** The operation needs a (new) login: expired or missing tokens. */
export class AuthenticationRequiredError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('AuthenticationRequired', message, options);
  }
}
/** A conditional request failed (`ifMatch`, `ifNoneMatch`, changed source). */
export class PreconditionFailedError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('PreconditionFailed', message, options);
  }
}
/**
 * The source was replaced while a transfer read it (its pinned ETag or modification time no longer
 * holds). A PreconditionFailed like any other, and its own class, because the cure differs: run
 * the copy again (the engine does so itself with `restartOnChange`), never skip it.
 */
export class SourceChangedError extends PreconditionFailedError {}
/** Data did not match its expected size or digest; nothing was kept. */
export class ChecksumMismatchError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('ChecksumMismatch', message, options);
  }
}
/** The caller's AbortSignal fired. Never retried. */
export class AbortedError extends StowageError {
  constructor(message = 'The operation was aborted', options?: StowageErrorOptions) {
    super('Aborted', message, options);
  }
}
/** An operation took longer than its configured timeout. Retryable. */
export class TimeoutError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('Timeout', message, { retryable: true, ...options });
  }
}
/** A temporary failure (throttling, 5xx, connection reset). Retryable. */
export class TransientError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('Transient', message, { retryable: true, ...options });
  }
}
/** A transfer would exceed the configured download cap; raised before any byte moves. */
export class DownloadCapExceededError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('DownloadCapExceeded', message, options);
  }
}
/**
 * A manifest line is not a manifest entry (not JSON, no key, a bad size): the copy stops before
 * it, since a manifest that cannot be read whole cannot say which keys are the tree.
 */
export class InvalidManifestError extends InvalidArgumentError {
  /** The 1-based number of the offending line, to find it in the file. */
  readonly line: number;
  constructor(message: string, line: number, options?: StowageErrorOptions) {
    super(message, options);
    this.line = line;
  }
}

import type { IncomingHttpHeaders } from 'node:http';
import {
  AuthenticationRequiredError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  PreconditionFailedError,
  redactSecrets,
  StowageError,
  type StowageErrorOptions,
  TimeoutError,
  TransientError,
  toAbortedError,
  UnsupportedOperationError,
} from '@stowage/core';

/** Provider name used in errors. */
export const PROVIDER_NAME = 'http';

/** Statuses worth repeating: throttling, gateway hiccups and server errors. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** `Retry-After` (seconds or an HTTP date) in milliseconds, when present and sane. */
export function retryAfterMs(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const value = headers['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const when = Date.parse(value);
  return Number.isNaN(when) ? undefined : Math.max(0, when - now);
}

/** Details of a response turned into an error. */
export interface StatusContext {
  /** Operation in words (`read`, `stat`, `write`). */
  operation: string;
  /** Printable URI (already free of user info). */
  where: string;
  /** HTTP method, named in the error for 405/501. */
  method: string;
  /** Whether the request carried credentials. */
  authenticated: boolean;
}

/** The typed error for an HTTP status (the caller decides which statuses are not errors). */
export function statusError(
  status: number,
  headers: IncomingHttpHeaders,
  context: StatusContext,
): StowageError {
  const { operation, where, method } = context;
  const base: StowageErrorOptions = { uri: where, provider: PROVIDER_NAME };
  const what = `${operation} ${where}: HTTP ${status}`;
  if (status === 404 || status === 410)
    return new NotFoundError(`Not found: ${where} (HTTP ${status})`, base);
  if (status === 401) {
    return new AuthenticationRequiredError(`Authentication required to ${what}`, {
      ...base,
      hint: context.authenticated
        ? 'The server rejected the credentials sent (even after asking the credential source again): log in again or check the token.'
        : 'Pass credentials to the HTTP provider: bearerToken(), basicAuth(), netrcCredentials() or delegatedLogin().',
    });
  }
  if (status === 403) return new PermissionDeniedError(`Permission denied to ${what}`, base);
  if (status === 405 || status === 501) {
    return new UnsupportedOperationError(`The server does not allow ${method} (${what})`, base);
  }
  if (status === 412) return new PreconditionFailedError(`Precondition failed to ${what}`, base);
  if (status === 416) return new InvalidArgumentError(`Range not satisfiable to ${what}`, base);
  if (isTransientStatus(status)) {
    const delay = retryAfterMs(headers);
    return new TransientError(`Server busy or failing to ${what}`, {
      ...base,
      ...(delay === undefined ? {} : { retryAfterMs: delay }),
    });
  }
  return new InvalidArgumentError(`The server refused to ${what}`, base);
}

/** A plain, secret-free stand-in for a library error (got errors carry request options, headers included). */
function sanitizedCause(error: unknown): Error {
  const e = error as { name?: string; code?: string; message?: string };
  const out = new Error(redactSecrets(String(e?.message ?? error)));
  out.name = String(e?.name ?? 'Error');
  if (e?.code !== undefined) (out as Error & { code?: string }).code = e.code;
  return out;
}

/**
 * Map a failure below HTTP (connection refused or reset, timeout, abort, bad redirect) to a typed
 * error. The library error is never kept as is: it holds the request headers.
 */
export function transportError(
  error: unknown,
  operation: string,
  where: string,
  signal: AbortSignal | undefined,
): Error {
  if (signal?.aborted) return toAbortedError(signal.reason, `${operation} of ${where}`);
  if (error instanceof StowageError) return error;
  const e = error as { name?: string; code?: string; message?: string; event?: string };
  const base = { uri: where, provider: PROVIDER_NAME, cause: sanitizedCause(error) };
  if (e?.name === 'AbortError') return toAbortedError(error, `${operation} of ${where}`);
  if (e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT') {
    return new TimeoutError(`${operation} ${where} timed out (${e.event ?? 'request'})`, base);
  }
  if (e?.name === 'MaxRedirectsError') {
    return new InvalidArgumentError(`Too many redirects to ${operation} ${where}`, base);
  }
  return new TransientError(
    `Network failure to ${operation} ${where}: ${e?.code ?? e?.message ?? 'error'}`,
    base,
  );
}

/** The resource changed while it was being read (its validator moved): the bytes cannot be spliced. */

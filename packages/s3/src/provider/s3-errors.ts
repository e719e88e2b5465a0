import {
  AbortedError,
  AuthenticationRequiredError,
  ChecksumMismatchError,
  InvalidArgumentError,
  InvalidConfigError,
  isAbortError,
  NotFoundError,
  PermissionDeniedError,
  PreconditionFailedError,
  redactSecrets,
  StowageError,
  type StowageErrorOptions,
  TimeoutError,
  TransientError,
  UnsupportedOperationError,
} from '@stowage/core';
import { isValidRegion } from './s3-client-factory.js';

/** The parts of an SDK v3 error this module reads. */
interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $response?: { headers?: Record<string, string | undefined> };
  $retryable?: { throttling?: boolean };
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'NoSuchVersion', 'NoSuchUpload']);
const DENIED = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccountProblem',
  'InvalidObjectState',
  'Forbidden',
]);
const EXPIRED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  'InvalidToken',
  'RequestExpired',
]);
const THROTTLED = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'OperationAborted',
  'ConditionalRequestConflict',
]);
const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
/** Network codes meaning the peer dropped the connection (not a timeout: nothing waited too long). */
const RESETS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
const UNSUPPORTED = new Set(['NotImplemented', 'MethodNotAllowed', 'XNotImplemented']);
const REDIRECT = new Set([
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
]);

/** The S3 error code of an SDK error (`NoSuchKey`, `SlowDown`, …), or a network code. */
export function s3ErrorCode(error: unknown): string {
  const e = error as SdkErrorLike;
  return e?.Code ?? e?.name ?? e?.code ?? 'Error';
}

/** The HTTP status of an SDK error, when the server answered. */
export function s3ErrorStatus(error: unknown): number | undefined {
  return (error as SdkErrorLike)?.$metadata?.httpStatusCode;
}

/** A response header of an SDK error (lower-case name). */
export function s3ErrorHeader(error: unknown, name: string): string | undefined {
  return (error as SdkErrorLike)?.$response?.headers?.[name];
}

/** True for errors that mean "your session credentials expired; refresh them". */
export function isExpiredCredentialsError(error: unknown): boolean {
  return EXPIRED.has(s3ErrorCode(error));
}

/** True for a 403 of any kind (the signal for the request-payer and unsigned fallbacks). */
export function isForbidden(error: unknown): boolean {
  return s3ErrorStatus(error) === 403 || s3ErrorCode(error) === 'AccessDenied';
}

/** True when S3 answered that the bucket lives in another region (the request went to the wrong one). */
export function isWrongRegionError(error: unknown): boolean {
  return REDIRECT.has(s3ErrorCode(error)) || s3ErrorStatus(error) === 301;
}

/**
 * The region S3 says the bucket lives in, when an error is a wrong-region answer. A header that is
 * not a region name is ignored: the region becomes part of the next request's host name.
 */
export function redirectRegion(error: unknown): string | undefined {
  const region = s3ErrorHeader(error, 'x-amz-bucket-region');
  if (!region || !isValidRegion(region)) return undefined;
  const status = s3ErrorStatus(error);
  return status === 301 || status === 307 || status === 400 || REDIRECT.has(s3ErrorCode(error))
    ? region
    : undefined;
}

/** What the message should say about the request, besides the S3 code. */
export interface S3ErrorContext {
  /** `stat`, `read`, `write`, `list`, … */
  operation: string;
  /** Secret-free display form of the URI. */
  uri: string;
  /** The bucket, named in bucket-level errors (no such bucket, wrong region). */
  bucket: string;
  /** The provider name the error carries. */
  provider: string;
  /** Whether the request carried `x-amz-request-payer`. */
  requestPayer?: boolean;
  /** Whether the request was unsigned. */
  anonymous?: boolean;
}

function retryAfterMs(error: unknown): number | undefined {
  const raw = s3ErrorHeader(error, 'retry-after');
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

// Fields S3 echoes in SignatureDoesNotMatch answers: the signature and what was signed.
const ECHOED_SIGNING_FIELDS = [
  '$response',
  'SignatureProvided',
  'StringToSign',
  'StringToSignBytes',
  'CanonicalRequest',
  'CanonicalRequestBytes',
];

/**
 * The SDK error keeps the raw HTTP response (whose request carries the Authorization header and
 * session token) and what S3 echoes about the signature. They stay reachable for debugging, but
 * out of `util.inspect`/`console.log` of the error chain; string fields and the message are
 * scrubbed, so logging a Stowage error with its cause never prints a key, token or signature.
 */
function scrubSdkError(error: unknown): void {
  if (typeof error !== 'object' || error === null) return;
  for (const name of Object.keys(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, name);
    if (!descriptor?.configurable) continue;
    if (ECHOED_SIGNING_FIELDS.includes(name)) {
      Object.defineProperty(error, name, { ...descriptor, enumerable: false });
    } else if (typeof descriptor.value === 'string' && descriptor.writable) {
      (error as Record<string, unknown>)[name] = redactSecrets(descriptor.value);
    }
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string') {
    try {
      (error as { message: string }).message = redactSecrets(message);
    } catch {
      // a frozen error keeps its message; ours is scrubbed regardless
    }
  }
}

/**
 * Translate an SDK error into the core taxonomy. The SDK error stays as `cause`; the message names
 * the operation, the URI, the S3 code, the HTTP status and the request id — never a key, token or
 * signature (StowageError scrubs the text too, as a second line of defence).
 */
export function mapS3Error(error: unknown, context: S3ErrorContext): Error {
  if (error instanceof StowageError) return error;
  if (isAbortError(error)) {
    return new AbortedError(`${context.operation} ${context.uri} was aborted`, {
      cause: error,
      uri: context.uri,
      provider: context.provider,
    });
  }
  const e = (error ?? {}) as SdkErrorLike;
  scrubSdkError(error);
  const code = s3ErrorCode(error);
  const status = s3ErrorStatus(error);
  const requestId = e.$metadata?.requestId ?? s3ErrorHeader(error, 'x-amz-request-id');
  const detail = [
    code,
    status === undefined ? undefined : `HTTP ${status}`,
    requestId === undefined ? undefined : `request id ${requestId}`,
  ]
    .filter(Boolean)
    .join(', ');
  const serverText = e.message && e.message !== code && e.message !== 'UnknownError' ? `: ${e.message}` : '';
  const base: StowageErrorOptions = {
    cause: error,
    uri: context.uri,
    provider: context.provider,
    ...(requestId === undefined ? {} : { requestId }),
  };
  const message = (what: string) =>
    `${context.operation} ${context.uri} failed: ${what} (${detail})${serverText}`;

  if (NOT_FOUND.has(code) || status === 404) {
    const what =
      code === 'NoSuchBucket'
        ? `bucket "${context.bucket}" does not exist`
        : code === 'NoSuchUpload'
          ? 'the multipart upload does not exist (completed, aborted or expired)'
          : code === 'NoSuchVersion'
            ? 'no such version'
            : 'no such object';
    return new NotFoundError(message(what), base);
  }
  if (EXPIRED.has(code)) {
    return new AuthenticationRequiredError(message('the credentials have expired'), {
      ...base,
      hint: 'Refresh the session (log in again, or renew the temporary credentials) and retry',
    });
  }
  if (code === 'PreconditionFailed' || status === 412) {
    return new PreconditionFailedError(message('a precondition (If-Match / If-None-Match) failed'), base);
  }
  if (status === 304) {
    return new PreconditionFailedError(message('the object was not modified'), base);
  }
  if (isWrongRegionError(error)) {
    const header = s3ErrorHeader(error, 'x-amz-bucket-region');
    const region = header !== undefined && isValidRegion(header) ? header : undefined;
    return new InvalidConfigError(
      message(`bucket "${context.bucket}" is in ${region ? `region ${region}` : 'another region'}`),
      {
        ...base,
        hint: region
          ? `Create the provider with region: '${region}', or enable followRegionRedirects`
          : 'Set the bucket region explicitly',
      },
    );
  }
  if (DENIED.has(code) || status === 403) {
    let hint: string;
    if (code === 'SignatureDoesNotMatch') hint = 'The secret access key does not match the access key id';
    else if (code === 'InvalidAccessKeyId') hint = 'The access key id is unknown to this endpoint';
    else if (context.anonymous)
      hint = 'The request was unsigned; this object is not public. Supply credentials';
    else {
      // The usual cause is a policy that does not grant these credentials the action; a
      // requester-pays bucket answers the same 403, so it is named second.
      hint = `The credentials used are not allowed to ${context.operation} in s3://${context.bucket}: check which credentials were used (the chain's explain(), or \`stowage credentials explain\`) and what the IAM policy, the bucket policy and, for encrypted objects, the KMS key policy grant them`;
      if (!context.requestPayer)
        hint += `. Only if s3://${context.bucket} is a requester-pays bucket: set requestPayer: true (you pay for requests and transfer)`;
    }
    return new PermissionDeniedError(message('access denied'), { ...base, hint });
  }
  if (THROTTLED.has(code) || (status !== undefined && status >= 500) || status === 429 || e.$retryable) {
    const delay = retryAfterMs(error);
    return new TransientError(
      message(status === 503 || code === 'SlowDown' ? 'throttled' : 'temporary failure'),
      {
        ...base,
        ...(delay === undefined ? {} : { retryAfterMs: delay }),
      },
    );
  }
  // The SDK names some socket failures `TimeoutError` ("socket hang up" with code ECONNRESET): the
  // errno says what happened, so it decides before the name does.
  const errno = NETWORK.has(e.code ?? '') ? e.code! : NETWORK.has(code) ? code : undefined;
  if (errno !== undefined && errno !== 'ETIMEDOUT') {
    const what = RESETS.has(errno) ? 'connection reset' : 'connection problem';
    return new TransientError(
      `${context.operation} ${context.uri} failed: ${what} (${errno}): ${e.message ?? ''}`,
      base,
    );
  }
  if (code === 'TimeoutError' || code === 'RequestTimeTooSkewed' || errno === 'ETIMEDOUT') {
    return new TimeoutError(message('timed out'), base);
  }
  if (status === undefined && e.$fault === undefined) {
    return new TransientError(
      `${context.operation} ${context.uri} failed: connection problem (${e.code ?? code}): ${e.message ?? ''}`,
      base,
    );
  }
  if (UNSUPPORTED.has(code) || status === 405 || status === 501) {
    return new UnsupportedOperationError(message('the server does not implement this operation'), base);
  }
  if (code === 'InvalidRange' || status === 416) {
    return new InvalidArgumentError(message('the requested range is not satisfiable'), base);
  }
  if (code === 'BadDigest' || code === 'InvalidDigest' || code.startsWith('XAmzContentChecksum')) {
    return new ChecksumMismatchError(message('the body did not match its checksum'), {
      ...base,
      retryable: true,
    });
  }
  return new InvalidArgumentError(message('the request was rejected'), base);
}

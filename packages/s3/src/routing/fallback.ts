import { isStowageError, redactSecrets, type StowageErrorCode } from '@stowage/core';
import { isWrongRegionError, mapS3Error, redirectRegion, s3ErrorCode } from '../provider/s3-errors.js';
import type { ReasonCode } from './reason-codes.js';
import type { RouteDecision } from './route-decision.js';
import { type ResolvedRoutePolicy, type RoutePolicy, resolveRoutePolicy } from './route-policy.js';
import { divertToMirror } from './route-rules.js';

/** How an S3 read failed, as the fallback table sees it. */
export type S3FailureKind =
  | 'access-denied'
  | 'not-found'
  | 'wrong-region'
  | 'credentials-expired'
  | 'unavailable'
  | 'cap-exceeded'
  | 'aborted'
  | 'other';

/** A failure reduced to what the fallback table reads. */
export interface S3Failure {
  /** The row of {@link FALLBACK_TABLE} that applies. */
  kind: S3FailureKind;
  /** The bucket's real region, when the error carried it (`x-amz-bucket-region`, `Region`). */
  region?: string;
  /** The error's code or name, for messages. */
  name: string;
}

/** What the transfer engine should do after an S3 read failed (its retries already exhausted). */
export type FallbackAdvice =
  /** Read from the mirror instead: `decision` is the re-routed one (emit it, and `warning`). */
  | {
      /** Read the mirror. */
      action: 'fallback';
      /** The decision re-routed to the mirror. */
      decision: RouteDecision;
      /** The new deciding reason (`S3_ACCESS_DENIED`, `S3_NOT_FOUND`, …). */
      code: ReasonCode;
      /** What to tell the user (secret-free). */
      warning: string;
    }
  /** The bucket is elsewhere: tell the router (`learnBucketRegion`) and decide again. */
  | {
      /** Learn the region and decide again. */
      action: 'redecide';
      /** The bucket whose region was learnt. */
      bucket: string;
      /** The bucket's real region, from the error. */
      region: string;
      /** What to tell the user. */
      warning: string;
    }
  /** Refresh the credentials once (`ResolveContext.forceRefresh`) and retry the same route. */
  | {
      /** Refresh the credentials and retry. */
      action: 'refresh-credentials';
      /** What to tell the user. */
      warning: string;
    }
  /** Give up: rethrow the original error. */
  | {
      /** Rethrow the original error. */
      action: 'throw';
      /** Why there is no fallback, in words. */
      why: string;
    };

/** What the caller knows beyond the error. */
export interface FallbackContext {
  /** Reads may fall back; writes never are routed. Default `'read'`. */
  operation?: 'read' | 'write';
  /** True once credentials were refreshed for this transfer (refresh at most once). */
  credentialsRefreshed?: boolean;
  /** True once the transfer re-decided after a region redirect (re-decide at most once). */
  redecided?: boolean;
}

/** One row of the runtime fallback table. */
export interface FallbackRow {
  /** The failure this row is for. */
  kind: S3FailureKind;
  /** What happens, in words (`stowage plan` prints the table). */
  action: string;
  /** The reason code of the re-routed decision, for rows that fall back. */
  code?: ReasonCode;
}

/**
 * Which S3 failures may fall back to the HTTPS mirror (`cloud-access.md` §7). Fallback needs a
 * mirror and `policy.fallback === 'http'`; it is never silent (a warning) and never for writes.
 */
export const FALLBACK_TABLE: readonly FallbackRow[] = [
  {
    kind: 'wrong-region',
    action: 'learn the region and decide again (once); without a region, fall back to the mirror',
    code: 'S3_WRONG_REGION',
  },
  { kind: 'access-denied', action: 'fall back to the mirror', code: 'S3_ACCESS_DENIED' },
  {
    kind: 'not-found',
    action: 'fall back to the mirror (the object may not be mirrored to S3)',
    code: 'S3_NOT_FOUND',
  },
  {
    kind: 'credentials-expired',
    action: 'refresh credentials once, then fall back to the mirror',
    code: 'S3_CREDENTIALS_EXPIRED',
  },
  { kind: 'unavailable', action: 'after the retries, fall back to the mirror', code: 'S3_UNAVAILABLE' },
  {
    kind: 'cap-exceeded',
    action: "fall back to the mirror when capAction is 'http', else fail",
    code: 'CAP_WOULD_EXCEED',
  },
  { kind: 'aborted', action: 'never fall back (the caller cancelled)' },
  { kind: 'other', action: 'never fall back (bad input, checksum mismatch, precondition…)' },
];

const BY_STOWAGE_CODE: Partial<Record<StowageErrorCode, S3FailureKind>> = {
  PermissionDenied: 'access-denied',
  NotFound: 'not-found',
  AuthenticationRequired: 'credentials-expired',
  CredentialsNotFound: 'access-denied',
  Transient: 'unavailable',
  Timeout: 'unavailable',
  DownloadCapExceeded: 'cap-exceeded',
  Aborted: 'aborted',
};

/** The error and its causes, outermost first (bounded, in case of a cycle). */
function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = error, i = 0; e && typeof e === 'object' && i < 8; e = (e as { cause?: unknown }).cause, i++)
    out.push(e);
  return out;
}

/** An error as the AWS SDK throws it (it carries the response's metadata or a fault side). */
function isSdkError(error: unknown): boolean {
  const e = error as { $metadata?: unknown; $fault?: unknown };
  return typeof error === 'object' && error !== null && (e.$metadata !== undefined || e.$fault !== undefined);
}

/**
 * Reduce an error to an {@link S3Failure} through the S3 provider's own classifier
 * (`mapS3Error`): the first StowageError of the cause chain decides by its code, a raw SDK error
 * is mapped first. A wrong-region answer keeps the region S3 named (`x-amz-bucket-region`).
 */
export function classifyS3Failure(error: unknown): S3Failure {
  for (const link of chain(error)) {
    const typed = isStowageError(link)
      ? link
      : isSdkError(link)
        ? mapS3Error(link, { operation: 'read', uri: '', bucket: '', provider: 's3' })
        : undefined;
    if (!isStowageError(typed)) continue;
    const sdk = isSdkError(link) ? link : typed.cause;
    const name = isSdkError(sdk) ? s3ErrorCode(sdk) : typed.code;
    if (isSdkError(sdk) && isWrongRegionError(sdk)) {
      const region = redirectRegion(sdk);
      return region ? { kind: 'wrong-region', region, name } : { kind: 'wrong-region', name };
    }
    const kind = BY_STOWAGE_CODE[typed.code] ?? (typed.retryable ? 'unavailable' : 'other');
    return { kind, name };
  }
  const names = chain(error).map((e) => (e as { name?: unknown }).name);
  if (names.includes('AbortError')) return { kind: 'aborted', name: 'AbortError' };
  return { kind: 'other', name: (names[0] as string | undefined) ?? 'Error' };
}

/**
 * The runtime fallback table as a pure function: after an S3 read failed (retries exhausted),
 * should the transfer re-decide, refresh credentials, read the HTTPS mirror, or give up?
 * Never falls back for writes, for HTTP routes, without a mirror, or when `policy.fallback` is
 * `'none'`.
 */
export function shouldFallBack(
  error: unknown,
  decision: RouteDecision,
  policy: RoutePolicy | ResolvedRoutePolicy = {},
  context: FallbackContext = {},
): FallbackAdvice {
  if ((context.operation ?? 'read') === 'write')
    return { action: 'throw', why: 'writes are never routed or re-routed' };
  if (decision.route !== 's3')
    return { action: 'throw', why: 'the decision already reads over HTTP; nothing to fall back to' };
  const resolved = resolveRoutePolicy(policy);
  const failure = classifyS3Failure(error);
  const row = FALLBACK_TABLE.find((r) => r.kind === failure.kind)!;
  const message = redactSecrets(error instanceof Error ? error.message : String(error));
  const bucket = decision.facts.data.s3?.bucket;

  if (failure.kind === 'aborted' || failure.kind === 'other') return { action: 'throw', why: row.action };
  if (failure.kind === 'wrong-region' && failure.region && bucket && !context.redecided) {
    return {
      action: 'redecide',
      bucket,
      region: failure.region,
      warning: `Bucket ${bucket} is in ${failure.region}, not where it was thought to be (${failure.name}); deciding again`,
    };
  }
  if (failure.kind === 'credentials-expired' && !context.credentialsRefreshed) {
    return {
      action: 'refresh-credentials',
      warning: `S3 credentials were rejected as expired (${failure.name}) reading ${decision.uri}; refreshing once`,
    };
  }
  if (failure.kind === 'cap-exceeded' && resolved.capAction !== 'http')
    return { action: 'throw', why: "the download cap was reached and capAction is 'fail'" };
  if (resolved.fallback !== 'http') return { action: 'throw', why: "the route policy's fallback is 'none'" };
  const code = row.code!;
  const warning = `S3 read of ${decision.uri} failed (${failure.name}: ${message}); falling back to the HTTPS mirror`;
  const diverted = divertToMirror(decision, code, warning);
  if (!diverted) return { action: 'throw', why: `${decision.uri} has no HTTPS mirror to fall back to` };
  return { action: 'fallback', decision: diverted, code, warning };
}

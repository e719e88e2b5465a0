/**
 * Stable reason codes of routing decisions. They are part of the public API: scripts, logs and
 * `stowage plan --json` match on them, so a code is never renamed, only added.
 *
 * Deciding rules (first match wins, in this order):
 * - `PREFER_HTTP` — the policy prefers HTTP and the object has an HTTPS mirror.
 * - `DATA_NOT_IN_CLOUD` — the object has no S3 location.
 * - `USER_NOT_IN_CLOUD` — this process is not (known to be) running in AWS.
 * - `PLATFORM_ACCOUNT` — the account is a platform's (the data provider's), same region by design.
 * - `SAME_REGION` — user and bucket are in the same, known region.
 * - `REQUESTER_PAYS_NOT_ALLOWED` — same region, but the bucket is requester pays and the policy or
 *   the missing credentials forbid paying.
 * - `CROSS_REGION_ANONYMOUS` — different (or unknown) region and no AWS credentials.
 * - `CROSS_REGION_REQUESTER_PAYS` — different region, credentials, cross-region and requester pays allowed.
 * - `CROSS_REGION_NOT_ALLOWED` — different region, credentials, but the policy does not allow it.
 *
 * Supplementary reasons (after the deciding one):
 * - `REGION_UNKNOWN` — the user's or the bucket's region is unknown, so "same region" could not match.
 * - `NO_HTTP_MIRROR` — the rule wanted HTTP, but the object has no mirror, so S3 is used (or refused).
 *
 * Re-routes after the first decision:
 * - `CAP_WOULD_EXCEED` — the download cap would be crossed; sent to the mirror (`capAction: 'http'`).
 * - `S3_ACCESS_DENIED`, `S3_NOT_FOUND`, `S3_WRONG_REGION`, `S3_CREDENTIALS_EXPIRED`, `S3_UNAVAILABLE` —
 *   the S3 read failed at run time and the transfer falls back to the mirror.
 */
export const REASON_CODES = [
  'PREFER_HTTP',
  'DATA_NOT_IN_CLOUD',
  'USER_NOT_IN_CLOUD',
  'PLATFORM_ACCOUNT',
  'SAME_REGION',
  'REQUESTER_PAYS_NOT_ALLOWED',
  'CROSS_REGION_ANONYMOUS',
  'CROSS_REGION_REQUESTER_PAYS',
  'CROSS_REGION_NOT_ALLOWED',
  'REGION_UNKNOWN',
  'NO_HTTP_MIRROR',
  'CAP_WOULD_EXCEED',
  'S3_ACCESS_DENIED',
  'S3_NOT_FOUND',
  'S3_WRONG_REGION',
  'S3_CREDENTIALS_EXPIRED',
  'S3_UNAVAILABLE',
] as const;

/** One of {@link REASON_CODES}. */
export type ReasonCode = (typeof REASON_CODES)[number];

/** Why a decision was made: a stable code and one human sentence (never a secret). */
export interface RouteReason {
  /** Stable code to match on. */
  code: ReasonCode;
  /** The facts behind it, in one sentence. */
  message: string;
}

import { InvalidArgumentError } from '@stowage/core';

/**
 * How the download cap behaves, after rclone's `--cutoff-mode`:
 * - `hard` — refuse a transfer once the limit is reached or when its known size would cross it;
 *   a transfer of unknown size is stopped mid-stream at the limit.
 * - `soft` — start no new transfer once the limit is reached; running ones finish.
 * - `cautious` — refuse any transfer that would cross the limit, and any of unknown size.
 */
export type CapMode = 'hard' | 'soft' | 'cautious';

/** USD per GiB of metered S3 egress, by kind; prices are configuration, never built in. */
export interface CostRates {
  /** Data transfer between AWS regions (e.g. 0.02). */
  crossRegion?: number;
  /** Data transfer out to the internet (e.g. 0.09). */
  internet?: number;
  /** Same region (data is free; set this to account for requester-pays request fees). */
  sameRegion?: number;
}

/** What the user allows; every field has a safe default (nothing that costs money). */
export interface RoutePolicy {
  /** Read from S3 across regions (costs someone egress). Default false. */
  allowCrossRegion?: boolean;
  /** Send `x-amz-request-payer: requester`, i.e. pay for requests and transfer. Default false. */
  allowRequesterPays?: boolean;
  /** Use the HTTPS mirror whenever one exists. Default false. */
  preferHttp?: boolean;
  /** Whether a failed S3 read may fall back to the mirror at run time. Default `'http'`. */
  fallback?: 'http' | 'none';
  /** Metered S3 bytes allowed per Storage (across all transfers; bytes re-read by retries count too). Default: no cap. */
  downloadCap?: number;
  /** How the cap stops transfers. Default `'hard'` (rclone's default). */
  capMode?: CapMode;
  /** Over the cap: throw `DownloadCapExceededError` (`'fail'`, default) or use the mirror (`'http'`). */
  capAction?: 'fail' | 'http';
  /** USD per GiB for the decision's cost estimate: one price for every kind, or per kind. */
  costPerGiB?: number | CostRates;
}

/** A policy with its defaults applied and checked. */
export interface ResolvedRoutePolicy {
  /** S3 reads across regions are allowed. */
  allowCrossRegion: boolean;
  /** Paying for requester-pays reads is allowed. */
  allowRequesterPays: boolean;
  /** Use the HTTPS mirror whenever one exists. */
  preferHttp: boolean;
  /** `http`: a failed S3 read may fall back to the mirror; `none`: it fails. */
  fallback: 'http' | 'none';
  /** Metered bytes allowed; undefined means no cap. */
  downloadCap: number | undefined;
  /** How the cap stops transfers. */
  capMode: CapMode;
  /** Over the cap: fail with `DownloadCapExceededError` or read the mirror. */
  capAction: 'fail' | 'http';
  /** Prices for cost estimates; undefined means no estimate. */
  costPerGiB: number | CostRates | undefined;
}

function checkPrice(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(
      `Route policy ${name} must be a non-negative number of USD per GiB (got ${String(value)})`,
    );
  }
}

/**
 * Apply defaults (`overrides` over `base`) and validate, so a bad cap or mode fails before any
 * request instead of in the middle of a transfer.
 * @throws InvalidArgumentError naming the field.
 */
export function resolveRoutePolicy(overrides: RoutePolicy = {}, base: RoutePolicy = {}): ResolvedRoutePolicy {
  const p = { ...base, ...stripUndefined(overrides) };
  const cap = p.downloadCap;
  if (cap !== undefined && (typeof cap !== 'number' || !Number.isSafeInteger(cap) || cap < 0)) {
    throw new InvalidArgumentError(
      `Route policy downloadCap must be a non-negative integer number of bytes (got ${String(cap)})`,
    );
  }
  const capMode = p.capMode ?? 'hard';
  if (!['hard', 'soft', 'cautious'].includes(capMode)) {
    throw new InvalidArgumentError(
      `Route policy capMode must be 'hard', 'soft' or 'cautious' (got ${String(capMode)})`,
    );
  }
  const capAction = p.capAction ?? 'fail';
  if (capAction !== 'fail' && capAction !== 'http') {
    throw new InvalidArgumentError(
      `Route policy capAction must be 'fail' or 'http' (got ${String(capAction)})`,
    );
  }
  const fallback = p.fallback ?? 'http';
  if (fallback !== 'http' && fallback !== 'none') {
    throw new InvalidArgumentError(
      `Route policy fallback must be 'http' or 'none' (got ${String(fallback)})`,
    );
  }
  if (typeof p.costPerGiB === 'object' && p.costPerGiB !== null) {
    for (const [k, v] of Object.entries(p.costPerGiB)) checkPrice(`costPerGiB.${k}`, v);
  } else checkPrice('costPerGiB', p.costPerGiB);
  return {
    allowCrossRegion: p.allowCrossRegion === true,
    allowRequesterPays: p.allowRequesterPays === true,
    preferHttp: p.preferHttp === true,
    fallback,
    downloadCap: cap,
    capMode,
    capAction,
    costPerGiB: p.costPerGiB,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

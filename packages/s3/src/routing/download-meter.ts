import { DownloadCapExceededError } from '@stowage/core';
import type { RouteDecision } from './route-decision.js';
import {
  type CapMode,
  type ResolvedRoutePolicy,
  type RoutePolicy,
  resolveRoutePolicy,
} from './route-policy.js';

/** Refused or stopped by the download cap; carries the numbers so callers need not parse the message. */
export class DownloadCapError extends DownloadCapExceededError {
  /** The cap, in bytes. */
  readonly cap: number;
  /** Metered bytes already committed or reserved when the check ran. */
  readonly used: number;
  /** Bytes the transfer asked for (undefined: unknown size). */
  readonly requested: number | undefined;
  /** The cap mode that refused or stopped the transfer. */
  readonly mode: CapMode;

  constructor(
    message: string,
    fields: {
      cap: number;
      used: number;
      requested: number | undefined;
      mode: CapMode;
      uri?: string;
      hint?: string;
    },
  ) {
    super(message, { uri: fields.uri, hint: fields.hint, provider: 'router' });
    this.cap = fields.cap;
    this.used = fields.used;
    this.requested = fields.requested;
    this.mode = fields.mode;
  }

  /** The error's JSON form plus `cap`, `used`, `requested` and `mode`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), cap: this.cap, used: this.used, requested: this.requested, mode: this.mode };
  }
}

/** The meter's books. */
export interface MeterUsage {
  /** Metered bytes of finished (committed or released-after-moving) transfers. */
  committed: number;
  /** Bytes held by running transfers: the larger of what each reserved and what it moved. */
  inFlight: number;
  /** Running transfers holding a reservation. */
  active: number;
  /** Committed metered bytes per bucket. */
  byBucket: Record<string, number>;
}

const CAP_HINT =
  "Raise the route policy's downloadCap, set capAction: 'http' to use the HTTPS mirror, or read from the same region.";

/**
 * A hold on the cap for one transfer, taken before its first byte. Report bytes as they move
 * (`record`), then `commit` on success or `release` on failure; both are idempotent.
 */
export class DownloadReservation {
  /** Bytes reserved up front (0 when the size is unknown or the read is not metered). */
  readonly bytes: number;
  /** Whether these bytes count against the cap. */
  readonly metered: boolean;
  private movedBytes = 0;
  private done = false;

  /** @internal Created by {@link DownloadMeter.reserve}. */
  constructor(
    private readonly meter: DownloadMeter,
    /** The decision this reservation was taken for. */
    readonly decision: RouteDecision,
    bytes: number | undefined,
    private readonly policy: ResolvedRoutePolicy,
  ) {
    this.bytes = decision.metered ? (bytes ?? 0) : 0;
    this.metered = decision.metered;
  }

  /** Bytes reported through {@link record}. */
  get moved(): number {
    return this.movedBytes;
  }

  /** True once committed or released. */
  get settled(): boolean {
    return this.done;
  }

  /** What this transfer holds against the cap right now. */
  get held(): number {
    return this.done || !this.metered ? 0 : Math.max(this.bytes, this.movedBytes);
  }

  /**
   * Report bytes that just moved. A routed copy reports every byte the engine reads, a retried
   * part's or stream's re-read included (egress is billed per byte sent, not per object), so
   * retries can take a transfer past its reservation. In `hard` mode this throws once metered
   * usage passes the cap (a transfer of unknown size, or one whose re-reads cross it, is stopped
   * there); the routed copy then cancels the transfer, removes what it wrote, and `release()`s.
   * @throws DownloadCapError
   */
  record(bytes: number): void {
    if (this.done || bytes <= 0) return;
    this.movedBytes += bytes;
    const cap = this.policy.downloadCap;
    if (!this.metered || cap === undefined || this.policy.capMode !== 'hard') return;
    const used = this.meter.usedBytes();
    if (used > cap) {
      throw new DownloadCapError(
        `Download cap of ${cap} bytes reached while reading ${this.decision.uri}: ${used} metered bytes used (mode hard)`,
        {
          cap,
          used,
          requested: this.bytes || undefined,
          mode: 'hard',
          uri: this.decision.uri,
          hint: CAP_HINT,
        },
      );
    }
  }

  /**
   * The transfer finished: count `actualBytes` (a routed copy passes the bytes it moved, re-reads
   * included; default: the bytes recorded, else the reservation).
   */
  commit(actualBytes?: number): void {
    if (this.done) return;
    this.done = true;
    const bytes = actualBytes ?? (this.movedBytes > 0 ? this.movedBytes : this.bytes);
    this.meter.settle(this, this.metered ? bytes : 0);
  }

  /** The transfer failed or was cancelled: free the reservation; bytes already recorded still count. */
  release(): void {
    if (this.done) return;
    this.done = true;
    this.meter.settle(this, this.metered ? this.movedBytes : 0);
  }
}

/**
 * Counts metered S3 bytes (cross-region, over the internet, or requester pays) for one Storage,
 * across every transfer, concurrent ones included, after rclone's `--max-transfer`. Transfers
 * reserve their size before the first byte, so two concurrent transfers cannot both slip under
 * the cap. Unmetered reads (same region, HTTP) get a free reservation so callers need no branch.
 */
export class DownloadMeter {
  private committed = 0;
  private readonly byBucket = new Map<string, number>();
  private readonly active = new Set<DownloadReservation>();

  /**
   * Reserve `bytes` (undefined: unknown size) for the read `decision` describes, under the cap and
   * mode of `policy`. Synchronous, so concurrent callers are served one at a time.
   * @throws DownloadCapError (a `DownloadCapExceededError`) before any byte moves, when the cap forbids it.
   */
  reserve(
    bytes: number | undefined,
    decision: RouteDecision,
    policy: RoutePolicy | ResolvedRoutePolicy = {},
  ): DownloadReservation {
    const resolved = resolveRoutePolicy(policy);
    const reservation = new DownloadReservation(this, decision, bytes, resolved);
    const cap = resolved.downloadCap;
    if (decision.metered && cap !== undefined) {
      const used = this.usedBytes();
      const mode = resolved.capMode;
      const crosses = bytes !== undefined && used + bytes > cap;
      const refuse =
        mode === 'soft'
          ? used >= cap
          : mode === 'hard'
            ? used >= cap || crosses
            : bytes === undefined || crosses;
      if (refuse) {
        const what = bytes === undefined ? 'an object of unknown size' : `${bytes} bytes`;
        throw new DownloadCapError(
          `Download cap of ${cap} bytes would be exceeded by ${decision.uri}: ${what} requested, ${used} metered bytes already used or reserved (mode ${mode})`,
          { cap, used, requested: bytes, mode, uri: decision.uri, hint: CAP_HINT },
        );
      }
    }
    if (decision.metered) this.active.add(reservation);
    return reservation;
  }

  /** Committed plus in-flight metered bytes: what the cap is checked against. */
  usedBytes(): number {
    let held = 0;
    for (const r of this.active) held += r.held;
    return this.committed + held;
  }

  /** A snapshot of the books, for `stowage plan` and progress displays. */
  usage(): MeterUsage {
    let inFlight = 0;
    for (const r of this.active) inFlight += r.held;
    return {
      committed: this.committed,
      inFlight,
      active: this.active.size,
      byBucket: Object.fromEntries(this.byBucket),
    };
  }

  /** @internal Called by a reservation when it commits or releases. */
  settle(reservation: DownloadReservation, bytes: number): void {
    if (!this.active.delete(reservation) || bytes <= 0) return;
    this.committed += bytes;
    const bucket = reservation.decision.facts.data.s3?.bucket;
    if (bucket !== undefined) this.byBucket.set(bucket, (this.byBucket.get(bucket) ?? 0) + bytes);
  }
}

/** Options of {@link ProgressMeter}. */
export interface ProgressMeterOptions {
  /** Total bytes, when known; reports then carry it and an ETA. */
  totalBytes?: number;
  /** Minimum time between two reports. Default 100 ms (about 10 per second). */
  intervalMs?: number;
  /** Clock in ms, for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * Told every byte counted by {@link ProgressMeter.add} as it is counted, unthrottled: what the
   * transfer moved, a failed attempt's bytes included (they moved; only progress discounts them).
   * Bytes kept from an earlier run ({@link ProgressMeter.addKept}) are not moved and not told.
   */
  onMoved?: (bytes: number) => void;
}

/** A progress report. */
export interface ProgressReport {
  /** Bytes counted so far. */
  bytes: number;
  /** Total bytes, when known. */
  totalBytes?: number;
  /** Bytes per second, smoothed, rounded. */
  rate: number;
  /** Seconds left at the current rate, when the total is known and the rate is above 0. */
  etaSeconds?: number;
}

/**
 * Turns a stream of byte counts into throttled reports with a smoothed rate and an ETA. Parts
 * finishing out of order only ever add bytes; a failed attempt subtracts what it had counted, so a
 * retry is not counted twice (the count then goes back).
 */
export class ProgressMeter {
  private bytes = 0;
  private lastEmit = Number.NEGATIVE_INFINITY;
  private lastBytes = 0;
  private lastTime: number;
  private rate = 0;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly emit: (report: ProgressReport) => void,
    private readonly options: ProgressMeterOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    this.now = options.now ?? Date.now;
    this.lastTime = this.now();
  }

  /** Bytes counted so far. */
  get total(): number {
    return this.bytes;
  }

  /** Count `delta` more bytes that just moved (negative: discount a failed attempt); reports when the interval has passed. */
  add(delta: number): void {
    if (delta > 0) this.options.onMoved?.(delta);
    this.count(delta);
  }

  /** Count bytes already in place from an earlier run (a resumed part): progress, but nothing moved. */
  addKept(bytes: number): void {
    this.count(bytes);
  }

  private count(delta: number): void {
    this.bytes += delta;
    const now = this.now();
    if (now - this.lastEmit >= this.intervalMs) this.report(now);
  }

  /** Report the final count now, whatever the interval. */
  flush(): void {
    this.report(this.now());
  }

  private report(now: number): void {
    const dt = (now - this.lastTime) / 1000;
    if (dt > 0) {
      const instant = (this.bytes - this.lastBytes) / dt;
      // Exponential smoothing: steady enough for an ETA, quick enough to follow a stall.
      this.rate = this.rate === 0 ? instant : 0.3 * instant + 0.7 * this.rate;
    }
    this.lastTime = now;
    this.lastBytes = this.bytes;
    this.lastEmit = now;
    const total = this.options.totalBytes;
    this.emit({
      bytes: this.bytes,
      ...(total === undefined ? {} : { totalBytes: total }),
      rate: Math.round(this.rate),
      ...(total !== undefined && this.rate > 0
        ? { etaSeconds: Math.max(0, (total - this.bytes) / this.rate) }
        : {}),
    });
  }
}
